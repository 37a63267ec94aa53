import { z } from 'zod';
import { GradeOptionsSchema, VerdictSchema } from '../schemas.js';
import { ReasonSchema } from '../domain.js';

// Requests and responses of the batch-regrading job routes (/v1/jobs).

export const InputFormatSchema = z
  .enum(['auto', 'verdict', 'evalplus', 'livecodebench', 'replies'])
  .meta({ id: 'InputFormat' })
  .describe(
    'verdict: {benchmark?, problem_id, completion}; evalplus: {task_id, completion | solution}; ' +
      'livecodebench: {question_id, code_list: [...]} (one sample per code); replies: one model reply per line, ' +
      'the problem id in the column named by id_field and the reply in reply_field; auto: guessed per line',
  );
export type InputFormat = z.infer<typeof InputFormatSchema>;

export const JobCreateSchema = z
  .object({
    benchmark: z.string().min(1).max(100).describe('benchmark of every line that names none'),
    format: InputFormatSchema.default('auto'),
    id_field: z.string().min(1).max(100).optional().describe('replies format: the column holding the problem id'),
    reply_field: z.string().min(1).max(100).default('response').describe('replies format: the column holding the model reply'),
    path: z.string().min(1).max(4096).optional().describe('a JSONL file (optionally gzipped) on the server'),
    jsonl: z.string().optional().describe('the JSONL text itself'),
    options: GradeOptionsSchema.optional().describe('grading options applied to every sample'),
    label: z.string().max(200).optional().describe('free text shown in listings, e.g. the model name'),
  })
  .strict()
  .refine((b) => (b.path === undefined) !== (b.jsonl === undefined), {
    message: 'give exactly one of path or jsonl',
    path: ['path'],
  })
  .refine((b) => b.format !== 'replies' || b.id_field !== undefined, {
    message: 'the replies format needs id_field',
    path: ['id_field'],
  })
  .meta({ id: 'JobCreate' });
export type JobCreate = z.infer<typeof JobCreateSchema>;

export const JobStateSchema = z.enum(['running', 'done', 'cancelled']).meta({ id: 'JobState' });
export type JobState = z.infer<typeof JobStateSchema>;

export const BadLineSchema = z.object({ line: z.number().int(), message: z.string() }).meta({ id: 'BadLine' });
export type BadLine = z.infer<typeof BadLineSchema>;

export const JobSchema = z
  .object({
    id: z.string(),
    label: z.string().nullable(),
    benchmark: z.string(),
    format: InputFormatSchema,
    state: JobStateSchema,
    created_at: z.string(),
    finished_at: z.string().nullable(),
    lines: z.number().int().describe('input lines read (blank lines excluded)'),
    total: z.number().int().describe('samples to grade (a LiveCodeBench line fans out to one per code)'),
    done: z.number().int(),
    passes: z.number().int(),
    fails: z.number().int(),
    infra_errors: z.number().int().describe('samples whose grading failed on our side after retries'),
    bad_line_count: z.number().int(),
    bad_lines: z.array(BadLineSchema).describe('the first 100 lines that could not be read, with why'),
    eta_s: z.number().nullable().describe('seconds left at the rate seen since this service started the job'),
  })
  .meta({ id: 'Job' });
export type Job = z.infer<typeof JobSchema>;

export const JobParamsSchema = z.object({ id: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'not a job id') });

export const JobResultsQuerySchema = z.object({
  after: z.coerce.number().int().min(-1).default(-1).describe('only results whose seq is greater (resume a download)'),
});

/** One line of the results NDJSON (and of the results file `verdict regrade` writes). */
export const JobResultSchema = z
  .object({
    seq: z.number().int().describe('sample index in the job'),
    line: z.number().int().describe('1-based input line'),
    sub: z.number().int().describe('index within the line (LiveCodeBench code_list), else 0'),
    benchmark: z.string(),
    problem_id: z.string().nullable(),
    status: z.enum(['pass', 'fail', 'infra_error', 'invalid']).describe('invalid = a bad input line'),
    reward: z.number(),
    reason: ReasonSchema.nullable(),
    detail: z.string().optional(),
    error: z.string().optional().describe('why an invalid line could not be read'),
    groups: z.record(z.string(), z.enum(['pass', 'fail', 'skipped'])).optional(),
    official: VerdictSchema.shape.official,
    benchmark_version: z.string().optional(),
    grader_version: z.string().optional(),
    grader_fingerprint: VerdictSchema.shape.grader_fingerprint,
    cached: z
      .boolean()
      .optional()
      .describe('true: this line was not graded itself: an identical program (same benchmark, problem, extracted code, options and grader) was, and this is its verdict, from the result cache or a grade in flight'),
    /** public problem fields metrics group by (LiveCodeBench difficulty, contest_date, platform) */
    meta: z.record(z.string(), z.string()).optional(),
  })
  .meta({ id: 'JobResult' });
export type JobResult = z.infer<typeof JobResultSchema>;

/** The results as one document (GET /v1/jobs/{id}/results with Accept: application/json). */
export const JobResultsSchema = z.object({ results: z.array(JobResultSchema) }).meta({ id: 'JobResults' });

export const JobListSchema = z.object({ jobs: z.array(JobSchema) }).meta({ id: 'JobList' });
