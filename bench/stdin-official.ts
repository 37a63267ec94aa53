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
//   npx tsx bench/stdin-official.ts --official /tmp/LiveCodeBench [--copies 8] [--clients 16] [--rounds 1] [--cpp-rounds 3] [--problems 12]
// Writes bench/results/stdin-official-<stamp>.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createApp } from '../src/app.js';
import { codeforces } from '../src/benchmarks/codeforces/benchmark.js';
import { livecodebench } from '../src/benchmarks/livecodebench/benchmark.js';
import { loadConfig } from '../src/config.js';
import { ProblemStore } from '../src/store/store.js';
import { SOLUTIONS } from '../test/fixtures/codeforces/solutions.js';
import { loadavg, pct, writeResult } from './lib.js';
import { bareCpp, isLcbCheckout, lcbOfficial, prepareCppPch, solvedCodeContests, writeLcbRows } from './official.js';

const { values } = parseArgs({
  options: {
    official: { type: 'string' },
    python: { type: 'string', default: '/usr/bin/python3' },
    copies: { type: 'string', default: '8' },
    clients: { type: 'string', default: '16' },
    'cpp-rounds': { type: 'string', default: '3' },
    rounds: { type: 'string', default: '1' },
    problems: { type: 'string', default: '12' },
    data: { type: 'string' },
  },
});
const officialDir = values.official && path.resolve(values.official);
if (!officialDir || !isLcbCheckout(officialDir)) {
  console.error('pass --official DIR (a checkout of LiveCodeBench/LiveCodeBench holding lcb_runner/evaluation/testing_util.py)');
  process.exit(2);
}
const copies = Number(values.copies);
const clients = Number(values.clients);
const cppRounds = Number(values['cpp-rounds']);
const rounds = Math.max(1, Number(values.rounds));
const dataFile = values.data ?? path.resolve(import.meta.dirname, '..', '..', 'shared', 'benchmarks', 'codeforces', 'code-contests-test-codeforces.jsonl');
if (!fs.existsSync(dataFile)) {
  console.error(`no CodeContests file at ${dataFile}`);
  process.exit(2);
}

const solved = solvedCodeContests(dataFile);
// --problems N: the first N only (a quick check of the bench itself)
const ids = solved.ids.slice(0, Number(values.problems));
const rows = solved.rows;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-stdin-official-'));

// The same problems in LiveCodeBench's row format.
const lcbFile = path.join(scratch, 'lcb.jsonl');
writeLcbRows(lcbFile, ids, rows);

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

// The official evaluator, and C++ as one host compile + every test run bare.
const lcbOff = lcbOfficial(officialDir, lcbFile, scratch, values.python);
const official = (workers: number) => lcbOff.evaluate(completions.map((c) => ({ qid: `cc${c.id}`, code: c.code })), workers);
const pchDir = prepareCppPch(scratch);
const bareCppRun = (id: string, pch: boolean) => bareCpp(SOLUTIONS[id]!.cpp, rows.get(id)!.tests, { scratch, ...(pch ? { pchDir } : {}) });

// warm up: containers of both images, the official side's imports, page cache
await grade('livecodebench', `cc${ids[0]}`, fence('python', SOLUTIONS[ids[0]!]!.python));
await grade('codeforces', ids[0]!, fence('cpp', SOLUTIONS[ids[0]!]!.cpp));

// --rounds N: the four runs N times, the order turned round every other
// round (drift in the machine's load hits both sides alike); medians reported.
const load_before = loadavg();
const runs = {
  verdict_grade: [] as Array<Awaited<ReturnType<typeof verdictGrade>>>,
  verdict_batch: [] as Array<Awaited<ReturnType<typeof verdictBatch>>>,
  official_12_workers: [] as Array<Awaited<ReturnType<typeof official>>>,
  official_2_workers: [] as Array<Awaited<ReturnType<typeof official>>>,
};
const steps: Array<[keyof typeof runs, () => Promise<{ per_s: number }>]> = [
  ['verdict_grade', verdictGrade],
  ['verdict_batch', verdictBatch],
  ['official_12_workers', () => official(12)],
  ['official_2_workers', () => official(2)],
];
for (let r = 0; r < rounds; r++) {
  for (const [name, fn] of r % 2 === 0 ? steps : [...steps].reverse()) {
    const x = await fn();
    (runs[name] as Array<{ per_s: number }>).push(x);
    console.log(`round ${r + 1}`, name, JSON.stringify(x));
  }
}
/** the run with the median throughput, and every round's */
function med<T extends { per_s: number }>(xs: T[]): T & { rounds_per_s: number[] } {
  const sorted = [...xs].sort((a, b) => a.per_s - b.per_s);
  return { ...sorted[Math.floor((sorted.length - 1) / 2)]!, rounds_per_s: xs.map((x) => x.per_s) };
}
const vGrade = med(runs.verdict_grade);
const vBatch = med(runs.verdict_batch);
const off12 = med(runs.official_12_workers);
const off2 = med(runs.official_2_workers);

const cpp: Array<Record<string, unknown>> = [];
for (const id of cppRounds > 0 ? ids : []) {
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
    const b = await bareCppRun(id, false);
    bare.push(b.ms);
    const bp = await bareCppRun(id, true);
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
    rounds,
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
  cpp_codeforces: cppRounds > 0 ? { rounds: cppRounds, problems: cpp, total_ratio: +(sum('verdict_ms_median') / sum('bare_ms_median')).toFixed(2), total_ratio_vs_pch: +(sum('verdict_ms_median') / sum('bare_pch_ms_median')).toFixed(2) } : 'not run (--cpp-rounds 0)',
  load_after: loadavg(),
  official: { source: 'github.com/LiveCodeBench/LiveCodeBench lcb_runner/evaluation evaluate_generations (timeout 6)', dir: officialDir, python: values.python },
  notes: 'Python: both sides grade the same completions against the same tests (CodeContests Codeforces rows written as LiveCodeBench rows). C++: verdict = HTTP + compile in the judge container + every test in the sandbox; bare = g++ with the judge flags on the host + every test run by spawnSync, one after another; bare_pch the same with <bits/stdc++.h> precompiled for those flags, as the judge image has it.',
};
writeResult('stdin-official', result);
await app.close();
fs.rmSync(scratch, { recursive: true, force: true });
