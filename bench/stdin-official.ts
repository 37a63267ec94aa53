// Bench (issue 16 item 2): stdin problems, side by side in one run.
//
// Problems: the CodeContests Codeforces rows we hold our own solutions for
// (test/fixtures/codeforces/solutions.ts; real tests from
// ../shared/benchmarks/codeforces), 12 problems, 1 to 138 tests each.
//
// (1) Python, LiveCodeBench semantics: the rows are written in LiveCodeBench's
//     code_generation_lite format (first test public, the rest private) and
//     graded (a) by verdict's livecodebench benchmark over HTTP, /v1/grade
//     with --clients concurrent clients and one /v1/grade/batch, and (b) by
//     the official LiveCodeBench evaluator, evaluate_generations (its
//     ProcessPoolExecutor; a multiprocessing.Manager and Process per
//     generation; timeout 6) with 12 workers (its runner's default) and 2.
//     Each problem's solution is submitted --copies times (distinct
//     completions: a comment differs), so every one runs; the result cache is off.
// (2) C++, Codeforces semantics: verdict's codeforces benchmark, one grade at
//     a time, against the bare minimum on the host: one `g++` of the same flags,
//     then every test run once and its output compared.
//
// The official evaluator is not part of this repository: pass a checkout of
// github.com/LiveCodeBench/LiveCodeBench (--official DIR). It needs numpy and
// tqdm: on Debian `apt-get install python3-numpy python3-tqdm` for /usr/bin/python3.
//
//   npx tsx bench/stdin-official.ts --official /tmp/LiveCodeBench [--copies 8] [--clients 16] [--cpp-rounds 3]
// Writes bench/results/stdin-official-<stamp>.json.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createApp } from '../src/app.js';
import { codeforces } from '../src/benchmarks/codeforces.js';
import { livecodebench } from '../src/benchmarks/livecodebench.js';
import { loadConfig } from '../src/config.js';
import { ProblemStore } from '../src/store/store.js';
import { SOLUTIONS } from '../test/fixtures/codeforces/solutions.js';
import { loadavg, pct, runPythonJson, writeResult } from './lib.js';

const { values } = parseArgs({
  options: {
    official: { type: 'string' },
    python: { type: 'string', default: '/usr/bin/python3' },
    copies: { type: 'string', default: '8' },
    clients: { type: 'string', default: '16' },
    'cpp-rounds': { type: 'string', default: '3' },
    data: { type: 'string' },
  },
});
const officialDir = values.official && path.resolve(values.official);
if (!officialDir || !fs.existsSync(path.join(officialDir, 'lcb_runner', 'evaluation', 'testing_util.py'))) {
  console.error('pass --official DIR (a checkout of LiveCodeBench/LiveCodeBench holding lcb_runner/evaluation/testing_util.py)');
  process.exit(2);
}
const copies = Number(values.copies);
const clients = Number(values.clients);
const cppRounds = Number(values['cpp-rounds']);
const dataFile = values.data ?? path.resolve(import.meta.dirname, '..', '..', 'shared', 'benchmarks', 'codeforces', 'code-contests-test-codeforces.jsonl');
if (!fs.existsSync(dataFile)) {
  console.error(`no CodeContests file at ${dataFile}`);
  process.exit(2);
}

type Test = { input: string; output: string };
const rows = new Map<string, { description: string; tests: Test[] }>();
for (const line of fs.readFileSync(dataFile, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const r = JSON.parse(line) as { index: number | string; description: string; tests: Test[] };
  if (SOLUTIONS[String(r.index)]) rows.set(String(r.index), r);
}
const ids = Object.keys(SOLUTIONS).filter((id) => rows.has(id));
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-stdin-official-'));

// The same problems in LiveCodeBench's row format (private tests as plain JSON text, which its loader also reads).
const lcbFile = path.join(scratch, 'lcb.jsonl');
fs.writeFileSync(
  lcbFile,
  ids
    .map((id, k) => {
      const tests = rows.get(id)!.tests.map((t) => ({ input: t.input, output: t.output, testtype: 'stdin' }));
      return JSON.stringify({
        question_title: `cc-${id}`,
        question_content: rows.get(id)!.description.slice(0, 2000),
        platform: 'codeforces',
        question_id: `cc${id}`,
        contest_id: `cc${id}`,
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

const completions = ids.flatMap((id) => Array.from({ length: copies }, (_, c) => ({ id, code: `${SOLUTIONS[id]!.python}\n# copy ${c}\n` })));

const dataDir = path.join(scratch, 'data');
const config = loadConfig(process.env, { dataDir, port: 0, cacheEntries: 0, instance: process.env.VERDICT_TEST_PREFIX ? `${process.env.VERDICT_TEST_PREFIX}bench-stdin` : 'bench-stdin' });
// imported before start-up: the service warms the pools of the benchmarks it serves
const store = new ProblemStore(dataDir);
const lcb = await livecodebench.read(lcbFile, {});
store.importVersion({ name: 'livecodebench', version: 'bench', source: lcbFile, sha256: '-' }, lcb.problems);
const cf = await codeforces.read(dataFile, {});
store.importVersion({ name: 'codeforces', version: 'bench', source: dataFile, sha256: '-' }, cf.problems.filter((p) => ids.includes(p.id)));
store.close();
const app = await createApp(config, { log: pino({ level: 'warn' }) });
const address = await app.server.listen({ host: '127.0.0.1', port: 0 });

const fence = (lang: string, code: string) => '```' + lang + '\n' + code + '\n```';

async function grade(benchmark: string, problem_id: string, completion: string): Promise<{ ms: number; status: string; detail?: string }> {
  const t = performance.now();
  const res = await fetch(`${address}/v1/grade`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ benchmark, problem_id, completion, options: { version: 'bench' } }),
  });
  const v = (await res.json()) as { status: string; detail?: string };
  return { ms: performance.now() - t, status: v.status, ...(v.detail ? { detail: v.detail } : {}) };
}

async function verdictGrade() {
  const out: Array<{ ms: number; status: string }> = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < completions.length) {
        const c = completions[next++]!;
        out.push(await grade('livecodebench', `cc${c.id}`, fence('python', c.code)));
      }
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  return { passed: out.filter((r) => r.status === 'pass').length, n: out.length, wall_s: +wall.toFixed(2), per_s: +(out.length / wall).toFixed(2), p50_ms: +pct(out.map((r) => r.ms), 0.5).toFixed(0), p99_ms: +pct(out.map((r) => r.ms), 0.99).toFixed(0) };
}

async function verdictBatch() {
  const t0 = performance.now();
  const res = await fetch(`${address}/v1/grade/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ benchmark: 'livecodebench', format: 'json', options: { version: 'bench' }, items: completions.map((c) => ({ problem_id: `cc${c.id}`, completion: fence('python', c.code) })) }),
  });
  const body = (await res.json()) as { results: Array<{ status: string }> };
  const wall = (performance.now() - t0) / 1000;
  return { passed: body.results.filter((r) => r.status === 'pass').length, n: body.results.length, wall_s: +wall.toFixed(2), per_s: +(body.results.length / wall).toFixed(2) };
}

// The official evaluator, imported without lcb_runner/evaluation/__init__.py
// (which pulls in the other scenarios' modules and their dependencies).
const OFFICIAL_PY = `
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
const gensFile = path.join(scratch, 'gens.json');
fs.writeFileSync(gensFile, JSON.stringify(completions.map((c) => ({ qid: `cc${c.id}`, code: c.code }))));
const official = (workers: number) =>
  runPythonJson<{ passed: number; n: number; wall_s: number; per_s: number }>(values.python!, OFFICIAL_PY, [officialDir!, lcbFile, gensFile, String(workers)], scratch);

// C++: verdict's codeforces grade vs one host compile + every test run bare.
const JUDGE_FLAGS = ['-DONLINE_JUDGE', '-O2', '-std=c++17', '-pipe', '-s'];
// As the judge image does: <bits/stdc++.h> precompiled for these flags, found first on the include path.
const pchDir = path.join(scratch, 'pch');
fs.mkdirSync(path.join(pchDir, 'bits'), { recursive: true });
const pre = execFileSync('g++', ['-std=c++17', '-x', 'c++', '-E', '-'], { input: '#include <bits/stdc++.h>\n', encoding: 'utf8', maxBuffer: 256 << 20 });
const header = /^# \d+ "([^"]*\/bits\/stdc\+\+\.h)"/m.exec(pre)?.[1];
if (!header) throw new Error('no <bits/stdc++.h> on this host');
execFileSync('g++', ['-O2', '-std=c++17', '-x', 'c++-header', header, '-o', path.join(pchDir, 'bits', 'stdc++.h.gch')]);
function bareCpp(id: string, pch: boolean): { ms: number; ok: boolean; tests: number } {
  const dir = fs.mkdtempSync(path.join(scratch, 'cpp-'));
  fs.writeFileSync(path.join(dir, 'main.cpp'), SOLUTIONS[id]!.cpp);
  const t = performance.now();
  execFileSync('g++', [...JUDGE_FLAGS, ...(pch ? ['-I', pchDir] : []), '-o', 'main', 'main.cpp'], { cwd: dir });
  let ok = true;
  const tests = rows.get(id)!.tests;
  for (const tc of tests) {
    const r = spawnSync(path.join(dir, 'main'), { input: tc.input, cwd: dir, maxBuffer: 64 << 20 });
    const got = r.stdout.toString().trim().split(/\s+/).join(' ');
    if (got !== tc.output.trim().split(/\s+/).join(' ')) ok = false;
  }
  const ms = performance.now() - t;
  fs.rmSync(dir, { recursive: true, force: true });
  return { ms, ok, tests: tests.length };
}

// warm up: containers of both images, the official side's imports, page cache
await grade('livecodebench', `cc${ids[0]}`, fence('python', SOLUTIONS[ids[0]!]!.python));
await grade('codeforces', ids[0]!, fence('cpp', SOLUTIONS[ids[0]!]!.cpp));

const load_before = loadavg();
const vGrade = await verdictGrade();
console.log('verdict /v1/grade', JSON.stringify(vGrade));
const vBatch = await verdictBatch();
console.log('verdict /v1/grade/batch', JSON.stringify(vBatch));
const off12 = await official(12);
console.log('official 12 workers', JSON.stringify(off12));
const off2 = await official(2);
console.log('official 2 workers', JSON.stringify(off2));

const cpp: Array<Record<string, unknown>> = [];
for (const id of ids) {
  const service: number[] = [];
  const bare: number[] = [];
  const barePch: number[] = [];
  let status = '';
  let bareOk = true;
  for (let r = 0; r < cppRounds; r++) {
    // a distinct program each round: no compile cache between rounds
    const v = await grade('codeforces', id, fence('cpp', `${SOLUTIONS[id]!.cpp}\n// round ${r}\n`));
    service.push(v.ms);
    status = v.status;
    const b = bareCpp(id, false);
    bare.push(b.ms);
    const bp = bareCpp(id, true);
    barePch.push(bp.ms);
    bareOk &&= b.ok && bp.ok;
  }
  const row = { id, tests: rows.get(id)!.tests.length, status, bare_ok: bareOk, verdict_ms_median: +pct(service, 0.5).toFixed(0), bare_ms_median: +pct(bare, 0.5).toFixed(0), bare_pch_ms_median: +pct(barePch, 0.5).toFixed(0), ratio: +(pct(service, 0.5) / pct(bare, 0.5)).toFixed(2), ratio_vs_pch: +(pct(service, 0.5) / pct(barePch, 0.5)).toFixed(2) };
  console.log('cpp', JSON.stringify(row));
  cpp.push(row);
}
const sum = (k: 'verdict_ms_median' | 'bare_ms_median' | 'bare_pch_ms_median') => cpp.reduce((s, r) => s + (r[k] as number), 0);

const result = {
  bench: 'stdin-official',
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, mem_gb: Math.round(os.totalmem() / 2 ** 30) },
  service: { concurrency: config.concurrency, warm: config.warm, runtime: config.runtime, clients, cache: 'off' },
  load_before,
  python_livecodebench: {
    problems: ids.length,
    completions: completions.length,
    tests_per_completion: +(ids.reduce((s, id) => s + rows.get(id)!.tests.length, 0) / ids.length).toFixed(1),
    verdict_grade: vGrade,
    verdict_batch: vBatch,
    official_12_workers: off12,
    official_2_workers: off2,
    ratio_grade_vs_official12: +(vGrade.per_s / off12.per_s).toFixed(2),
    ratio_batch_vs_official12: +(vBatch.per_s / off12.per_s).toFixed(2),
    ratio_grade_vs_official2: +(vGrade.per_s / off2.per_s).toFixed(2),
    ratio_batch_vs_official2: +(vBatch.per_s / off2.per_s).toFixed(2),
  },
  cpp_codeforces: { rounds: cppRounds, problems: cpp, total_ratio: +(sum('verdict_ms_median') / sum('bare_ms_median')).toFixed(2), total_ratio_vs_pch: +(sum('verdict_ms_median') / sum('bare_pch_ms_median')).toFixed(2) },
  load_after: loadavg(),
  official: { source: 'github.com/LiveCodeBench/LiveCodeBench lcb_runner/evaluation evaluate_generations (timeout 6)', dir: officialDir, python: values.python },
  notes: 'Python: both sides grade the same completions against the same tests (CodeContests Codeforces rows written as LiveCodeBench rows). C++: verdict = HTTP + compile in the judge container + every test in the sandbox; bare = g++ with the judge flags on the host + every test run by spawnSync, one after another; bare_pch the same with <bits/stdc++.h> precompiled for those flags, as the judge image has it.',
};
writeResult('stdin-official', result);
await app.close();
fs.rmSync(scratch, { recursive: true, force: true });
