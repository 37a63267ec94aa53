import { reportOutcome } from '../../judge/outcome.js';
import type { JudgeReport, JudgeTask } from '../../judge/types.js';
import { JudgeTaskSchema } from '../../judge/types.js';
import type { InlineProblem } from './schema.js';
import type { Outcome } from '../../domain.js';

// Inline stdin/stdout problems (with a comparator or a checker) on the judge
// core: compiled once, every test in one warm container, outputs compared in
// the service.

type Stdio = Extract<InlineProblem['tests'], { type: 'stdio' }>;

/** part of the RL cache key: bump when the mapping below changes a verdict */
export const INLINE_JUDGE_VERSION = '2';

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

/**
 * The tests of an inline problem are hidden from the candidate like any
 * benchmark's: details say the test number and the verdict, never the
 * program's stderr (which could echo the test's input) or how its output
 * differs from the expected one.
 */
export function judgeOutcome(report: JudgeReport): Outcome {
  return reportOutcome(report);
}
