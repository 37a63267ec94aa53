import { DomainError } from '../errors.js';
import type { Verdict } from '../schemas.js';
import { RewardLabelSchema, type BatchItem, type GetRewardRequest } from './schemas.js';

// OpenRLHF's remote reward (--reward.remote_url): {query, prompts, labels} →
// {rewards, scores, extra_logs}. A label names the problem ({benchmark,
// problem_id}) or carries inline tests ({problem}); as an object or as the
// JSON string a dataset column holds.

export function rewardItems(req: GetRewardRequest): BatchItem[] {
  if (req.labels.length !== req.query.length) {
    throw new DomainError('invalid_request', `labels has ${req.labels.length} entries, query has ${req.query.length}`, 'labels');
  }
  if (req.prompts && req.prompts.length !== req.query.length) {
    throw new DomainError('invalid_request', `prompts has ${req.prompts.length} entries, query has ${req.query.length}`, 'prompts');
  }
  return req.query.map((q, i) => {
    let raw: unknown = req.labels[i];
    if (typeof raw === 'string') {
      try {
        raw = JSON.parse(raw);
      } catch {
        throw new DomainError('invalid_request', `labels.${i}: not JSON; send {"benchmark", "problem_id"} or {"problem"}`, `labels.${i}`);
      }
    }
    const label = RewardLabelSchema.safeParse(raw);
    if (!label.success) {
      const issue = label.error.issues[0];
      const f = [`labels.${i}`, ...(issue?.path ?? []).map(String)].join('.');
      throw new DomainError('invalid_request', `${f}: ${issue?.message ?? 'invalid'}`, f);
    }
    const prompt = req.prompts?.[i];
    const completion = prompt !== undefined && q.startsWith(prompt) ? q.slice(prompt.length) : q;
    return { ...label.data, completion };
  });
}

export function rewardResponse(verdicts: Verdict[]): {
  rewards: number[];
  scores: number[];
  extra_logs: { infra_error: number[]; pass: number[]; cached: number[] };
} {
  const rewards = verdicts.map((v) => v.reward);
  return {
    rewards,
    scores: [...rewards],
    extra_logs: {
      infra_error: verdicts.map((v) => (v.status === 'infra_error' ? 1 : 0)),
      pass: verdicts.map((v) => (v.status === 'pass' ? 1 : 0)),
      cached: verdicts.map((v) => (v.cached ? 1 : 0)),
    },
  };
}
