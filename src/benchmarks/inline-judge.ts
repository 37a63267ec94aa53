import type { CaseResult, JudgeReport, JudgeTask } from '../judge/types.js';
import { JudgeTaskSchema } from '../judge/types.js';
import type { InlineProblem } from '../rl/schemas.js';
import type { Reason, TestResult } from '../schemas.js';
import type { Outcome } from './types.js';

// Inline stdin/stdout problems (with a comparator or a checker) on the judge
// core: compiled once, every test in one warm container, outputs compared in
// the service.

type Stdio = Extract<InlineProblem['tests'], { type: 'stdio' }>;

/** part of the RL cache key: bump when the mapping below changes a verdict */
export const INLINE_JUDGE_VERSION = '1';

export function judgeTask(p: InlineProblem, code: string): JudgeTask {
  const t = p.tests as Stdio;
  return JudgeTaskSchema.parse({
    language: t.language,
    source: code,
    cases: t.cases.map((c) => ({ input: c.stdin, expected: c.stdout })),
    timeLimitMs: Math.ceil(p.timeout_s * 1000),
    memoryMb: p.memory_mb,
    comparator: t.checker ? { kind: 'checker', ...t.checker } : { kind: t.comparator },
    stopOnFirstFailure: true,
  });
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

export function judgeOutcome(report: JudgeReport): Outcome {
  const tests = report.cases.map((c): TestResult => ({ index: c.index, status: testStatus(c), time_ms: Math.round(c.timeMs) }));
  if (report.verdict === 'AC') return { status: 'pass', reason: null, tests };
  const bad = report.cases.find((c) => c.verdict !== 'AC');
  const detail = report.verdict === 'CE' ? (report.compile.output ?? 'compilation failed').slice(0, 2000) : bad?.detail;
  return { status: 'fail', reason: REASON[report.verdict], tests, ...(detail ? { detail } : {}) };
}
