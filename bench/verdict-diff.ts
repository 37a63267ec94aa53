// Verdicts before and after a change, compared line by line (issue 17: "verdicts
// unchanged on the real-data suites"). Builds, from the real benchmark files in
// ../shared/benchmarks, a JSONL of completions per benchmark — each reference
// solution and mutants of it that fail in different ways (wrong value, raised
// exception, a forged exit, a hang on a few problems) — then grades the same
// file with `verdict regrade` (embedded service, own data dir) in two
// checkouts and compares status and reason of every line.
//
//   git worktree add /tmp/verdict-old <commit>    # node_modules: symlink this checkout's
//   npx tsx bench/verdict-diff.ts --old /tmp/verdict-old [--benchmarks humaneval,mbpp,livecodebench] [--limit N]
//
// Writes bench/results/verdict-diff-<date>.json.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readMaybeGzip } from '../src/benchmarks/files.js';
import { SOLUTIONS } from '../test/fixtures/codeforces/solutions.js';
import { writeLcbRows, type CodeContestsRow } from './official.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const SHARED = path.resolve(ROOT, '..', 'shared', 'benchmarks');
const { values } = parseArgs({
  options: {
    old: { type: 'string' },
    new: { type: 'string', default: ROOT },
    benchmarks: { type: 'string', default: 'humaneval,humaneval-plus,mbpp,mbpp-plus,bigcodebench' },
    limit: { type: 'string', default: '0' },
  },
});
if (!values.old) throw new Error('--old DIR: a checkout of the commit to compare with');
if (!fs.existsSync(SHARED)) {
  console.log(`skipped: ${SHARED} is absent (real benchmark files)`);
  process.exit(0);
}
const limit = Number(values.limit);

interface Source {
  /** under ../shared/benchmarks; or, with `convert`, the file converted from */
  file: string;
  /** writes the file to import (another benchmark's rows in this one's format) and returns its path */
  convert?: (rows: Array<Record<string, unknown>>, dir: string) => string;
  /** the completions to grade for a row, with their kinds (else the reference and its mutants) */
  completions?: (row: Record<string, unknown>, i: number) => Array<[string, string]>;
  /** (row) → problem id, reference completion */
  reference(row: Record<string, unknown>): { id: string; completion: string } | undefined;
  /** the completion as a whole program (MBPP, BigCodeBench) or a function body (HumanEval) */
  body: boolean;
}

const SOURCES: Record<string, Source> = {
  humaneval: { file: 'humaneval/HumanEval.jsonl.gz', body: true, reference: (r) => ({ id: String(r.task_id), completion: String(r.canonical_solution) }) },
  'humaneval-plus': { file: 'humaneval/HumanEvalPlus.jsonl.gz', body: true, reference: (r) => ({ id: String(r.task_id), completion: String(r.canonical_solution) }) },
  mbpp: {
    file: 'mbpp/mbpp.jsonl',
    body: false,
    reference: (r) => (Number(r.task_id) >= 11 && Number(r.task_id) <= 510 ? { id: String(r.task_id), completion: String(r.code) } : undefined),
  },
  'mbpp-plus': { file: 'mbpp/MbppPlus.jsonl.gz', body: false, reference: (r) => ({ id: String(r.task_id), completion: String(r.prompt ?? '') + String(r.canonical_solution) }) },
  bigcodebench: { file: 'bigcodebench/BigCodeBench-v0.1.4.jsonl.gz', body: false, reference: (r) => ({ id: String(r.task_id), completion: String(r.code_prompt) + String(r.canonical_solution) }) },
  // No LiveCodeBench file is held here: the CodeContests Codeforces rows (stdin
  // problems, real tests) written as LiveCodeBench rows; our own solutions
  // where test/fixtures/codeforces has one, else programs that fail.
  livecodebench: {
    file: 'codeforces/code-contests-test-codeforces.jsonl',
    body: false,
    reference: (r) => ({ id: `cc${String(r.index)}`, completion: '' }),
    convert: (rs, dir) => {
      const file = path.join(dir, 'livecodebench-from-codecontests.jsonl');
      const byId = new Map(rs.map((r) => [String(r.index), r as unknown as CodeContestsRow]));
      writeLcbRows(file, [...byId.keys()], byId);
      return file;
    },
    completions: (r, i) => lcbCompletions(String(r.index), i),
  },
};

/** LiveCodeBench completions (a fenced block, as a chat model answers) for CodeContests row `id`. */
function lcbCompletions(id: string, i: number): Array<[string, string]> {
  const fence = (code: string) => `Here it is:\n\`\`\`python\n${code}\n\`\`\`\n`;
  const ref = SOLUTIONS[id]?.python;
  const out: Array<[string, string]> = [
    ['echo', 'import sys\nprint(sys.stdin.read())'],
    ['raise', 'n = input()\nraise ValueError("mutant")'],
    ['forged-exit', 'import os\nprint("ok")\nos._exit(0)'],
    ['no-code', ''],
  ];
  if (ref) {
    out.push(
      ['reference', ref],
      ['extra-line', `${ref}\nprint(0)`],
      ['exit-after', `${ref}\nimport sys\nsys.exit(0)`],
      ['os-exit-after', `${ref}\nimport os, sys\nsys.stdout.flush()\nos._exit(0)`],
      ['raise-after', `${ref}\nraise RuntimeError("after")`],
    );
  }
  if (i % 40 === 0) out.push(['hang', 'while True:\n    pass']);
  return out.map(([k, c]) => [k, k === 'no-code' ? 'no code here' : fence(c)]);
}

async function rows(file: string): Promise<Array<Record<string, unknown>>> {
  return (await readMaybeGzip(path.join(SHARED, file)))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim())
    // EvalPlus files hold Python's JSON (Infinity, NaN) in inputs this bench never reads
    .map((l) => JSON.parse(l.replace(/(?<=[[,\s])-?(?:Infinity|NaN)(?=[\],\s])/g, 'null')) as Record<string, unknown>);
}

/** Mutants that fail in distinct ways; a body is indented as a function's. */
function mutants(completion: string, body: boolean, i: number): Array<[string, string]> {
  const ind = body ? '    ' : '';
  const out: Array<[string, string]> = [
    ['reference', completion],
    ['return-none', completion.replace(/\breturn\b(?!\s*$)/m, 'return None #')],
    ['raise', body ? `${ind}raise ValueError("mutant")\n` : completion.replace(/^(def [^\n]*:\r?\n)/m, '$1    raise ValueError("mutant")\n')],
    ['forged-exit', body ? `${ind}import os\n${ind}os._exit(0)\n` : `${completion}\nimport os\nos._exit(0)\n`],
  ];
  if (i % 40 === 0) out.push(['hang', body ? `${ind}while True:\n${ind}    pass\n` : `${completion}\nwhile True:\n    pass\n`]);
  return out;
}

function run(cwd: string, args: string[]): string {
  return execFileSync('npx', ['tsx', 'src/cli.ts', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, VERDICT_INSTANCE: `vdiff-${path.basename(cwd)}` } });
}

interface Line {
  status: string;
  reason: string | null;
}
function results(file: string): Line[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { seq?: number; line?: number; status: string; reason: string | null } & Record<string, unknown>)
    .sort((a, b) => Number(a.line ?? a.seq ?? 0) - Number(b.line ?? b.seq ?? 0))
    .map((r) => ({ status: r.status, reason: r.reason }));
}

const report: Record<string, unknown> = { bench: 'verdict-diff', date: new Date().toISOString(), old: values.old, new: values.new, loadavg_at_start: os.loadavg(), benchmarks: {} };
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-diff-'));
for (const name of values.benchmarks!.split(',')) {
  const src = SOURCES[name];
  if (!src) throw new Error(`no source for ${name}: ${Object.keys(SOURCES).join(', ')}`);
  const lines: string[] = [];
  const kinds: string[] = [];
  let n = 0;
  const all = await rows(src.file);
  const dataFile = src.convert ? src.convert(all, work) : path.join(SHARED, src.file);
  for (const row of all) {
    const ref = src.reference(row);
    if (!ref) continue;
    if (limit && n >= limit) break;
    for (const [kind, completion] of src.completions ? src.completions(row, n) : mutants(ref.completion, src.body, n)) {
      lines.push(JSON.stringify({ problem_id: ref.id, completion }));
      kinds.push(kind);
    }
    n++;
  }
  const input = path.join(work, `${name}.jsonl`);
  fs.writeFileSync(input, lines.join('\n') + '\n');
  const side: Record<string, Line[]> = {};
  const seconds: Record<string, number> = {};
  for (const [label, dir] of [['old', values.old!], ['new', values.new!]] as const) {
    const dataDir = path.join(work, `${label}-${name}-data`);
    run(dir, ['import', name, dataFile, '--data-dir', dataDir]);
    const out = path.join(work, `${label}-${name}.results.jsonl`);
    const t0 = performance.now();
    run(dir, ['regrade', input, '--benchmark', name, '--format', 'verdict', '--data-dir', dataDir, '--out', out, '--quiet']);
    seconds[label] = Math.round(performance.now() - t0) / 1000;
    side[label] = results(out);
    console.log(`${name} ${label}: ${side[label]!.length} verdicts in ${seconds[label]} s`);
  }
  const diffs: Array<Record<string, unknown>> = [];
  const tally: Record<string, Record<string, number>> = {};
  for (let i = 0; i < lines.length; i++) {
    const a = side.old![i];
    const b = side.new![i];
    const key = `${b?.status}${b?.reason ? '/' + b.reason : ''}`;
    (tally[kinds[i]!] ??= {})[key] = (tally[kinds[i]!]![key] ?? 0) + 1;
    if (!a || !b || a.status !== b.status || a.reason !== b.reason) diffs.push({ line: i + 1, kind: kinds[i], old: a, new: b, problem_id: (JSON.parse(lines[i]!) as { problem_id: string }).problem_id });
  }
  (report.benchmarks as Record<string, unknown>)[name] = { problems: n, lines: lines.length, seconds, same: lines.length - diffs.length, diffs: diffs.slice(0, 50), differing: diffs.length, new_by_kind: tally };
  console.log(`${name}: ${lines.length - diffs.length}/${lines.length} the same`, diffs.slice(0, 5));
}
fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
const outFile = path.join(ROOT, 'bench', 'results', `verdict-diff-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
fs.writeFileSync(outFile, JSON.stringify(report, null, 2));
console.log(`→ ${outFile}`);
