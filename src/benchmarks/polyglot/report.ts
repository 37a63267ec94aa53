import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { projectRoot } from '../../paths.js';
import { lex } from './guard.js';

// Python and JavaScript: the test framework runs in the same process as the
// solution, which can patch it (pytest's runtest, jest's expect) or end the
// process after printing a passing summary. There the verdict comes from a
// report that only trusted code can write: a wrapper (polyglot/run.py, a fork
// of the sandbox agent, so the code under test cannot read its memory) reads
// the per-run nonce from its stdin, runs the official command without it, and
// prints one line "verdict-report <nonce> <json>" with the exit status and the
// runner's structured report (jest's --json, written by jest's parent process
// while the tests run in a worker; pytest: records signed by a plugin whose key
// only an audit hook holds, verified by the wrapper). Every test the trusted
// test file defines must be there, by name, and have passed.

const DIR = path.join(projectRoot(), 'src', 'benchmarks', 'polyglot');
let sources: Record<string, string> | undefined;
/** the trusted files laid into the exercise under .verdict/ */
export function wrapperFiles(language: 'python' | 'javascript'): Record<string, string> {
  sources ??= Object.fromEntries(['run.py', 'jest-setup.js', 'verdict_pytest.py'].map((f) => [f, fs.readFileSync(path.join(DIR, f), 'utf8')]));
  const want = language === 'python' ? ['run.py', 'verdict_pytest.py'] : ['run.py', 'jest-setup.js'];
  return Object.fromEntries(want.map((f) => [`.verdict/${f}`, sources![f]!]));
}

const JestSummary = z.object({
  rc: z.number().int(),
  report: z.boolean(),
  success: z.boolean().optional(),
  failed: z.number().nullable().optional(),
  failed_suites: z.number().nullable().optional(),
  runtime_errors: z.number().nullable().optional(),
  total: z.number().nullable().optional(),
  tests: z.array(z.tuple([z.string(), z.string()])).optional(),
});
const PytestSummary = z.object({ rc: z.number().int(), records: z.array(z.string()), unsigned: z.number().int() });

export const REPORT_PREFIX = 'verdict-report ';

/** The wrapper's line for this run (the last one: anything earlier could be a copy), or undefined. */
export function wrapperReport(stdout: string, nonce: string): unknown {
  const marker = `${REPORT_PREFIX}${nonce} `;
  const at = stdout.lastIndexOf(marker);
  if (at < 0 || (at > 0 && stdout[at - 1] !== '\n')) return undefined;
  const end = stdout.indexOf('\n', at);
  try {
    return JSON.parse(stdout.slice(at + marker.length, end < 0 ? undefined : end));
  } catch {
    return undefined;
  }
}

export interface Evidence {
  /** the official command's exit status */
  rc: number;
  /** why the run does not prove a pass (undefined: it does) */
  missing?: string;
}

/** Test titles the spec gives as plain string literals: test('…'), it('…'), xtest('…'). */
export function jestTitles(spec: string): { titles: string[]; skips: boolean } {
  const t = lex(spec, 'go').filter((x) => x.kind !== 'nl'); // JS strings and comments lex like Go's (`…` raw)
  const titles: string[] = [];
  let skips = false;
  for (let i = 0; i < t.length; i++) {
    const w = t[i]!;
    if (w.kind !== 'id') continue;
    if (w.text === 'xit' || w.text === 'xdescribe' || ((w.text === 'skip' || w.text === 'todo') && t[i - 1]?.text === '.')) skips = true;
    if (['test', 'it', 'xtest', 'xit'].includes(w.text) && t[i - 1]?.text !== '.' && t[i + 1]?.text === '(' && t[i + 2]?.kind === 'str') {
      const s = t[i + 2]!.text;
      if (!s.includes('\\') && !s.includes('${')) titles.push(s);
    }
  }
  return { titles, skips };
}

export function jestEvidence(raw: unknown, specs: string[]): Evidence {
  const p = JestSummary.safeParse(raw);
  if (!p.success) return { rc: 1, missing: 'the test run left no report' };
  const s = p.data;
  if (s.rc !== 0) return { rc: s.rc };
  if (!s.report) return { rc: 0, missing: 'jest wrote no report' };
  if (!s.success || s.failed !== 0 || s.failed_suites !== 0 || s.runtime_errors !== 0 || !s.total) return { rc: 0, missing: "jest's report says not every test passed" };
  const tests = s.tests ?? [];
  const passed = new Set(tests.filter(([, st]) => st === 'passed').map(([t]) => t));
  let skips = false;
  for (const spec of specs) {
    const j = jestTitles(spec);
    skips ||= j.skips;
    const lost = j.titles.find((t) => !passed.has(t));
    if (lost !== undefined && !j.skips) return { rc: 0, missing: `the test '${lost.slice(0, 200)}' did not pass` };
  }
  // skipped tests pass officially, but only the spec may skip them
  const other = tests.find(([, st]) => st !== 'passed' && !(skips && ['pending', 'skipped', 'todo', 'disabled'].includes(st)));
  if (other) return { rc: 0, missing: `the test '${other[0].slice(0, 200)}' is ${other[1].slice(0, 20)}` };
  return { rc: 0 };
}

/** pytest node ids of the unittest/pytest tests a trusted test file defines. */
export function pytestIds(file: string, src: string): { ids: string[]; skips: boolean } {
  const ids: string[] = [];
  let cls: string | undefined;
  for (const line of src.split('\n')) {
    const l = line.length > 500 ? line.slice(0, 500) : line;
    const c = /^class\s+(\w+)/.exec(l);
    if (c) cls = c[1];
    else if (/^\S/.test(l)) cls = undefined;
    const top = /^def\s+(test\w*)\s*\(/.exec(l);
    if (top) ids.push(`${file}::${top[1]}`);
    const m = /^ {4}def\s+(test\w*)\s*\(/.exec(l);
    if (m && cls) ids.push(`${file}::${cls}::${m[1]}`);
  }
  return { ids, skips: /skip/i.test(src) };
}

export function pytestEvidence(raw: unknown, testFiles: Array<[string, string]>): Evidence {
  const p = PytestSummary.safeParse(raw);
  if (!p.success) return { rc: 1, missing: 'the test run left no report' };
  const s = p.data;
  const failed = s.rc === 0 ? 1 : s.rc;
  if (s.unsigned > 0) return { rc: failed, missing: `${s.unsigned} report lines were not written by the test runner` };
  const passed = new Set<string>();
  let finish: string | undefined;
  for (const rec of s.records) {
    const f = rec.split('\t');
    if (f[0] === 'tampered' || f[0] === 'forged') return { rc: failed, missing: `the test framework was tampered with (${(f[1] ?? '').slice(0, 200)})` };
    if (f[0] === 'finish') finish = f[1];
    if (f[0] === 'test' && f[3] === 'failed') return { rc: failed, missing: `the test ${(f[1] ?? '').slice(0, 200)} failed` };
    if (f[0] === 'test' && f[2] === 'call' && f[3] === 'passed') passed.add(f[1]!);
  }
  if (s.rc !== 0) return { rc: s.rc };
  if (finish !== '0') return { rc: 0, missing: finish === undefined ? 'pytest did not finish its session' : `pytest's session ended with status ${finish.slice(0, 10)}` };
  for (const [file, src] of testFiles) {
    const { ids, skips } = pytestIds(file, src);
    const lost = ids.find((id) => !passed.has(id));
    if (lost !== undefined && !skips) return { rc: 0, missing: `the test ${lost} did not pass` };
  }
  return { rc: 0 };
}
