// Bench: the 164 HumanEval canonical solutions graded through the service
// (HTTP → grader → warm sandbox) versus a bare runner (the same programs as
// plain `python3` subprocesses on the host, no container), at the same
// concurrency, in one run. Writes bench/results/humaneval-<stamp>.json.
//
//   npx tsx bench/humaneval.ts [--concurrency 2] [--rounds 3]
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createApp } from '../src/app.js';
import { humaneval } from '../src/benchmarks/humaneval/benchmark.js';
import { loadConfig } from '../src/config.js';
import { ProblemStore } from '../src/store/store.js';

const { values } = parseArgs({
  options: { concurrency: { type: 'string', default: '2' }, rounds: { type: 'string', default: '3' }, data: { type: 'string' } },
});
const concurrency = Number(values.concurrency);
const rounds = Number(values.rounds);
const file = values.data ?? path.resolve(import.meta.dirname, '..', '..', 'shared', 'benchmarks', 'humaneval', 'HumanEval.jsonl.gz');
if (!fs.existsSync(file)) {
  console.error(`HumanEval data not found at ${file} (pass --data PATH)`);
  process.exit(2);
}

const { problems } = await humaneval.read(file, {});
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-bench-'));
const config = loadConfig(process.env, { dataDir, port: 0, concurrency, warm: concurrency, instance: 'bench' });
// imported before start-up: the service warms the pools of the benchmarks it serves
const store = new ProblemStore(dataDir);
store.importVersion({ name: 'humaneval', version: 'bench', source: file, sha256: '-' }, problems);
store.close();
const app = await createApp(config, { log: pino({ level: 'warn' }) });
const address = await app.server.listen({ host: '127.0.0.1', port: 0 });

type Sample = { id: string; ms: number; ok: boolean };

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<Sample>): Promise<{ samples: Sample[]; wallMs: number }> {
  const samples: Sample[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) samples.push(await fn(items[next++]!));
    }),
  );
  return { samples, wallMs: performance.now() - t0 };
}

async function viaService(p: (typeof problems)[number]): Promise<Sample> {
  const t = performance.now();
  const res = await fetch(`${address}/v1/grade`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ benchmark: 'humaneval', problem_id: p.id, completion: p.hidden.canonical_solution }),
  });
  const v = (await res.json()) as { status: string };
  return { id: p.id, ms: performance.now() - t, ok: v.status === 'pass' };
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-bare-'));
// the real interpreter, not a version-manager shim that adds its own start-up
const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)']).toString().trim();
async function bare(p: (typeof problems)[number]): Promise<Sample> {
  const h = p.hidden as { test: string; canonical_solution: string; entry_point: string };
  const prog = `${p.prompt}${h.canonical_solution}\n${h.test}\ncheck(${h.entry_point})\n`;
  const f = path.join(scratch, `${p.id.replace('/', '_')}.py`);
  fs.writeFileSync(f, prog);
  const t = performance.now();
  const code = await new Promise<number>((resolve) => {
    const c = spawn(python, [f], { stdio: 'ignore', timeout: 3000 });
    c.on('close', (code) => resolve(code ?? -1));
  });
  return { id: p.id, ms: performance.now() - t, ok: code === 0 };
}

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const summary = (r: { samples: Sample[]; wallMs: number }) => ({
  passed: r.samples.filter((s) => s.ok).length,
  wall_s: +(r.wallMs / 1000).toFixed(3),
  throughput_per_s: +(r.samples.length / (r.wallMs / 1000)).toFixed(2),
  p50_ms: +pct(r.samples.map((s) => s.ms), 0.5).toFixed(2),
  p99_ms: +pct(r.samples.map((s) => s.ms), 0.99).toFixed(2),
});

// warm up both paths (pool containers, page cache)
await pool(problems, concurrency, viaService);
await pool(problems, concurrency, bare);

const runs: Array<Record<string, unknown>> = [];
for (let r = 0; r < rounds; r++) {
  // alternate order so neither side always runs on a cooler machine
  const a = r % 2 === 0 ? await pool(problems, concurrency, viaService) : await pool(problems, concurrency, bare);
  const b = r % 2 === 0 ? await pool(problems, concurrency, bare) : await pool(problems, concurrency, viaService);
  const service = r % 2 === 0 ? a : b;
  const bareR = r % 2 === 0 ? b : a;
  runs.push({ round: r, service: summary(service), bare: summary(bareR), throughput_ratio: +(bareR.wallMs / service.wallMs).toFixed(3) });
  console.log(JSON.stringify(runs.at(-1)));
}

// single-grade latency: one at a time, service vs the program's own time
const added: number[] = [];
const single = { service: [] as number[], bare: [] as number[] };
for (const p of problems) {
  const s = await viaService(p);
  const b = await bare(p);
  single.service.push(s.ms);
  single.bare.push(b.ms);
  added.push(s.ms - b.ms);
}
const result = {
  bench: 'humaneval-canonical-164',
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, mem_gb: Math.round(os.totalmem() / 2 ** 30) },
  concurrency,
  runtime: config.runtime,
  rounds: runs,
  throughput_ratio_median: pct(runs.map((r) => r.throughput_ratio as number), 0.5),
  single_grade: {
    service_p50_ms: +pct(single.service, 0.5).toFixed(2),
    bare_p50_ms: +pct(single.bare, 0.5).toFixed(2),
    added_p50_ms: +pct(added, 0.5).toFixed(2),
    added_p99_ms: +pct(added, 0.99).toFixed(2),
  },
  bare_interpreter: python,
  notes: 'bare = host python3 subprocess per program (no container, no isolation); service = HTTP + grader + warm container + split-process judge',
};
console.log(JSON.stringify(result, null, 2));
const out = path.join(import.meta.dirname, 'results', `humaneval-${result.date.replace(/[:.]/g, '-')}.json`);
fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
console.log('written', out);
await app.close();
