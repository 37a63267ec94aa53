import { extract, extractorOption } from '../../extract/extractors.js';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseJsonl, readMaybeGzip, sha256 } from '../files.js';
import { harnessOutcome, SPEC_FILE } from '../python-harness/harness.js';
import { runnerCode } from '../python-runner.js';
import type { PlanBenchmark, PlanProfile, RunPlan } from '../types.js';
import type { ProblemRecord } from '../../domain.js';

// bigcode-project/bigcodebench @47eff25 (evaluate.py, eval/__init__.py):
// solution = sample.solution, or complete_prompt + sample.completion;
// calibrated (default): code_prompt + "\n    pass\n" + solution; program =
// solution + "\n" + test, run as module __test__, then its TestCases suite.
// Pass = no failures and no errors (skips pass) within
// max(240, gt_time) + 1 s; RLIMIT_AS/DATA 30 GiB, stack 10 MiB; TZ=UTC; output
// swallowed. The split (complete / instruct) only changes the prompt a model
// sees: a sample is graded the same way for both, so it is not an option.
// The tests run in the candidate's process: see bigcodebench_runner.py for
// what is defended there and what is not. Strict by default (mode): where the
// official harness is fooled (always-equal objects, undeclared skips) the
// verdict is fail and carries the official one (docs/hostile.md).

export const RUNNER_FILE = 'bigcodebench_runner.py';

const RowSchema = z.looseObject({
  task_id: z.string().min(1),
  complete_prompt: z.string(),
  instruct_prompt: z.string(),
  canonical_solution: z.string(),
  code_prompt: z.string(),
  test: z.string(),
  entry_point: z.string().min(1),
  libs: z.unknown().optional(),
});
type Row = z.infer<typeof RowSchema>;

export const BigCodeBenchHiddenSchema = z.object({
  test: z.string(),
  canonical_solution: z.string(),
  code_prompt: z.string(),
  complete_prompt: z.string(),
});

const GiB = 1024 * 1024 * 1024;

const OptionsSchema = z
  .object({
    extractor: extractorOption('raw@1'),
    completion_format: z
      .enum(['solution', 'completion'])
      .default('solution')
      .describe(
        "'solution': the completion is the whole program (official `solution` field, what chat models and the official sanitizer give); " +
          "'completion': it continues complete_prompt (official `completion` field)",
      ),
    calibrated: z.boolean().default(true).describe('prefix code_prompt + "\\n    pass\\n" (official default: true)'),
    timeout_s: z
      .number()
      .positive()
      .max(900)
      .default(240)
      .describe('official TIMEOUT_LIMIT; the suite gets timeout_s + 1 s, the process timeout_s + 2 s'),
    memory_mb: z
      .number()
      .int()
      .min(256)
      .max(30 * 1024)
      .default(4096)
      .describe('container memory; the official RLIMIT_AS of 30 GiB is set too but this is the real bound'),
    mode: z
      .enum(['strict', 'official'])
      .default('strict')
      .describe(
        "'strict': also fail a test passed through an always-equal object, a skip or expected failure the test source does not declare, " +
          "or a diverted test outcome (the verdict then carries `official`); 'official': the official harness's verdict (skips and expected failures pass)",
      ),
  })
  .strict();
type Options = z.infer<typeof OptionsSchema>;

export function bigcodebenchProfile(memoryBytes: number): PlanProfile {
  // /tmp holds the per-task working directory (tasks write CSVs, images, archives).
  return { image: 'bigcodebench', memoryBytes, cpus: 1, pidsLimit: 512, workBytes: 64 << 20, tmpBytes: 1024 << 20 };
}

/** The program the official harness runs for a sample (before "\n" + test). */
export function bigcodebenchProgram(problem: ProblemRecord, code: string, options: Pick<Options, 'completion_format' | 'calibrated'>): string {
  const hidden = BigCodeBenchHiddenSchema.parse(problem.hidden);
  const solution = options.completion_format === 'completion' ? hidden.complete_prompt + code : code;
  return options.calibrated ? hidden.code_prompt + '\n    pass\n' + solution : solution;
}

/** `v0.1.4`, `v0.1.0_hf` from an official file name. */
function versionFromName(file: string): string | undefined {
  return /v\d+\.\d+\.\d+(?:_hf)?/.exec(path.basename(file))?.[0];
}

/** Task ids from a list file: a JSON array, or one id per line ('#' comments); bare numbers mean BigCodeBench/N. */
export function parseIdList(text: string, file: string): string[] {
  let items: unknown[];
  const t = text.trim();
  if (t.startsWith('[')) {
    try {
      items = JSON.parse(t) as unknown[];
    } catch (e) {
      throw new Error(`${file}: not a JSON array (${(e as Error).message})`);
    }
  } else {
    items = t.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter((l) => l !== '');
  }
  return items.map((v, i) => {
    if (typeof v === 'number' && Number.isInteger(v)) return `BigCodeBench/${v}`;
    if (typeof v !== 'string' || v.trim() === '') throw new Error(`${file}: item ${i + 1} is not a task id`);
    return /^\d+$/.test(v.trim()) ? `BigCodeBench/${v.trim()}` : v.trim();
  });
}

function toProblem(r: Row): ProblemRecord {
  return {
    id: r.task_id,
    prompt: r.complete_prompt,
    public: {
      entry_point: r.entry_point,
      instruct_prompt: r.instruct_prompt,
      code_prompt: r.code_prompt,
      ...(r.libs !== undefined ? { libs: r.libs } : {}),
    },
    hidden: {
      test: r.test,
      canonical_solution: r.canonical_solution,
      code_prompt: r.code_prompt,
      complete_prompt: r.complete_prompt,
    },
  };
}

function makeBigCodeBench(subset: 'full' | 'hard'): PlanBenchmark<Options> {
  const name = subset === 'full' ? 'bigcodebench' : 'bigcodebench-hard';
  return {
    kind: 'plan',
    name,
    description:
      subset === 'full'
        ? 'BigCodeBench (1,140 tasks; complete and instruct prompts), graded with the bigcode-project/bigcodebench semantics'
        : 'BigCodeBench-Hard (148 tasks; complete and instruct prompts): the full file filtered by the hard task-id list, or the hard file itself',
    graderVersion: '3',
    options: OptionsSchema,

    async read(file, opts) {
      const buf = await readMaybeGzip(file);
      let rows = parseJsonl(buf.toString('utf8'), RowSchema, path.basename(file));
      let idsDigest = '';
      if (opts.ids !== undefined) {
        const idText = fs.readFileSync(opts.ids, 'utf8');
        const ids = parseIdList(idText, path.basename(opts.ids));
        const byId = new Map(rows.map((r) => [r.task_id, r]));
        const missing = ids.filter((id) => !byId.has(id));
        if (missing.length) throw new Error(`${path.basename(opts.ids)}: not in ${path.basename(file)}: ${missing.slice(0, 5).join(', ')}`);
        rows = [...new Set(ids)].map((id) => byId.get(id)!);
        idsDigest = sha256(idText).slice(0, 8);
      } else if (subset === 'hard' && !rows.every((r) => 'q_idx' in r)) {
        throw new Error(`${path.basename(file)} is not the hard-subset file (rows lack q_idx): pass the hard task-id list with --ids FILE`);
      }
      const base = versionFromName(file) ?? `sha-${sha256(buf).slice(0, 8)}`;
      const version = opts.version ?? (idsDigest ? `${base}+ids-${idsDigest}` : base);
      return { version, problems: rows.map(toProblem) };
    },

    // The official grader takes the sample's code as it is (its sanitizer runs at generation time).
    extract: (problem, completion, options) => ({
      code: extract(options.extractor, completion, { entryPoint: typeof problem.public.entry_point === 'string' ? problem.public.entry_point : 'task_func' }),
    }),

    plan(problem, { code }, options): RunPlan {
      const hidden = BigCodeBenchHiddenSchema.parse(problem.hidden);
      const nonce = crypto.randomBytes(16).toString('hex');
      const suiteS = options.timeout_s + 1;
      const spec = {
        nonce,
        code: bigcodebenchProgram(problem, code, options),
        test: hidden.test,
        timeout_s: suiteS,
        max_as_bytes: 30 * GiB,
        max_data_bytes: 30 * GiB,
        max_stack_bytes: 10 * 1024 * 1024,
        mode: options.mode,
      };
      return {
        profile: bigcodebenchProfile(options.memory_mb * 1024 * 1024),
        nonce,
        files: [
          // the child runs this file too: readable, but the judge's
          { path: RUNNER_FILE, content: runnerCode('bigcodebench', RUNNER_FILE), owner: 'judge' },
          { path: SPEC_FILE, content: JSON.stringify(spec), mode: 0o600, owner: 'judge' },
        ],
        steps: [
          {
            argv: ['python3', '-I', RUNNER_FILE, SPEC_FILE],
            pythonFork: true,
            // a judge that starts the program in a fresh interpreter as the candidate uid
            identity: 'judge',
            env: { PYTHONDONTWRITEBYTECODE: '1', TZ: 'UTC' },
            // the runner enforces the official limit; this is the backstop
            limits: { wallMs: Math.ceil((suiteS + 1) * 1000) + 20_000, captureBytes: 1 << 20, outputBytes: 16 << 20 },
          },
        ],
      };
    },

    outcome: (_problem, plan, results) => harnessOutcome(plan, results),

    entryPoint: (problem) => (typeof problem.public.entry_point === 'string' ? problem.public.entry_point : undefined),

    // What `--check_gt_only` runs: complete_prompt + "\n" + canonical_solution, as a whole program.
    canonical(problem) {
      const hidden = BigCodeBenchHiddenSchema.parse(problem.hidden);
      return { completion: hidden.complete_prompt + '\n' + hidden.canonical_solution };
    },
  };
}

export const bigcodebench = makeBigCodeBench('full');
export const bigcodebenchHard = makeBigCodeBench('hard');
