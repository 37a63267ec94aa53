import path from 'node:path';
import { z } from 'zod';
import { extract, extractorOption } from '../../extract/extractors.js';
import { parseJsonl, readMaybeGzip, sha256 } from '../files.js';
import { harnessBackstopMs, harnessOutcome, harnessPlan, pythonProfile } from '../python-harness/harness.js';
import type { PlanBenchmark } from '../types.js';
import type { ProblemRecord } from '../../domain.js';

// openai/human-eval: program = prompt + completion + "\n" + test + "\n" +
// f"check({entry_point})", 3 s wall for the whole program, pass = no exception.
// The harness runs the candidate and check() in separate processes (see
// verdict_harness.py) so the candidate cannot forge a pass.

const RowSchema = z.object({
  task_id: z.string().min(1),
  prompt: z.string(),
  canonical_solution: z.string(),
  test: z.string(),
  entry_point: z.string().min(1),
});

export const HumanEvalHiddenSchema = z.object({
  test: z.string(),
  canonical_solution: z.string(),
  entry_point: z.string(),
});

const OptionsSchema = z
  .object({
    extractor: extractorOption('continuation-or-chat@1'),
    timeout_s: z.number().positive().max(60).default(3.0).describe('wall-clock limit for the whole program (official: 3.0)'),
    memory_mb: z.number().int().min(64).max(16384).default(2048).describe('container memory (official: none)'),
  })
  .strict();
type Options = z.infer<typeof OptionsSchema>;

/** every problem's container: the Python judge with the options' memory */
const profile = (options: Options) => pythonProfile(options.memory_mb * 1024 * 1024);

export const humaneval: PlanBenchmark<Options> = {
  kind: 'plan',
  name: 'humaneval',
  description: 'OpenAI HumanEval (164 problems), graded with the openai/human-eval semantics',
  graderVersion: '1',
  options: OptionsSchema,

  async read(file, opts) {
    const buf = await readMaybeGzip(file);
    const rows = parseJsonl(buf.toString('utf8'), RowSchema, path.basename(file));
    const problems: ProblemRecord[] = rows.map((r) => ({
      id: r.task_id,
      prompt: r.prompt,
      public: { entry_point: r.entry_point },
      hidden: { test: r.test, canonical_solution: r.canonical_solution, entry_point: r.entry_point },
    }));
    return { version: opts.version ?? `1.0+${sha256(buf).slice(0, 8)}`, problems };
  },

  // The official harness appends the completion verbatim (`raw@1`); the
  // default also reads a chat reply (continuation-or-chat@1).
  extract: (problem, completion, options) => ({ code: extract(options.extractor, completion, { entryPoint: humaneval.entryPoint?.(problem) }) }),

  warmProfile: profile,

  plan(problem, { code }, options) {
    const hidden = HumanEvalHiddenSchema.parse(problem.hidden);
    return harnessPlan(
      profile(options),
      {
        mode: 'humaneval',
        prompt: problem.prompt,
        completion: code,
        test: hidden.test,
        entry_point: hidden.entry_point,
        timeout_s: options.timeout_s,
      },
      // the harness keeps the official limit; this is the backstop
      { wallMs: harnessBackstopMs(options.timeout_s), captureBytes: 1 << 20, outputBytes: 16 << 20 },
    );
  },

  outcome: (_problem, plan, results) => harnessOutcome(plan, results),

  canonical: (problem) => ({ completion: HumanEvalHiddenSchema.parse(problem.hidden).canonical_solution }),

  entryPoint: (problem) => (typeof problem.public.entry_point === 'string' ? problem.public.entry_point : undefined),
};
