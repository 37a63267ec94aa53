import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { extract, extractorOption } from '../../extract/extractors.js';
import { parseJsonl, sha256 } from '../files.js';
import { harnessBackstopMs, harnessOutcome, harnessPlan, pythonProfile } from '../python-harness/harness.js';
import type { PlanBenchmark } from '../types.js';
import type { ProblemRecord } from '../../domain.js';

// Google's MBPP released data only; the widely used executor is
// bigcode-evaluation-harness: program = completion (cut at its stop words) +
// "\n".join(test_list), 3 s for the whole program, pass = every assert holds.
// It ignores test_setup_code and the challenge tests; both are opt-in here.
// The program runs in a candidate process and the asserts in the judge, with
// the names they read bound to the program's definitions (verdict_harness.py,
// mode "asserts"), so a program cannot skip, patch or fake them.

const FullRowSchema = z.object({
  task_id: z.number().int(),
  text: z.string(),
  code: z.string(),
  test_list: z.array(z.string()).min(1),
  test_setup_code: z.string().default(''),
  challenge_test_list: z.array(z.string()).default([]),
});

const SanitizedRowSchema = z.object({
  task_id: z.number().int(),
  prompt: z.string(),
  code: z.string(),
  test_imports: z.array(z.string()).default([]),
  test_list: z.array(z.string()).min(1),
});

const HiddenSchema = z.object({
  code: z.string(),
  test_list: z.array(z.string()),
  challenge_test_list: z.array(z.string()).default([]),
  test_setup_code: z.string().default(''),
  test_imports: z.array(z.string()).default([]),
});
type Hidden = z.infer<typeof HiddenSchema>;

const OptionsSchema = z
  .object({
    extractor: extractorOption('fenced-or-bigcode-mbpp@1'),
    timeout_s: z.number().positive().max(60).default(3.0).describe('wall-clock limit for the whole program (bigcode harness: 3.0)'),
    test_setup_code: z.boolean().default(false).describe('run test_setup_code after the program (bigcode harness: no; tasks 367 and 927 need it)'),
    challenge_tests: z.boolean().default(false).describe('also run challenge_test_list (bigcode harness: no)'),
    memory_mb: z.number().int().min(64).max(16384).default(2048).describe('container memory (official: none)'),
  })
  .strict();
type Options = z.infer<typeof OptionsSchema>;

/** every problem's container: the Python judge with the options' memory */
const profile = (options: Options) => pythonProfile(options.memory_mb * 1024 * 1024);

/** MBPP splits by task id (its README); sanitized MBPP keeps the original ids. */
export function mbppSplit(taskId: number): 'prompt' | 'test' | 'validation' | 'train' {
  if (taskId <= 10) return 'prompt';
  if (taskId <= 510) return 'test';
  if (taskId <= 600) return 'validation';
  return 'train';
}

/** The function the asserts call: the first name called in the first assert. */
function entryPointOf(asserts: string[]): string | undefined {
  return /\bassert\s*\(?\s*(?:not\s+|set\s*\(\s*|math\.isclose\s*\(\s*)?([A-Za-z_]\w*)\s*\(/.exec(asserts[0] ?? '')?.[1];
}

/** bigcode-evaluation-harness's prompt: the description and the first test in a docstring. */
function bigcodePrompt(text: string, firstTest: string): string {
  return `"""\n${text.trim()}\n${firstTest.trim()}\n"""\n`;
}

function hidden(problem: ProblemRecord): Hidden {
  return HiddenSchema.parse(problem.hidden);
}

function mbppVariant(variant: {
  name: string;
  description: string;
  read: (file: string) => Promise<{ rows: ProblemRecord[]; digest: string }>;
}): PlanBenchmark<Options> {
  return {
    kind: 'plan',
    name: variant.name,
    description: variant.description,
    graderVersion: '1',
    options: OptionsSchema,

    async read(file, opts) {
      const { rows, digest } = await variant.read(file);
      return { version: opts.version ?? `1.0+${digest.slice(0, 8)}`, problems: rows };
    },

    extract: (problem, completion, options) => ({
      code: extract(options.extractor, completion, { entryPoint: typeof problem.public.entry_point === 'string' ? problem.public.entry_point : undefined }),
    }),

    warmProfile: profile,

    plan(problem, { code }, options) {
      const h = hidden(problem);
      const imports = h.test_imports.join('\n');
      // test imports come first, as in the program the sanitized set describes
      const source = [imports, code, options.test_setup_code ? h.test_setup_code : ''].filter(Boolean).join('\n');
      const tests = options.challenge_tests ? [...h.test_list, ...h.challenge_test_list] : h.test_list;
      // The asserts take from the program only the names the problem's own
      // program (reference + setup) binds; builtins and test imports stay the
      // judge's (the harness parses the reference, never runs it).
      const reference = [h.code, h.test_setup_code].filter(Boolean).join('\n');
      const entry = typeof problem.public.entry_point === 'string' ? { entry_point: problem.public.entry_point } : {};
      return harnessPlan(
        profile(options),
        { mode: 'asserts', source, tests, imports, reference, ...entry, timeout_s: options.timeout_s },
        { wallMs: harnessBackstopMs(options.timeout_s), captureBytes: 1 << 20, outputBytes: 16 << 20 },
      );
    },

    outcome: (_problem, plan, results) => harnessOutcome(plan, results),

    canonical: (problem) => ({ completion: hidden(problem).code, options: { extractor: 'raw@1', test_setup_code: true } }),

    entryPoint: (problem) => (typeof problem.public.entry_point === 'string' ? problem.public.entry_point : undefined),
  };
}

export const mbpp = mbppVariant({
  name: 'mbpp',
  description:
    'Google MBPP, all 974 problems (test split: task_id 11–510, field split), graded as bigcode-evaluation-harness does (stop words, test_list asserts, 3 s)',
  async read(file) {
    const buf = await fs.readFile(file);
    const rows = parseJsonl(buf.toString('utf8'), FullRowSchema, path.basename(file)).map(
      (r): ProblemRecord => ({
        id: String(r.task_id),
        prompt: bigcodePrompt(r.text, r.test_list[0]!),
        public: { text: r.text, test_example: r.test_list[0]!, entry_point: entryPointOf(r.test_list), split: mbppSplit(r.task_id) },
        hidden: {
          code: r.code,
          test_list: r.test_list,
          challenge_test_list: r.challenge_test_list,
          test_setup_code: r.test_setup_code,
          test_imports: [],
        },
      }),
    );
    return { rows, digest: sha256(buf) };
  },
});

export const mbppSanitized = mbppVariant({
  name: 'mbpp-sanitized',
  description: 'Google MBPP sanitized (427 hand-verified problems; test split 257), program = test_imports + code + test_list asserts',
  async read(file) {
    const buf = await fs.readFile(file);
    const parsed = z.array(SanitizedRowSchema).safeParse(JSON.parse(buf.toString('utf8')));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${path.basename(file)}: row ${String(issue?.path[0])} field ${issue?.path.slice(1).join('.')}: ${issue?.message}`);
    }
    const rows = parsed.data.map(
      (r): ProblemRecord => ({
        id: String(r.task_id),
        prompt: bigcodePrompt(r.prompt, r.test_list[0]!),
        public: { text: r.prompt, test_example: r.test_list[0]!, entry_point: entryPointOf(r.test_list), split: mbppSplit(r.task_id) },
        hidden: { code: r.code, test_list: r.test_list, challenge_test_list: [], test_setup_code: '', test_imports: r.test_imports },
      }),
    );
    return { rows, digest: sha256(buf) };
  },
});
