import fs from 'node:fs/promises';
import path from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { z } from 'zod';
import { reportOutcome } from '../../judge/outcome.js';
import type { JudgeLanguage, JudgeTask } from '../../judge/types.js';
import { parseJsonl, readMaybeGzip, sha256 } from '../files.js';
import type { JudgeBenchmark, Judging } from '../types.js';
import type { Outcome, ProblemRecord } from '../../domain.js';

// Codeforces with open-r1's semantics (open-r1/codeforces + the Piston
// "codeforces" package): last ```python / ```cpp block; official tests plus
// generated tests (generated_tests/test_cases_XXXX.parquet); wall-clock
// time_limit per test, memory_limit MB of address space; generated_checker
// (checker.py input expected output, pass iff it prints 1 or 100) or the
// normalised comparison; pass_fail, partial or weighted_sum scoring. Also
// reads CodeContests-style rows ({index, description, tests[{input, output}]}).

const TestSchema = z.object({ input: z.string(), output: z.string() });
type Test = z.infer<typeof TestSchema>;

const OpenR1RowSchema = z.looseObject({
  id: z.string().min(1),
  contest_id: z.union([z.number(), z.string()]).optional(),
  title: z.string().nullish(),
  description: z.string().nullish(),
  input_format: z.string().nullish(),
  output_format: z.string().nullish(),
  interaction_format: z.string().nullish(),
  note: z.string().nullish(),
  examples: z.array(TestSchema).nullish(),
  prompt: z.string().nullish(),
  time_limit: z.number().nullish(),
  memory_limit: z.number().nullish(),
  input_mode: z.enum(['stdio', 'file']).nullish(),
  official_tests: z.array(TestSchema).nullish(),
  official_tests_complete: z.boolean().nullish(),
  generated_checker: z.string().nullish(),
  executable: z.boolean().nullish(),
});

const DurationSchema = z.union([z.number(), z.object({ seconds: z.number().nullish(), nanos: z.number().nullish() })]);
const CodeContestsRowSchema = z.looseObject({
  index: z.union([z.number(), z.string()]),
  name: z.string().nullish(),
  description: z.string(),
  tests: z.array(TestSchema),
  time_limit: DurationSchema.nullish(),
  memory_limit: z.number().nullish(),
});

export const CodeforcesHiddenSchema = z.object({
  tests: z.array(TestSchema),
  checker: z.string().optional(),
  time_limit_s: z.number().positive(),
  memory_mb: z.number().positive(),
  input_mode: z.enum(['stdio', 'file']),
});
type Hidden = z.infer<typeof CodeforcesHiddenSchema>;

/** CodeContests rows carry no limits; Codeforces' most common ones. */
const DEFAULT_TIME_S = 2;
const DEFAULT_MEMORY_MB = 256;

const OptionsSchema = z
  .object({
    language: z.enum(['auto', 'python', 'cpp']).default('auto').describe('language of the ```{language} block to grade (open-r1 takes it from the prompt row); auto: the last python or cpp block'),
    scoring: z.enum(['pass_fail', 'partial', 'weighted_sum']).default('pass_fail').describe('pass_fail: 1 iff all tests pass; partial: fraction passed; weighted_sum: pass_fail + 0.1 × fraction (open-r1 GRPO)'),
    patch_code: z.boolean().default(false).describe("open-r1 patch_code: C++ gets <bits/stdc++.h> (and `using namespace std;` without std::), Python sys.set_int_max_str_digits(0)"),
    run_all: z.boolean().default(false).describe('run every test even after a failure (per-test report); implied by partial and weighted_sum'),
    time_limit_factor: z.number().positive().max(20).default(1).describe('multiplies the problem time limit (Python is often slow under C++ limits)'),
    no_compile_reward: z.number().min(-1).max(0).default(-0.1).describe('partial/weighted_sum reward for a compile error'),
    no_submission_reward: z.number().min(-1).max(0).default(-1).describe('partial/weighted_sum reward when there is no code block'),
  })
  .strict();
type Options = z.infer<typeof OptionsSchema>;

/** The last block and the language of its tag (the judge runs the code as that language). */
export interface CodeforcesExtraction {
  code: string;
  language: JudgeLanguage;
}

export const codeforces: JudgeBenchmark<Options, CodeforcesExtraction> = {
  kind: 'judge',
  name: 'codeforces',
  description: 'Codeforces (open-r1/codeforces schema, CodeContests-style tests), Python 3 and C++17, graded with open-r1/Piston semantics',
  graderVersion: '1',
  options: OptionsSchema,

  async read(file, opts) {
    const { rows, digest, testsDir } = await readRows(file);
    const problems: ProblemRecord[] = [];
    let skipped = 0;
    const generated = new GeneratedTests(testsDir);
    for (const row of rows) {
      const p = await toProblem(row, generated);
      if (p) problems.push(p);
      else skipped++;
    }
    if (skipped > 0) console.warn(`codeforces: ${skipped} problems skipped (interactive, not executable or without tests)`);
    return { version: opts.version ?? `1.0+${digest.slice(0, 8)}`, problems };
  },

  extract(_problem, completion, options) {
    return lastBlock(completion, options.language) ?? { code: '', language: options.language === 'auto' ? 'python3' : JUDGE_LANGUAGE[options.language] };
  },

  judge(problem, { code, language }, options): Judging {
    const scored = options.scoring !== 'pass_fail';
    if (!code.trim()) {
      const outcome: Outcome = { status: 'fail', reason: 'no_code', detail: 'no ```python or ```cpp block in the completion', tests: [], ...(scored ? { reward: options.no_submission_reward } : {}) };
      return { kind: 'decided', outcome };
    }
    const hidden = CodeforcesHiddenSchema.parse(problem.hidden);
    const source = options.patch_code ? patch(code, language) : code;
    const task: JudgeTask = {
      language,
      source,
      // Piston strips trailing \r from inputs and expected outputs
      cases: hidden.tests.map((t) => ({ input: stripCr(t.input), expected: stripCr(t.output) })),
      timeLimitMs: Math.round(hidden.time_limit_s * options.time_limit_factor * 1000),
      memoryMb: Math.max(16, Math.round(hidden.memory_mb)),
      comparator: hidden.checker ? { kind: 'checker', style: 'python', language: 'python3', source: hidden.checker, timeLimitMs: 10_000 } : { kind: 'openr1' },
      stopOnFirstFailure: !scored && !options.run_all,
      inputMode: hidden.input_mode,
      outputLimitBytes: 64 << 20,
      compileTimeLimitMs: 60_000,
    };
    return { kind: 'judge', task };
  },

  judgeOutcome(problem, report, options) {
    const total = CodeforcesHiddenSchema.parse(problem.hidden).tests.length;
    const passed = report.cases.filter((c) => c.verdict === 'AC').length;
    const allPass = report.verdict === 'AC' && passed === total ? 1 : 0;
    let reward: number | undefined;
    if (report.verdict === 'CE' && options.scoring !== 'pass_fail') reward = options.no_compile_reward;
    else if (options.scoring === 'partial') reward = passed / total;
    else if (options.scoring === 'weighted_sum') reward = allPass + 0.1 * (passed / total);
    return reportOutcome(report, reward === undefined ? {} : { reward });
  },
};

// ---------------------------------------------------------------- extraction

/** open-r1's block tags → the judge core's languages */
const JUDGE_LANGUAGE = { python: 'python3', cpp: 'cpp17' } as const satisfies Record<string, JudgeLanguage>;

/**
 * open-r1 extract_code: the last ```{language}\n…``` block; auto takes whichever comes last.
 * Found with indexOf, as /```python\n([\s\S]*?)```/g would: the regex rescans the
 * rest of the text from every unclosed opening (quadratic in the completion).
 */
export function lastBlock(completion: string, language: Options['language']): CodeforcesExtraction | undefined {
  let best: { at: number; code: string; language: JudgeLanguage } | undefined;
  for (const lang of ['python', 'cpp'] as const) {
    if (language !== 'auto' && language !== lang) continue;
    const open = '```' + lang + '\n';
    let pos = 0;
    for (;;) {
      const at = completion.indexOf(open, pos);
      if (at < 0) break;
      const end = completion.indexOf('```', at + open.length);
      // no closing fence after this opening: none after any later one either
      if (end < 0) break;
      if (!best || at > best.at) best = { at, code: completion.slice(at + open.length, end), language: JUDGE_LANGUAGE[lang] };
      pos = end + 3;
    }
  }
  return best && { code: best.code, language: best.language };
}

function patch(code: string, language: JudgeLanguage): string {
  if (language === 'cpp17') {
    const ns = code.includes('std::') ? '' : 'using namespace std;\n';
    return `#include <bits/stdc++.h>\n${ns}${code}`;
  }
  return `import sys\nsys.set_int_max_str_digits(0)\n${code}`;
}

/** Trailing \r of every line removed (/\r+$/gm without its quadratic rescans of \r runs). */
function stripCr(s: string): string {
  if (!s.includes('\r')) return s;
  return s
    .split('\n')
    .map((l) => {
      let e = l.length;
      while (e > 0 && l.charCodeAt(e - 1) === 13) e--;
      return e === l.length ? l : l.slice(0, e);
    })
    .join('\n');
}

// ---------------------------------------------------------------- reading

type Row = Record<string, unknown>;

async function readRows(file: string): Promise<{ rows: Row[]; digest: string; testsDir: string | undefined }> {
  const stat = await fs.stat(file);
  const files = stat.isDirectory() ? (await listData(file)).sort() : [file];
  if (files.length === 0) throw new Error(`${file}: no .jsonl or .parquet files`);
  const rows: Row[] = [];
  const digests: string[] = [];
  for (const f of files) {
    if (f.endsWith('.parquet')) {
      const objs = (await parquetReadObjects({ file: await asyncBufferFromFile(f), compressors })) as Row[];
      rows.push(...objs.map(normaliseParquet));
      digests.push(sha256(await fs.readFile(f)));
    } else {
      const buf = await readMaybeGzip(f);
      rows.push(...parseJsonl(buf.toString('utf8'), z.record(z.string(), z.unknown()), path.basename(f)));
      digests.push(sha256(buf));
    }
  }
  const base = stat.isDirectory() ? file : path.dirname(file);
  const candidates = [process.env.CF_TESTS_FOLDER, path.join(base, 'generated_tests'), path.join(base, '..', 'generated_tests')];
  let testsDir: string | undefined;
  for (const c of candidates) {
    if (c && (await fs.stat(c).catch(() => undefined))?.isDirectory()) {
      testsDir = c;
      break;
    }
  }
  return { rows, digest: sha256(digests.join('\n')), testsDir };
}

/** Data files under a dataset folder (open-r1: data/*.parquet), generated tests excluded. */
async function listData(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'generated_tests' && !e.name.startsWith('.')) out.push(...(await listData(p)));
    } else if (/\.(jsonl|jsonl\.gz|parquet)$/.test(e.name) && !/^test_cases_/.test(e.name)) {
      out.push(p);
    }
  }
  return out;
}

/** Parquet gives bigint for int64 columns; the schemas want numbers. */
function normaliseParquet(row: Row): Row {
  return JSON.parse(JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))) as Row;
}

/** generated_tests/test_cases_{contest:04d}.parquet, read once per contest. */
class GeneratedTests {
  private byContest = new Map<string, Map<string, Test[]>>();
  constructor(private readonly dir: string | undefined) {}

  async of(id: string, contest: string | number | undefined): Promise<Test[]> {
    if (!this.dir || contest === undefined) return [];
    const key = String(contest).padStart(4, '0');
    let m = this.byContest.get(key);
    if (!m) {
      m = new Map();
      const f = path.join(this.dir, `test_cases_${key}.parquet`);
      if (await fs.stat(f).catch(() => undefined)) {
        const rows = (await parquetReadObjects({ file: await asyncBufferFromFile(f), columns: ['problem_id', 'input', 'output'], compressors })) as Row[];
        for (const r of rows) {
          const pid = String(r.problem_id);
          let list = m.get(pid);
          if (!list) m.set(pid, (list = []));
          list.push({ input: String(r.input ?? ''), output: String(r.output ?? '') });
        }
      }
      this.byContest.set(key, m);
    }
    return m.get(id) ?? [];
  }
}

async function toProblem(row: Row, generated: GeneratedTests): Promise<ProblemRecord | undefined> {
  if ('official_tests' in row || 'generated_checker' in row) {
    const r = OpenR1RowSchema.parse(row);
    // interactive problems are not executable in open-r1 (no interactor in the data)
    if (r.executable === false || (r.interaction_format && r.interaction_format.trim())) return undefined;
    const tests = [...(r.official_tests ?? []), ...(await generated.of(r.id, r.contest_id ?? r.id.split('/')[0]))];
    if (tests.length === 0) return undefined;
    const hidden: Hidden = {
      tests,
      ...(r.generated_checker ? { checker: r.generated_checker } : {}),
      time_limit_s: r.time_limit ?? DEFAULT_TIME_S,
      memory_mb: r.memory_limit ?? DEFAULT_MEMORY_MB,
      input_mode: r.input_mode ?? 'stdio',
    };
    return {
      id: r.id,
      prompt: r.prompt ?? statement(r),
      public: { title: r.title ?? null, time_limit: hidden.time_limit_s, memory_limit: hidden.memory_mb, input_mode: hidden.input_mode, examples: r.examples ?? [] },
      hidden,
    };
  }
  const r = CodeContestsRowSchema.parse(row);
  if (r.tests.length === 0) return undefined;
  // The CodeContests export appends "Time Limit: {'seconds': 1, 'nanos': 0}" and
  // "Memory Limit: 256000000 Bytes" to the statement when the fields are gone.
  const tlText = /Time Limit: \{'seconds': (\d+), 'nanos': (\d+)\}/.exec(r.description);
  const memText = /Memory Limit: (\d+) Bytes/.exec(r.description);
  const tl =
    typeof r.time_limit === 'number' ? r.time_limit
    : r.time_limit ? (r.time_limit.seconds ?? 0) + (r.time_limit.nanos ?? 0) / 1e9
    : tlText ? Number(tlText[1]) + Number(tlText[2]) / 1e9
    : DEFAULT_TIME_S;
  const memBytes = r.memory_limit ?? (memText ? Number(memText[1]) : undefined);
  // bytes in CodeContests (256000000 = Codeforces' "256 megabytes"), MB elsewhere
  const memMb = memBytes ? (memBytes > 1 << 20 ? Math.round(memBytes / 1e6) : memBytes) : DEFAULT_MEMORY_MB;
  const hidden: Hidden = { tests: r.tests, time_limit_s: tl > 0 ? tl : DEFAULT_TIME_S, memory_mb: memMb, input_mode: 'stdio' };
  return {
    id: String(r.index),
    prompt: r.description,
    public: { title: r.name ?? null, time_limit: hidden.time_limit_s, memory_limit: hidden.memory_mb, input_mode: 'stdio' },
    hidden,
  };
}

function statement(r: z.infer<typeof OpenR1RowSchema>): string {
  const parts = [r.title ? `# ${r.title}` : '', r.description ?? '', r.input_format ? `## Input Format\n${r.input_format}` : '', r.output_format ? `## Output Format\n${r.output_format}` : ''];
  for (const [i, ex] of (r.examples ?? []).entries()) parts.push(`## Example ${i + 1}\nInput:\n${ex.input}\nOutput:\n${ex.output}`);
  if (r.note) parts.push(`## Note\n${r.note}`);
  return parts.filter(Boolean).join('\n\n');
}
