import { z } from 'zod';

// The domain's own types, which every layer speaks: a problem as imported, a
// benchmark's conclusion about one run (Outcome) and the reasons a grade
// fails. The store keeps problems, the HTTP schemas serialise outcomes into
// verdicts, the benchmarks produce them; none of them owns these shapes.

/** One problem of an imported benchmark version. */
export interface ProblemRecord {
  id: string;
  prompt: string;
  /** shown to clients: entry point, starter code, … */
  public: Record<string, unknown>;
  /** never leaves the server: tests, reference solution, inputs */
  hidden: Record<string, unknown>;
}

export const ReasonSchema = z
  .enum([
    'wrong_answer',
    'runtime_error',
    'timeout',
    'memory_limit',
    'compile_error',
    'output_limit',
    'no_code',
    // infra_error reasons: ours, retryable
    'sandbox_error',
    'image_missing',
    'image_building',
    'deadline',
    'calibration_failed',
    'harness_error',
    // scale-out (verdict serve --queue): Redis unreachable; the grade's workers died more often than allowed
    'queue_unavailable',
    'worker_lost',
    // infra_error, not retryable: this service cannot grade the problem (a dependency it lacks)
    'unsupported',
  ])
  .meta({ id: 'Reason' });
export type Reason = z.infer<typeof ReasonSchema>;

export const TestResultSchema = z
  .object({
    index: z.number().int(),
    group: z.string().optional().describe('test group, e.g. base or plus for EvalPlus'),
    status: z.enum(['pass', 'fail', 'timeout', 'error', 'skipped']),
    time_ms: z.number().optional(),
  })
  .meta({ id: 'TestResult' });
export type TestResult = z.infer<typeof TestResultSchema>;

/** What a benchmark concludes from the raw results; the grader adds the rest. */
export interface Outcome {
  status: 'pass' | 'fail' | 'infra_error';
  reason: Reason | null;
  detail?: string;
  tests: TestResult[];
  groups?: Record<string, 'pass' | 'fail' | 'skipped'>;
  /** a reward other than pass = 1 / else 0 (e.g. Codeforces partial or weighted_sum scoring) */
  reward?: number;
  /** what the official harness would say, when the (strict) status differs from it */
  official?: { status: 'pass' | 'fail'; reason: Reason | null };
}
