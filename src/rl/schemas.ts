import { z } from 'zod';
import { InlineProblemSchema } from '../benchmarks/inline/schema.js';
import { GradeOptionsSchema, VerdictSchema } from '../schemas.js';

// Schemas of the RL reward routes: batch grading, inline problems and the
// SandboxFusion / OpenRLHF drop-ins. Registered in the global zod registry
// (meta ids), so openapi.yaml picks them up through src/openapi.ts.


export const BatchItemSchema = z
  .object({
    benchmark: z.string().min(1).max(100).optional().describe('default: the batch benchmark'),
    problem_id: z.string().min(1).max(500).optional(),
    problem: InlineProblemSchema.optional().describe('tests sent with the request instead of problem_id'),
    completion: z.string().max(1 << 20),
    options: GradeOptionsSchema.optional(),
  })
  .strict()
  .meta({ id: 'BatchItem' });
export type BatchItem = z.infer<typeof BatchItemSchema>;

export const BatchRequestSchema = z
  .object({
    benchmark: z.string().min(1).max(100).optional().describe('for items that name none'),
    options: GradeOptionsSchema.optional().describe('defaults for every item (an item\'s own options win)'),
    items: z.array(BatchItemSchema).min(1).max(10_000),
    format: z.enum(['ndjson', 'json']).default('ndjson').describe('ndjson: one line per verdict as it finishes; json: one array at the end'),
    timeout_ms: z.number().int().positive().max(3_600_000).optional().describe('deadline of every item; past it an item is infra_error/deadline'),
  })
  .strict()
  .meta({ id: 'BatchRequest' });
export type BatchRequest = z.infer<typeof BatchRequestSchema>;

export const BatchResultSchema = VerdictSchema.extend({ index: z.number().int().describe('position in items') }).meta({ id: 'BatchResult' });
export type BatchResult = z.infer<typeof BatchResultSchema>;
export const BatchResponseSchema = z.object({ results: z.array(BatchResultSchema) }).meta({ id: 'BatchResponse' });

// --- SandboxFusion (bytedance/SandboxFusion sandbox/server) -----------------

/** SandboxFusion's language list, plus c (a verdict extension) */
export const SF_LANGUAGES = [
  'python', 'cpp', 'c', 'nodejs', 'go', 'go_test', 'java', 'php', 'csharp', 'bash', 'typescript', 'sql', 'rust', 'cuda',
  'lua', 'R', 'perl', 'D_ut', 'ruby', 'scala', 'julia', 'pytest', 'junit', 'kotlin_script', 'jest', 'verilog',
  'python_gpu', 'lean', 'swift', 'racket',
] as const;

export const RunCodeRequestSchema = z
  .object({
    compile_timeout: z.number().positive().max(600).default(10).describe('seconds for the compile step of compiled languages (cpp, c, rust, go, java, junit)'),
    run_timeout: z.number().positive().max(600).default(10),
    memory_limit_MB: z
      .number()
      .int()
      .max(16384)
      .default(-1)
      .describe('the program\'s exact memory limit (address space / data segment; Java: heap); <= 0: none beyond the container\'s'),
    code: z.string().max(4 << 20),
    stdin: z.string().max(64 << 20).nullable().optional(),
    language: z.enum(SF_LANGUAGES),
    files: z.record(z.string(), z.string().nullable()).default({}).describe('path (relative to /work, or absolute under /work) → base64 content'),
    fetch_files: z.array(z.string()).max(100).default([]).describe('paths read after the run (relative to /work, or absolute), returned under the keys as given'),
    args: z.array(z.string()).default([]),
  })
  .meta({ id: 'RunCodeRequest' });
export type RunCodeRequest = z.infer<typeof RunCodeRequestSchema>;

export const CommandRunResultSchema = z
  .object({
    status: z.enum(['Finished', 'Error', 'TimeLimitExceeded']),
    execution_time: z.number().nullable(),
    return_code: z.number().int().nullable(),
    stdout: z.string().nullable().describe('up to 8 MiB; beyond that it ends with a "[verdict: output truncated: ...]" line'),
    stderr: z.string().nullable(),
  })
  .meta({ id: 'CommandRunResult' });
export type CommandRunResult = z.infer<typeof CommandRunResultSchema>;

export const RunCodeResponseSchema = z
  .object({
    status: z.enum(['Success', 'Failed', 'SandboxError']),
    message: z.string(),
    compile_result: CommandRunResultSchema.nullable(),
    run_result: CommandRunResultSchema.nullable(),
    executor_pod_name: z.string().nullable(),
    files: z.record(z.string(), z.string()),
    timings: z
      .object({
        queue_ms: z.number().describe('time the program waited for a slot (all attempts of a retried request included)'),
        total_ms: z.number().describe('time this request spent in the service'),
      })
      .optional()
      .describe('verdict only (SandboxFusion has none); also in the X-Verdict-Queue-Ms header'),
  })
  .meta({ id: 'RunCodeResponse' });
export type RunCodeResponse = z.infer<typeof RunCodeResponseSchema>;

export const SubmitRequestSchema = z
  .object({
    dataset: z
      .string()
      .min(1)
      .describe('a verdict benchmark name, or SandboxFusion\'s (humaneval_python, mbpp; code_contests* and autoeval* with config.provided_data)'),
    id: z.union([z.number().int(), z.string()]).describe('humaneval_python: 0 = HumanEval/0; mbpp: the task_id'),
    completion: z.string().max(1 << 20),
    config: z
      .looseObject({
        dataset_type: z
          .string()
          .nullable()
          .optional()
          .describe('HumanEvalDataset, MBPPDataset, CommonOJDataset or AutoEvalDataset, for a dataset id SandboxFusion would not know'),
        language: z.string().nullable().optional().describe('CommonOJ rows: the language of the completion (a /run_code language)'),
        run_timeout: z.number().positive().max(600).nullable().optional(),
        compile_timeout: z.number().positive().max(600).nullable().optional(),
        provided_data: z
          .union([z.array(z.record(z.string(), z.unknown())), z.record(z.string(), z.unknown())])
          .nullable()
          .optional()
          .describe(
            'the problem row (or rows, picked by id): CommonOJ {id, test: [{input: {stdin}, output: {stdout}}]}; AutoEval {id, test: {code, asset?}, labels: {programming_language, execution_language?}}; MBPP {id, test_list, labels?: {test_setup_code}}; HumanEval {id, prompt?, test, entry_point}',
          ),
        extra: z.record(z.string(), z.unknown()).optional().describe('is_freeform: true takes the code block of a chat reply (HumanEval)'),
      })
      .default({}),
  })
  .meta({ id: 'SubmitRequest' });
export type SubmitRequest = z.infer<typeof SubmitRequestSchema>;

export const EvalResultSchema = z
  .object({
    id: z.union([z.number().int(), z.string()]),
    accepted: z.boolean(),
    extracted_code: z.string(),
    full_code: z.string().nullable(),
    test_code: z.string().nullable(),
    tests: z.array(
      z.object({ passed: z.boolean(), exec_info: RunCodeResponseSchema, test_info: z.record(z.string(), z.unknown()).nullable() }),
    ),
    extracted_type: z.enum(['fenced', 'incomplete_fenced', 'heuristic', 'empty']).nullable(),
    extra: z.record(z.string(), z.unknown()).nullable().describe('verdict: the full verdict, so infra errors can be told from failures'),
  })
  .meta({ id: 'EvalResult' });
export type EvalResult = z.infer<typeof EvalResultSchema>;

// --- OpenRLHF remote reward (--reward.remote_url) ---------------------------

export const RewardLabelSchema = z
  .object({
    benchmark: z.string().min(1).max(100).optional(),
    problem_id: z.string().min(1).max(500).optional(),
    problem: InlineProblemSchema.optional(),
    options: GradeOptionsSchema.optional(),
  })
  .strict();

export const GetRewardRequestSchema = z
  .object({
    query: z.array(z.string().max(1 << 20)).min(1).max(10_000).describe('prompt + response, as OpenRLHF sends it'),
    prompts: z.array(z.string().max(1 << 20)).optional().describe('stripped from the front of each query'),
    labels: z
      .array(z.union([z.string(), RewardLabelSchema]))
      .describe('per sample: {benchmark, problem_id} or {problem: inline tests}, as an object or a JSON string'),
  })
  .loose()
  .meta({ id: 'GetRewardRequest' });
export type GetRewardRequest = z.infer<typeof GetRewardRequestSchema>;

export const GetRewardResponseSchema = z
  .object({
    rewards: z.array(z.number()),
    scores: z.array(z.number()),
    extra_logs: z.object({
      infra_error: z.array(z.number()).describe('1 where the reward is not a verdict (mask it)'),
      pass: z.array(z.number()),
      cached: z.array(z.number()),
    }),
  })
  .meta({ id: 'GetRewardResponse' });
