import type { CaseVerdict, JudgeReport, JudgeVerdict } from './types.js';
import type { Reason, TestResult, Outcome } from '../domain.js';

const REASONS: Record<Exclude<JudgeVerdict, 'AC'>, Reason> = {
  WA: 'wrong_answer',
  TLE: 'timeout',
  MLE: 'memory_limit',
  RE: 'runtime_error',
  CE: 'compile_error',
};

const STATUS: Record<CaseVerdict, TestResult['status']> = { AC: 'pass', WA: 'fail', TLE: 'timeout', MLE: 'error', RE: 'error' };

const GENERIC: Record<CaseVerdict, string> = {
  AC: 'accepted',
  WA: 'wrong answer',
  TLE: 'time limit exceeded',
  MLE: 'memory limit exceeded',
  RE: 'runtime error',
};

// Details that say something about the program's run and nothing about the
// test (no stderr, no token counts or positions, no checker or interactor
// words, which may quote the input or the answer): shown for hidden tests too.
const PROGRAM_ONLY = new Set([
  'wall time limit exceeded',
  'CPU time limit exceeded',
  'killed by the OOM killer',
  'output limit exceeded',
  'no output.txt (the program removed it)',
  'output.txt is not a regular file',
  'output.txt is not readable',
  'rejected: the checker timed out on the output',
  'rejected: the checker was killed on the output',
]);

export interface OutcomeOptions {
  /** whether test `index` is public (its details may be shown); default: none is */
  isPublic?: (index: number) => boolean;
  /** reward instead of 1/0 */
  reward?: number;
}

/**
 * A judge report as a grading outcome. Details of hidden tests are reduced to
 * the verdict and test number: a program could print its input to stderr and
 * read it back from a runtime-error detail.
 */
export function reportOutcome(report: JudgeReport, opts: OutcomeOptions = {}): Outcome {
  const tests: TestResult[] = report.cases.map((c) => ({ index: c.index, status: STATUS[c.verdict], time_ms: round(c.timeMs) }));
  const out: Outcome = { status: report.verdict === 'AC' ? 'pass' : 'fail', reason: report.verdict === 'AC' ? null : REASONS[report.verdict], tests };
  if (opts.reward !== undefined) out.reward = opts.reward;
  if (report.verdict === 'CE') {
    out.detail = `compile error: ${(report.compile.output ?? '').slice(0, 1500)}`;
    return out;
  }
  const bad = report.cases.find((c) => c.verdict !== 'AC');
  if (bad) {
    const shown = bad.detail && (opts.isPublic?.(bad.index) || PROGRAM_ONLY.has(bad.detail)) ? bad.detail : GENERIC[bad.verdict];
    out.detail = `test ${bad.index + 1}: ${shown}`;
  } else if (report.verdict !== 'AC') {
    out.detail = 'no tests';
  }
  return out;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
