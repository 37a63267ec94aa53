import { z } from 'zod';
import { ERROR_CATALOGUE } from './errors.js';
import { ReasonSchema, TestResultSchema } from './domain.js';

// Every request and response of the HTTP API. These schemas are the source of
// openapi.yaml; change them and regenerate (`npm run openapi`).


export const VerdictSchema = z
  .object({
    status: z.enum(['pass', 'fail', 'infra_error']),
    reward: z.number().min(-1).max(1.1).describe('1 for pass, else 0; Codeforces partial/weighted_sum scoring may give fractions, -0.1 (compile error) or -1 (no code)'),
    reason: ReasonSchema.nullable(),
    retryable: z.boolean().describe('true for infra_error (except reason unsupported): the same request may be sent again'),
    detail: z.string().optional().describe('short message: exception, signal, what went wrong'),
    benchmark: z.string(),
    benchmark_version: z.string(),
    grader_version: z.string(),
    grader_fingerprint: z
      .string()
      .optional()
      .describe('digest of every source file this benchmark\'s grading depends on (harness, runners, judge core), computed at start-up'),
    problem_id: z.string(),
    tests: z.array(TestResultSchema),
    groups: z.record(z.string(), z.enum(['pass', 'fail', 'skipped'])).optional(),
    official: z
      .object({ status: z.enum(['pass', 'fail']), reason: ReasonSchema.nullable() })
      .optional()
      .describe("present when this (strict) verdict differs from what the benchmark's official harness would say, e.g. a BigCodeBench test passed through an always-equal object; see docs/hostile.md"),
    extracted_code: z.string(),
    attempts: z.number().int().describe('sandbox runs this grade took (infra retries included)'),
    cached: z.boolean().optional().describe('true: this verdict came from the result cache or from an identical grade in flight'),
    timings: z.object({
      queue_ms: z.number(),
      sandbox_ms: z.number(),
      total_ms: z.number(),
    }),
  })
  .meta({ id: 'Verdict' });
export type Verdict = z.infer<typeof VerdictSchema>;

export const GradeOptionsSchema = z
  .object({
    version: z.string().min(1).optional().describe('benchmark version; default: the latest imported'),
    runtime: z.enum(['runc', 'runsc']).optional().describe('container runtime; runsc = gVisor'),
    timeout_ms: z.number().int().positive().max(3_600_000).optional().describe('client deadline for this grade'),
    cache: z.boolean().optional().describe('false: grade again even when an identical grade is cached (default true)'),
  })
  .catchall(z.unknown())
  .describe('benchmark-specific options are accepted here too; each benchmark validates its own')
  .meta({ id: 'GradeOptions' });
export type GradeOptions = z.infer<typeof GradeOptionsSchema>;

export const GradeRequestSchema = z
  .object({
    benchmark: z.string().min(1).max(100),
    problem_id: z.string().min(1).max(500),
    completion: z.string().max(1 << 20),
    options: GradeOptionsSchema.optional(),
  })
  .strict()
  .meta({ id: 'GradeRequest' });
export type GradeRequest = z.infer<typeof GradeRequestSchema>;

export const ErrorSchema = z
  .object({
    error: z
      .string()
      .describe(
        `machine-readable kind, from the error catalogue: ${Object.entries(ERROR_CATALOGUE)
          .map(([code, e]) => `${code} (${e.status})`)
          .join(', ')}; or fastify's code (FST_ERR_…) for a body that is malformed, too large or not JSON`,
      ),
    message: z.string(),
    field: z.string().optional().describe('the offending field, dotted path'),
  })
  .meta({ id: 'Error' });

export const BenchmarkInfoSchema = z
  .object({
    name: z.string(),
    description: z.string(),
    grader_version: z.string(),
    grader_fingerprint: z.string().describe('digest of the sources its grading depends on; changes whenever they do'),
    default_version: z.string().nullable(),
    versions: z.array(
      z.object({ version: z.string(), problems: z.number().int(), source: z.string(), imported_at: z.string() }),
    ),
    import_command: z.string(),
  })
  .meta({ id: 'BenchmarkInfo' });

export const BenchmarkListSchema = z.object({ benchmarks: z.array(BenchmarkInfoSchema) }).meta({ id: 'BenchmarkList' });

export const ProblemListQuerySchema = z.object({
  version: z.string().optional(),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const ProblemListSchema = z.object({
  benchmark: z.string(),
  version: z.string(),
  total: z.number().int(),
  offset: z.number().int(),
  problems: z.array(
    z.object({
      id: z.string(),
      prompt: z.string(),
      entry_point: z.string().optional(),
      /** the problem's public fields (split, difficulty, release date, ...) */
      metadata: z.record(z.string(), z.unknown()).optional(),
    }),
  ),
}).meta({ id: 'ProblemList' });

export const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    docker: z.object({ reachable: z.boolean(), detail: z.string().optional() }),
    images: z.array(z.object({ name: z.string(), ref: z.string(), present: z.boolean() })),
    build_command: z.string().optional().describe('run this to build the missing images'),
    pools: z.array(z.record(z.string(), z.union([z.string(), z.number()]))),
  })
  .meta({ id: 'Health' });

export const ProblemParamsSchema = z.object({ name: z.string().min(1).max(100) });
