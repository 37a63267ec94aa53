import type { FastifyInstance, FastifyReply } from 'fastify';
import { OverloadError, type Admission } from '../rl/admission.js';
import { rewardItems, rewardResponse } from '../rl/openrlhf.js';
import type { RewardService } from '../rl/reward-service.js';
import type { RunCode } from '../rl/run-code.js';
import { GetRewardRequestSchema, RunCodeRequestSchema, SubmitRequestSchema } from '../rl/schemas.js';
import { evalResult, submitItem } from '../rl/submit.js';
import { parseOr400 } from '../validate.js';

// Drop-ins, so a trainer changes one URL: SandboxFusion's /run_code and
// /submit (verl's sandbox_fusion reward) and OpenRLHF's /get_reward.

/** verl's SandboxFusion client retries only on 504, so overload is a 504 with Retry-After there. */
function gatewayBusy(reply: FastifyReply, e: OverloadError): FastifyReply {
  return reply.code(504).header('retry-after', String(e.retryAfterS)).send({ error: 'overloaded', message: e.message });
}

export function dropInRoutes(
  app: FastifyInstance,
  deps: { reward: RewardService; admission: Admission; runCode: RunCode; benchmarks: ReadonlySet<string> },
): void {
  app.post('/run_code', async (req, reply) => {
    const body = parseOr400(RunCodeRequestSchema, req.body, 'body');
    let release: () => void;
    try {
      release = deps.admission.admit(1);
    } catch (e) {
      if (e instanceof OverloadError) return gatewayBusy(reply, e);
      throw e;
    }
    try {
      return await deps.runCode(body);
    } finally {
      release();
    }
  });

  app.post('/submit', async (req, reply) => {
    const body = parseOr400(SubmitRequestSchema, req.body, 'body');
    const item = submitItem(body, (n) => deps.benchmarks.has(n));
    try {
      const [v] = await deps.reward.batch({ items: [item], format: 'json' }, () => undefined);
      return evalResult(body.id, v!);
    } catch (e) {
      if (e instanceof OverloadError) return gatewayBusy(reply, e);
      throw e;
    }
  });

  app.post('/get_reward', async (req) => {
    const body = parseOr400(GetRewardRequestSchema, req.body, 'body');
    const items = rewardItems(body);
    const verdicts = await deps.reward.batch({ items, format: 'json' }, () => undefined);
    return rewardResponse(verdicts);
  });
}
