// Bench: the 164 HumanEval canonical solutions, side by side in one run:
//   (a) verdict over HTTP /v1/grade, `--clients` concurrent clients (16)
//   (b) verdict over HTTP /v1/grade/batch, one request of all 164
//   (c) the official openai/human-eval check_correctness in its own
//       ThreadPoolExecutor (unsandboxed), with 2 and 4 workers (4 is the
//       default n_workers of its evaluate_functional_correctness)
// then single grades one at a time: verdict's added latency over the
// program's own run (the official check on one thread, same program).
// The result cache is off, so every grade runs.
//
// The official harness is not part of this repository: pass a directory
// holding its `human_eval` package (a checkout of github.com/openai/human-eval
// outside the project, e.g. from `git --git-dir=<mirror> archive HEAD | tar -x`).
//
//   npx tsx bench/humaneval-official.ts --official /tmp/human-eval [--clients 16] [--rounds 1] [--problems 164]
// Writes bench/results/humaneval-official-<stamp>.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createApp } from '../src/app.js';
import { humaneval } from '../src/benchmarks/humaneval/benchmark.js';
import { loadConfig } from '../src/config.js';
import { ProblemStore } from '../src/store/store.js';
import { loadavg, pct, writeResult } from './lib.js';
import { humanevalOfficial, isHumanEvalCheckout } from './official.js';

const { values } = parseArgs({
  options: {
    official: { type: 'string' },
    clients: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '1' },
    single: { type: 'string', default: '164' },
    problems: { type: 'string', default: '164' },
    data: { type: 'string' },
    label: { type: 'string', default: '' },
  },
});
if (!values.official || !isHumanEvalCheckout(values.official)) {
  console.error('pass --official DIR (a checkout of openai/human-eval holding human_eval/execution.py)');
  process.exit(2);
}
const officialDir = path.resolve(values.official);
const clients = Number(values.clients);
const rounds = Number(values.rounds);
const file = values.data ?? path.resolve(import.meta.dirname, '..', '..', 'shared', 'benchmarks', 'humaneval', 'HumanEval.jsonl.gz');

// --problems N: the first N only (a quick check of the bench itself)
const problems = (await humaneval.read(file, {})).problems.slice(0, Number(values.problems));
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-bench-'));
// service defaults (concurrency and warm containers = CPUs), no result cache
const config = loadConfig(process.env, { dataDir, port: 0, cacheEntries: 0, instance: process.env.VERDICT_TEST_PREFIX ? `${process.env.VERDICT_TEST_PREFIX}bench` : 'bench' });
// imported before start-up: the service warms the pools of the benchmarks it serves
const store = new ProblemStore(dataDir);
store.importVersion({ name: 'humaneval', version: 'bench', source: file, sha256: '-' }, problems);
store.close();
const app = await createApp(config, { log: pino({ level: 'warn' }) });
const address = await app.server.listen({ host: '127.0.0.1', port: 0 });

type Sample = { ms: number; ok: boolean };

async function gradeOne(p: (typeof problems)[number]): Promise<Sample> {
  const t = performance.now();
  const res = await fetch(`${address}/v1/grade`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ benchmark: 'humaneval', problem_id: p.id, completion: (p.hidden as { canonical_solution: string }).canonical_solution }),
  });
  const v = (await res.json()) as { status: string };
  return { ms: performance.now() - t, ok: v.status === 'pass' };
}

async function viaGrade(): Promise<{ passed: number; wall_s: number; per_s: number; p50_ms: number }> {
  const samples: Sample[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < problems.length) samples.push(await gradeOne(problems[next++]!));
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  return { passed: samples.filter((s) => s.ok).length, wall_s: +wall.toFixed(3), per_s: +(problems.length / wall).toFixed(2), p50_ms: +pct(samples.map((s) => s.ms), 0.5).toFixed(1) };
}

async function viaBatch(): Promise<{ passed: number; wall_s: number; per_s: number }> {
  const t0 = performance.now();
  const res = await fetch(`${address}/v1/grade/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      benchmark: 'humaneval',
      format: 'json',
      items: problems.map((p) => ({ problem_id: p.id, completion: (p.hidden as { canonical_solution: string }).canonical_solution })),
    }),
  });
  const body = (await res.json()) as { results: Array<{ status: string }> };
  const wall = (performance.now() - t0) / 1000;
  return { passed: body.results.filter((r) => r.status === 'pass').length, wall_s: +wall.toFixed(3), per_s: +(problems.length / wall).toFixed(2) };
}

// The official side: its own check_correctness and thread pool, in a Python
// process of its own, over the same problems and programs.
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-official-'));
const official = humanevalOfficial(officialDir, problems, scratch);

// warm up: pool containers, page cache, the official side's imports
await viaGrade();
await official.pool(2);

const runs: Array<Record<string, unknown>> = [];
for (let r = 0; r < rounds; r++) {
  const load_before = loadavg();
  const grade = await viaGrade();
  const batch = await viaBatch();
  const off2 = await official.pool(2);
  const off4 = await official.pool(4);
  const row = {
    round: r,
    load_before,
    verdict_grade: grade,
    verdict_batch: batch,
    official_2_workers: off2,
    official_4_workers: off4,
    ratio_grade_vs_official2: +(grade.per_s / off2.per_s).toFixed(3),
    ratio_batch_vs_official2: +(batch.per_s / off2.per_s).toFixed(3),
    ratio_grade_vs_official4: +(grade.per_s / off4.per_s).toFixed(3),
    ratio_batch_vs_official4: +(batch.per_s / off4.per_s).toFixed(3),
  };
  runs.push(row);
  console.log(JSON.stringify(row));
}

// single grades, one at a time: verdict vs the official check of the same program
const n = Math.min(Number(values.single), problems.length);
const load_single = loadavg();
const service: number[] = [];
for (const p of problems.slice(0, n)) service.push((await gradeOne(p)).ms);
const single = await official.single();
const own = single.own_ms.slice(0, n);
const officialCheck = single.ms.slice(0, n);
const added = service.map((s, i) => s - own[i]!);
const result = {
  bench: 'humaneval-canonical-164-vs-official',
  label: values.label,
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, mem_gb: Math.round(os.totalmem() / 2 ** 30) },
  problems: problems.length,
  service: { concurrency: config.concurrency, warm: config.warm, runtime: config.runtime, clients, cache: 'off' },
  rounds: runs,
  single_grade: {
    load_before: load_single,
    n,
    verdict_p50_ms: +pct(service, 0.5).toFixed(2),
    official_check_correctness_p50_ms: +pct(officialCheck, 0.5).toFixed(2),
    program_own_run_p50_ms: +pct(own, 0.5).toFixed(2),
    added_p50_ms: +pct(added, 0.5).toFixed(2),
    added_p90_ms: +pct(added, 0.9).toFixed(2),
  },
  load_after: loadavg(),
  official: { source: 'github.com/openai/human-eval check_correctness (its ThreadPoolExecutor; timeout 3.0)', dir: officialDir },
  notes: 'official = unsandboxed, its own multiprocessing.Process per program; verdict = HTTP + grader + warm container + split-process judge. Single grade: added = verdict HTTP round trip minus the program\'s own run (exec of prompt+solution+test+check in a warm Python process).',
};
writeResult('humaneval-official', result);
await app.close();
