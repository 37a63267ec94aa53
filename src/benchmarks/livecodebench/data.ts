import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import readline from 'node:readline';
import path from 'node:path';
import zlib from 'node:zlib';
import { z } from 'zod';
import { sha256, streamMaybeGzip } from '../files.js';
import { unpickleString } from '../pickle-string.js';
import type { ImportResult, ReadOptions } from '../types.js';
import type { ProblemRecord } from '../../domain.js';

// livecodebench/code_generation_lite: test.jsonl (release_v1), test2.jsonl …
// test6.jsonl, one problem per line; tests are JSON text, private tests
// either JSON or base64 → zlib → pickle → JSON.

export const RELEASE_FILES = ['test.jsonl', 'test2.jsonl', 'test3.jsonl', 'test4.jsonl', 'test5.jsonl', 'test6.jsonl'];
const VS = ['v1', 'v2', 'v3', 'v4', 'v5', 'v6'];

/** The files of a release tag, as the (deleted) HF loading script mapped them. */
export function releaseFiles(tag: string): string[] | undefined {
  const m = /^release_v([1-6])$/.exec(tag);
  if (m) return RELEASE_FILES.slice(0, Number(m[1]));
  if (tag === 'release_latest') return RELEASE_FILES;
  const one = VS.indexOf(tag);
  if (one >= 0) return [RELEASE_FILES[one]!];
  const range = /^(v[1-6])_(v[1-6])$/.exec(tag);
  if (range) {
    const a = VS.indexOf(range[1]!);
    const b = VS.indexOf(range[2]!);
    if (a < b) return RELEASE_FILES.slice(a, b + 1);
  }
  return undefined;
}

const TestSchema = z.object({
  input: z.string(),
  output: z.string(),
  testtype: z.enum(['stdin', 'functional']),
});
export type LcbTest = z.infer<typeof TestSchema>;

export const RowSchema = z.object({
  question_title: z.string(),
  question_content: z.string(),
  platform: z.enum(['leetcode', 'codeforces', 'atcoder']),
  question_id: z.string().min(1),
  contest_id: z.string(),
  contest_date: z.string().regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/, 'an ISO date'),
  starter_code: z.string(),
  difficulty: z.enum(['easy', 'medium', 'hard']),
  public_test_cases: z.string(),
  private_test_cases: z.string(),
  metadata: z.string(),
});
export type LcbRow = z.infer<typeof RowSchema>;

/** What the store keeps: private tests as in the dataset (often compressed), decoded per use. */
export const LcbStoredSchema = z.object({
  public_tests: z.array(z.object({ input: z.string(), output: z.string() })),
  private_test_cases: z.string(),
  num_private: z.number().int().nonnegative(),
  fn_name: z.string().nullable(),
});

export interface LcbHidden {
  /** public then private, as get_evaluation_sample orders them */
  tests: Array<{ input: string; output: string }>;
  num_public: number;
  fn_name: string | null;
}

// Decoded tests live as long as the store keeps the parsed problem object.
const decoded = new WeakMap<object, LcbHidden>();

/** A problem's tests, decoded once per parsed problem record. */
export function lcbTests(problem: ProblemRecord): LcbHidden {
  const hit = decoded.get(problem.hidden);
  if (hit) return hit;
  const stored = LcbStoredSchema.parse(problem.hidden);
  const priv = decodePrivateTests(stored.private_test_cases);
  const out: LcbHidden = {
    tests: [...stored.public_tests, ...priv.map((t) => ({ input: t.input, output: t.output }))],
    num_public: stored.public_tests.length,
    fn_name: stored.fn_name,
  };
  decoded.set(problem.hidden, out);
  return out;
}

/** The private tests: JSON text, else base64 → zlib → pickled str → JSON (as code_generation.py). */
export function decodePrivateTests(field: string): LcbTest[] {
  let text: string;
  try {
    return parseTests(field);
  } catch {
    const packed = Buffer.from(field, 'base64');
    text = unpickleString(zlib.inflateSync(packed));
  }
  return parseTests(text);
}

function parseTests(text: string): LcbTest[] {
  return z.array(TestSchema).parse(JSON.parse(text));
}

// get_generic_question_template_answer (lcb_runner/prompts/code_generation.py)
const WITH_STARTER = 'You will use the following starter code to write the solution to the problem and enclose your code within delimiters.';
const WITHOUT_STARTER =
  'Read the inputs from stdin solve the problem and write the answer to stdout (do not directly test on the sample inputs). Enclose your code within delimiters as follows. Ensure that when the python program runs, it reads the inputs, runs the algorithm and writes output to STDOUT.';

export function officialPrompt(row: LcbRow): string {
  let p = `### Question:\n${row.question_content}\n\n`;
  if (row.starter_code) p += `### Format: ${WITH_STARTER}\n\`\`\`python\n${row.starter_code}\n\`\`\`\n\n`;
  else p += `### Format: ${WITHOUT_STARTER}\n\`\`\`python\n# YOUR CODE HERE\n\`\`\`\n\n`;
  return p + '### Answer: (use the provided format with backticks)\n\n';
}

/** contest_date as a comparable "YYYY-MM-DDTHH:MM:SS[.f]" (naive, as datetime.fromisoformat reads it). */
function dateKey(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?$/.exec(iso)!;
  const frac = m[5] && /[1-9]/.test(m[5]) ? m[5].replace(/0+$/, '') : '';
  return `${m[1]}T${m[2] ?? '00'}:${m[3] ?? '00'}:${m[4] ?? '00'}${frac}`;
}

/**
 * A release (a directory of test*.jsonl) or one file; the date window keeps
 * start <= contest_date <= end, both at midnight, as --start_date/--end_date.
 */
export async function readLiveCodeBench(p: string, opts: ReadOptions): Promise<ImportResult> {
  const stat = await fs.stat(p);
  let files: Array<{ name: string; file: string }>;
  let release = opts.release;
  if (stat.isDirectory()) {
    release ??= 'release_latest';
    const wanted = releaseFiles(release);
    if (!wanted) throw new Error(`release: unknown tag '${release}' (release_v1…release_v6, release_latest, v1…v6, v1_v3, …)`);
    const present = new Set(await fs.readdir(p));
    files = [];
    for (const f of wanted) {
      const name = present.has(f) ? f : present.has(`${f}.gz`) ? `${f}.gz` : undefined;
      if (name) files.push({ name: f, file: path.join(p, name) });
      else if (opts.release) throw new Error(`release ${release} needs ${f}, absent from ${p}`);
    }
    if (!files.length) throw new Error(`${p}: none of ${RELEASE_FILES.join(', ')} found`);
  } else {
    if (opts.release) throw new Error('release: give the directory holding test*.jsonl, not one file');
    files = [{ name: path.basename(p).replace(/\.gz$/, ''), file: p }];
    release = 'file';
  }
  for (const [field, d] of [['start-date', opts.startDate], ['end-date', opts.endDate]] as const) {
    if (d !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(d)) throw new Error(`${field}: expected YYYY-MM-DD, got '${d}'`);
  }
  const start = opts.startDate ? `${opts.startDate}T00:00:00` : undefined;
  const end = opts.endDate ? `${opts.endDate}T00:00:00` : undefined;

  const hashes: string[] = [];
  const problems: ProblemRecord[] = [];
  const seen = new Set<string>();
  for (const { name, file } of files) {
    // streamed: a release file is over a gigabyte, past V8's longest string
    const hash = crypto.createHash('sha256');
    let lineNo = 0;
    for await (const line of jsonlLines(file, hash)) {
      lineNo++;
      if (!line.trim()) continue;
      const where = `${name}:${lineNo}`;
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch (e) {
        throw new Error(`${where}: not JSON (${(e as Error).message})`);
      }
      const r = RowSchema.safeParse(raw);
      if (!r.success) {
        const issue = r.error.issues[0];
        throw new Error(`${where}: field ${issue?.path.join('.') || '(row)'}: ${issue?.message ?? 'invalid'}`);
      }
      const row = r.data;
      const key = dateKey(row.contest_date);
      if (start && key < start) continue;
      if (end && key > end) continue;
      if (seen.has(row.question_id)) throw new Error(`${where}: question_id ${row.question_id} repeats`);
      seen.add(row.question_id);
      problems.push(toProblem(row, name, where));
    }
    hashes.push(hash.digest('hex'));
  }
  const sha = sha256(hashes.join('\n'));
  const window = start || end ? `@${opts.startDate ?? ''}..${opts.endDate ?? ''}` : '';
  return { version: opts.version ?? `${release}${window}+${sha.slice(0, 8)}`, problems };
}

function toProblem(row: LcbRow, file: string, where: string): ProblemRecord {
  let pub: LcbTest[];
  let priv: LcbTest[];
  let metadata: Record<string, unknown>;
  try {
    pub = parseTests(row.public_test_cases);
  } catch (e) {
    throw new Error(`${where}: field public_test_cases: ${(e as Error).message}`);
  }
  try {
    priv = decodePrivateTests(row.private_test_cases);
  } catch (e) {
    throw new Error(`${where}: field private_test_cases: ${(e as Error).message}`);
  }
  try {
    metadata = z.record(z.string(), z.unknown()).parse(JSON.parse(row.metadata));
  } catch (e) {
    throw new Error(`${where}: field metadata: ${(e as Error).message}`);
  }
  const fn = typeof metadata.func_name === 'string' ? metadata.func_name : null;
  // decoded above to validate; kept as given so an import holds compressed tests only
  const hidden: z.infer<typeof LcbStoredSchema> = {
    public_tests: pub.map((t) => ({ input: t.input, output: t.output })),
    private_test_cases: row.private_test_cases,
    num_private: priv.length,
    fn_name: fn,
  };
  return {
    id: row.question_id,
    prompt: officialPrompt(row),
    public: {
      title: row.question_title,
      platform: row.platform,
      contest_id: row.contest_id,
      contest_date: row.contest_date,
      difficulty: row.difficulty,
      starter_code: row.starter_code,
      testtype: fn ? 'functional' : 'stdin',
      ...(fn ? { func_name: fn } : {}),
      release_file: file,
      public_tests: pub.map((t) => ({ input: t.input, output: t.output })),
      num_tests: pub.length + priv.length,
    },
    hidden,
  };
}

/** Lines of a (possibly gzipped) file, streamed; every byte read also feeds `hash`. */
async function* jsonlLines(file: string, hash: crypto.Hash): AsyncGenerator<string> {
  const input = await streamMaybeGzip(file);
  input.on('data', (d: Buffer) => hash.update(d));
  yield* readline.createInterface({ input, crlfDelay: Infinity });
}
