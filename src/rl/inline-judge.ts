import type { Logger } from 'pino';
import { runJudge } from '../judge/judge.js';
import type { CaseResult, JudgeReport, JudgeTaskInput } from '../judge/types.js';
import type { SandboxEngine } from '../sandbox/engine.js';
import { isSandboxError } from '../sandbox/errors.js';
import type { Reason, TestResult, Verdict } from '../schemas.js';
import type { InlineProblem } from './schemas.js';

// Inline stdin/stdout problems (with a comparator or a checker) graded by the
// judge core: compiled once, every test in one warm container, outputs
// compared in the service. Infra failures are retried, then infra_error.

export interface InlineJudgeDeps {
  engine: SandboxEngine;
  imageRef: (name: string) => Promise<string>;
  runtime: 'runc' | 'runsc';
  retries: number;
  log: Logger;
}

type Stdio = Extract<InlineProblem['tests'], { type: 'stdio' }>;

export const INLINE_JUDGE_VERSION = '1';

export function judgeTask(p: InlineProblem, code: string): JudgeTaskInput {
  const t = p.tests as Stdio;
  return {
    language: t.language,
    source: code,
    cases: t.cases.map((c) => ({ input: c.stdin, expected: c.stdout })),
    timeLimitMs: Math.ceil(p.timeout_s * 1000),
    memoryMb: p.memory_mb,
    comparator: t.checker ? { kind: 'checker', ...t.checker } : { kind: t.comparator },
    stopOnFirstFailure: true,
  };
}

const REASON: Record<Exclude<JudgeReport['verdict'], 'AC'>, Reason> = {
  WA: 'wrong_answer',
  TLE: 'timeout',
  MLE: 'memory_limit',
  RE: 'runtime_error',
  CE: 'compile_error',
};

function testStatus(c: CaseResult): TestResult['status'] {
  if (c.verdict === 'AC') return 'pass';
  if (c.verdict === 'WA') return 'fail';
  if (c.verdict === 'TLE') return 'timeout';
  return 'error';
}

/** The fields of a verdict the judge decides; the reward service adds identity and timings. */
export async function judgeInline(
  deps: InlineJudgeDeps,
  p: InlineProblem,
  code: string,
  runtime: 'runc' | 'runsc' | undefined,
  onTimings: (queueMs: number, sandboxMs: number) => void,
): Promise<Pick<Verdict, 'status' | 'reason' | 'tests' | 'attempts'> & { detail?: string }> {
  const task = judgeTask(p, code);
  let attempts = 0;
  for (;;) {
    attempts += 1;
    try {
      const report = await runJudge(deps.engine, task, { runtime: runtime ?? deps.runtime, imageRef: deps.imageRef, onTimings });
      const tests = report.cases.map((c): TestResult => ({ index: c.index, status: testStatus(c), time_ms: Math.round(c.timeMs) }));
      if (report.verdict === 'AC') return { status: 'pass', reason: null, tests, attempts };
      const bad = report.cases.find((c) => c.verdict !== 'AC');
      const detail = report.verdict === 'CE' ? (report.compile.output ?? 'compilation failed').slice(0, 2000) : bad?.detail;
      return { status: 'fail', reason: REASON[report.verdict], tests, attempts, ...(detail ? { detail } : {}) };
    } catch (e) {
      if (!isSandboxError(e)) {
        // a checker that does not compile, a task the judge refuses
        return { status: 'infra_error', reason: 'harness_error', tests: [], attempts, detail: e instanceof Error ? e.message : String(e) };
      }
      deps.log.warn({ err: e.message, kind: e.kind, attempt: attempts }, 'inline judge sandbox failure');
      if (!e.retryable || attempts > deps.retries) {
        return { status: 'infra_error', reason: e.kind === 'image_missing' ? 'image_missing' : 'sandbox_error', tests: [], attempts, detail: e.message };
      }
    }
  }
}
