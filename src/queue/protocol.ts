import { z } from 'zod';
import { GradeRequestSchema } from '../schemas.js';
import { RunCodeRequestSchema } from '../rl/schemas.js';

// What travels through Redis between `verdict serve --queue` and `verdict
// worker`. Problems (with their hidden tests) travel once, by digest, through
// the problem shelf (problems.ts), not in every job: an RL step grades the same
// problem thousands of times and one LiveCodeBench problem can weigh MBs.

export const QUEUE_NAME = 'verdict-grade';
/** bumped when a job's shape changes: a worker ignores jobs it cannot read */
export const PROTOCOL = 1;

export const GradeJobSchema = z.object({
  protocol: z.literal(PROTOCOL),
  kind: z.literal('grade'),
  req: GradeRequestSchema,
  benchmark: z.string(),
  version: z.string(),
  /** sha256 of the problem record on the shelf */
  problem: z.string().regex(/^[0-9a-f]{64}$/),
  /** the benchmark's options as the API resolved them (defaults filled) */
  options: z.unknown(),
  /** epoch ms past which nobody waits for the verdict */
  deadline_at: z.number().optional(),
});
export type GradeJob = z.infer<typeof GradeJobSchema>;

export const RunCodeJobSchema = z.object({
  protocol: z.literal(PROTOCOL),
  kind: z.literal('run_code'),
  req: RunCodeRequestSchema,
  deadline_at: z.number().optional(),
});
export type RunCodeJob = z.infer<typeof RunCodeJobSchema>;

export const QueueJobSchema = z.discriminatedUnion('kind', [GradeJobSchema, RunCodeJobSchema]);
export type QueueJob = z.infer<typeof QueueJobSchema>;

/** Redis key of a problem on the shelf. */
export function problemKey(prefix: string, digest: string): string {
  return `${prefix}:${QUEUE_NAME}:problem:${digest}`;
}
