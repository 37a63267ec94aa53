import path from 'node:path';
import { z } from 'zod';
import { extract, extractorOption, type ExtractorName } from '../../extract/extractors.js';
import { parseJsonl, readMaybeGzip, sha256 } from '../files.js';
import { harnessBackstopMs, harnessOutcome, harnessPlan, pythonProfile } from '../python-harness/harness.js';
import { RawJson, parsePythonJson, rawField } from '../raw-json.js';
import type { PlanBenchmark } from '../types.js';
import type { ProblemRecord } from '../../domain.js';

// EvalPlus (HumanEval+, MBPP+): differential testing of the candidate against
// the canonical solution's outputs on base then plus inputs. Reference outputs
// and timings come from a one-off calibration run per problem (as EvalPlus
// caches them), stored beside the problem.

const RowSchema = z.object({
  task_id: z.string().min(1),
  prompt: z.string(),
  entry_point: z.string().min(1),
  canonical_solution: z.string(),
  test: z.string().optional(),
  base_input: z.array(z.array(z.unknown())),
  // MBPP+ v0.2.0 Mbpp/793 ships plus_input {} (EvalPlus iterates it as no inputs)
  plus_input: z.union([z.array(z.array(z.unknown())), z.object({}).strict()]),
  atol: z.union([z.number(), z.string()]).optional(),
});

const HiddenSchema = z.union([
  z.object({
    entry_point: z.string(),
    canonical_solution: z.string(),
    /** JSON text, exactly as in the dataset (see raw-json.ts) */
    base_input: z.string(),
    plus_input: z.string(),
    atol: z.number(),
  }),
  z.object({
    entry_point: z.string(),
    canonical_solution: z.string(),
    /** the dataset row as JSON text; Python parses it (MBPP+ inputs hold NaN and Infinity) */
    task_json: z.string(),
    atol: z.number(),
  }),
]);

/** EvalPlus per-input limit = max(min_time_limit, factor × reference time); defaults changed by release. */
export const TIME_PRESETS = {
  'evalplus-0.2': { min: 0.1, factor: 2.0 },
  'evalplus-0.3': { min: 1.0, factor: 4.0 },
  'evalplus-master': { min: 4.0, factor: 4.0 },
} as const;

const optionsSchema = (defaultExtractor: ExtractorName) =>
  z
    .object({
      extractor: extractorOption(defaultExtractor),
      time_preset: z
        .enum(['evalplus-0.2', 'evalplus-0.3', 'evalplus-master'])
        .default('evalplus-master')
        .describe('EvalPlus release whose time-limit defaults apply'),
      min_time_limit_s: z.number().positive().max(60).optional(),
      gt_time_limit_factor: z.number().positive().max(100).optional(),
      base_only: z.boolean().default(false).describe('grade on base inputs only (the original HumanEval inputs)'),
      memory_mb: z.number().int().min(256).max(16384).default(6144),
    })
    .strict();
type Options = z.infer<ReturnType<typeof optionsSchema>>;

const CalibrationSchema = z.object({
  /** reference outputs per group: JSON text in the harness's value codec */
  outputs: z.record(z.string(), z.string()),
  times: z.record(z.string(), z.array(z.number())),
});
type Calibration = z.infer<typeof CalibrationSchema>;

const GROUPS = ['base', 'plus'] as const;
/** EvalPlus's `EVALPLUS_MAX_MEMORY_BYTES` default: 4 GiB of address space per candidate. */
const CANDIDATE_AS_BYTES = 4 * 1024 ** 3;
const CALIBRATION_WALL_MS = 600_000;
/** Reference outputs reach 150 MB on a few tasks (HumanEval/15): scratch space and capture must hold them. */
function plusProfile(memoryMb: number) {
  return { ...pythonProfile(memoryMb * 1024 * 1024), workBytes: 1024 ** 3 };
}

function hidden(problem: ProblemRecord) {
  return HiddenSchema.parse(problem.hidden);
}

/** A harness group's inputs: stored JSON text, or (with task_json) taken by the harness from the row. */
function groupInputs(problem: ProblemRecord, group: (typeof GROUPS)[number]): { inputs?: RawJson } {
  const h = hidden(problem);
  if ('task_json' in h) return {};
  return { inputs: new RawJson(group === 'base' ? h.base_input : h.plus_input) };
}

function taskJson(problem: ProblemRecord): { task_json?: string } {
  const h = hidden(problem);
  return 'task_json' in h ? { task_json: h.task_json } : {};
}

export interface EvalPlusDataset {
  name: string;
  description: string;
  /** the harness's dataset switch: per-task input deserialisation and oracles */
  dataset: 'humaneval' | 'mbpp';
  /** release name when the file name carries none */
  versionOf(rows: number): string | undefined;
  /** keep the raw row for the harness instead of re-serialised input fields */
  rawRows: boolean;
}

/**
 * The `outputs` field of an `expected` line as JSON text, sliced rather than
 * parsed: it may be huge, and its numbers must stay as Python wrote them. In
 * JSON text `,"times_s":` cannot occur inside a value (quotes in strings are
 * escaped and the codec has no such key), so its last occurrence ends the field.
 */
function outputsText(line: string): string {
  const start = line.indexOf('"outputs":');
  const end = line.lastIndexOf(',"times_s":');
  if (start < 0 || end < start) throw new Error('malformed expected line from the harness');
  return line.slice(start + '"outputs":'.length, end);
}

export const evalplusBenchmark = (ds: EvalPlusDataset): PlanBenchmark<Options, Calibration> => ({
  kind: 'plan',
  name: ds.name,
  description: ds.description,
  graderVersion: '1',
  // HumanEval+ prompts end in an open function; MBPP+ prompts are a docstring a base model follows with `def`
  options: optionsSchema(ds.dataset === 'humaneval' ? 'continuation-or-chat@1' : 'fenced-or-raw@1'),

  async read(file, opts) {
    const buf = await readMaybeGzip(file);
    const text = buf.toString('utf8');
    const lines = text.split('\n').filter((l) => l.trim());
    const rows = parseJsonl(text, RowSchema, path.basename(file), parsePythonJson);
    const fromName = /-(v\d+\.\d+\.\d+)/.exec(path.basename(file))?.[1] ?? ds.versionOf(rows.length);
    const mini = /mini/i.test(path.basename(file)) ? '-mini' : '';
    const version = opts.version ?? (fromName ? fromName + mini : `unversioned${mini}+${sha256(buf).slice(0, 8)}`);
    const problems: ProblemRecord[] = rows.map((r, i) => ({
      id: r.task_id,
      prompt: r.prompt,
      public: { entry_point: r.entry_point },
      hidden: ds.rawRows
        ? { entry_point: r.entry_point, canonical_solution: r.canonical_solution, task_json: lines[i]!, atol: Number(r.atol ?? 0) }
        : {
            entry_point: r.entry_point,
            canonical_solution: r.canonical_solution,
            base_input: rawField(lines[i]!, 'base_input'),
            plus_input: rawField(lines[i]!, 'plus_input'),
            atol: Number(r.atol ?? 0),
          },
    }));
    return { version, problems };
  },

  // EvalPlus grades `prompt + completion` when given a completion (`raw@1`);
  // the default also reads a chat reply (EvalPlus's codegen sanitizes those).
  extract: (problem, completion, options) => ({
    code: problem.prompt + extract(options.extractor, completion, { entryPoint: hidden(problem).entry_point }),
  }),

  calibration: {
    key: () => 'expected-v2',
    plan(problem) {
      const h = hidden(problem);
      return harnessPlan(
        plusProfile(8192),
        {
          mode: 'evalplus-expected',
          dataset: ds.dataset,
          task_id: problem.id,
          solution: problem.prompt + h.canonical_solution,
          entry_point: h.entry_point,
          ...taskJson(problem),
          groups: GROUPS.map((g) => ({ name: g, ...groupInputs(problem, g) })),
        },
        { wallMs: CALIBRATION_WALL_MS, captureBytes: 1024 ** 3 },
      );
    },
    parse(_problem, results, plan) {
      const r = results[0];
      const outputs: Record<string, string> = {};
      const times: Record<string, number[]> = {};
      const Expected = z.object({ event: z.literal('expected'), nonce: z.literal(plan.nonce!), group: z.string(), times_s: z.array(z.number()) });
      for (const line of (r?.stdout ?? Buffer.alloc(0)).toString('utf8').split('\n')) {
        if (!line.startsWith('{"event":"expected"')) continue;
        // the outputs can be 150 MB: parse only what follows them
        const tail = line.lastIndexOf(',"times_s":');
        const e = Expected.safeParse({ event: 'expected', ...(JSON.parse('{' + line.slice(tail + 1)) as object), group: /"group":"([^"]+)"/.exec(line)?.[1] });
        if (!e.success) continue;
        outputs[e.data.group] = outputsText(line);
        times[e.data.group] = e.data.times_s;
      }
      for (const g of GROUPS) {
        if (!outputs[g]) {
          const why = r ? (r.stdout.toString('utf8').split('\n').find((l) => l.includes('"result"')) ?? r.stderr.toString('utf8')).slice(-500) : 'no result';
          throw new Error(`calibration produced no reference outputs for group ${g}: ${why}`);
        }
      }
      return CalibrationSchema.parse({ outputs, times });
    },
  },

  plan(problem, { code }, options, calibration) {
    if (!calibration) throw new Error('humaneval-plus needs calibration data');
    const h = hidden(problem);
    const preset = TIME_PRESETS[options.time_preset];
    const min = options.min_time_limit_s ?? preset.min;
    const factor = options.gt_time_limit_factor ?? preset.factor;
    const groups = (options.base_only ? GROUPS.slice(0, 1) : GROUPS).map((g) => {
      const limits = (calibration.times[g] ?? []).map((t) => Math.max(min, factor * t));
      return { name: g, ...groupInputs(problem, g), expected: new RawJson(calibration.outputs[g] ?? '[]'), time_limits_s: limits };
    });
    // EvalPlus gives each group's process min(60, Σ limits) + 1 s.
    const wallS = groups.reduce((s, g) => s + Math.min(60, g.time_limits_s.reduce((a, b) => a + b, 0)) + 1, 0);
    return harnessPlan(
      plusProfile(options.memory_mb),
      {
        mode: 'evalplus',
        dataset: ds.dataset,
        task_id: problem.id,
        ...taskJson(problem),
        solution: code,
        entry_point: h.entry_point,
        atol: h.atol,
        groups,
        stop_on_fail: true,
        memory_limit_bytes: CANDIDATE_AS_BYTES,
        group_timeouts_s: groups.map((g) => Math.min(60, g.time_limits_s.reduce((a, b) => a + b, 0)) + 1),
      },
      { wallMs: harnessBackstopMs(wallS), captureBytes: 8 << 20, outputBytes: 64 << 20 },
    );
  },

  outcome: (_problem, plan, results) => harnessOutcome(plan, results),

  canonical: (problem) => ({ completion: hidden(problem).canonical_solution }),

  entryPoint: (problem) => (typeof problem.public.entry_point === 'string' ? problem.public.entry_point : undefined),
});
