// Bench: an RL reward load. 64 concurrent trainer clients each send GRPO
// groups of 8 completions for a HumanEval problem to POST /v1/grade/batch
// (NDJSON). Completions repeat inside a group as sampled groups do (the
// canonical solution, a reformatted one, a wrong one, a crashing one), so the
// service grades each distinct completion once. In the same run, at the same
// sandbox concurrency: the service with the cache off (every completion
// graded), and a bare runner (host python3 per completion, no container, no
// dedup). Writes bench/results/rl-<stamp>.json.
//
//   npx tsx bench/rl.ts [--clients 64] [--groups 2] [--concurrency 2]
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createApp } from '../src/app.js';
import { humaneval } from '../src/benchmarks/humaneval/benchmark.js';
import { loadConfig } from '../src/config.js';
import { readNdjson } from './lib.js';
import { ProblemStore } from '../src/store/store.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '64' },
    groups: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: String(os.availableParallelism()) },
    data: { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
});
const clients = Number(values.clients);
const groupsPerClient = Number(values.groups);
const concurrency = Number(values.concurrency);
const GROUP = 8;
const file = values.data ?? path.resolve(import.meta.dirname, '..', '..', 'shared', 'benchmarks', 'humaneval', 'HumanEval.jsonl.gz');
if (!fs.existsSync(file)) {
  console.error(`HumanEval data not found at ${file} (pass --data PATH)`);
  process.exit(2);
}

const { problems } = await humaneval.read(file, {});
type Problem = (typeof problems)[number];
type Hidden = { test: string; canonical_solution: string; entry_point: string };

// deterministic sampling
let state = Number(values.seed) >>> 0 || 1;
const rand = () => {
  state = (state * 1664525 + 1013904223) >>> 0;
  return state / 2 ** 32;
};

/** One GRPO group: 8 samples from a few distinct answers, tagged so groups never share a cache entry. */
function group(p: Problem, g: number): string[] {
  const h = p.hidden as Hidden;
  const tag = `    # group ${g}\n`;
  const variants = [
    h.canonical_solution + tag,
    tag + h.canonical_solution,
    tag + '    return None\n',
    tag + '    raise ValueError("no")\n',
  ];
  const weights = [0.45, 0.2, 0.2, 0.15];
  return Array.from({ length: GROUP }, () => {
    let x = rand();
    for (let i = 0; i < variants.length; i++) {
      if ((x -= weights[i]!) < 0) return variants[i]!;
    }
    return variants[0]!;
  });
}

const work: Array<{ p: Problem; completions: string[] }> = [];
for (let g = 0; g < clients * groupsPerClient; g++) {
  const p = problems[Math.floor(rand() * problems.length)]!;
  work.push({ p, completions: group(p, g) });
}
const distinct = work.reduce((n, w) => n + new Set(w.completions).size, 0);

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-bench-rl-'));
const config = loadConfig(process.env, { dataDir, port: 0, concurrency, warm: concurrency, instance: 'bench-rl' });
// imported before start-up: the service warms the pools of the benchmarks it serves
const store = new ProblemStore(dataDir);
store.importVersion({ name: 'humaneval', version: 'bench', source: file, sha256: '-' }, problems);
store.close();
const app = await createApp(config, { log: pino({ level: 'warn' }) });
const address = await app.server.listen({ host: '127.0.0.1', port: 0 });

interface Sample {
  ms: number;
  pass: boolean;
  cached: boolean;
  infra: boolean;
}

/** 64 clients, each sending its groups one after another; latency = request start → the completion's NDJSON line. */
async function serviceRun(cache: boolean): Promise<{ samples: Sample[]; wallMs: number; status: Record<number, number>; peakRssMb: number }> {
  const samples: Sample[] = [];
  const status: Record<number, number> = {};
  let peak = process.memoryUsage().rss;
  const mem = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < work.length) {
        const w = work[next++]!;
        const started = performance.now();
        const res = await fetch(`${address}/v1/grade/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            benchmark: 'humaneval',
            options: { cache },
            items: w.completions.map((completion) => ({ problem_id: w.p.id, completion })),
          }),
        });
        status[res.status] = (status[res.status] ?? 0) + 1;
        if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
        await readNdjson<{ status: string; cached?: boolean }>(res, (v) =>
          samples.push({ ms: performance.now() - started, pass: v.status === 'pass', cached: v.cached === true, infra: v.status === 'infra_error' }),
        );
      }
    }),
  );
  clearInterval(mem);
  return { samples, wallMs: performance.now() - t0, status, peakRssMb: Math.round(peak / 2 ** 20) };
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-bare-rl-'));
const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)']).toString().trim();
/** The bare runner: every completion as its own host python3 program, `concurrency` at a time, no dedup. */
async function bareRun(): Promise<{ samples: Sample[]; wallMs: number }> {
  const jobs = work.flatMap((w) => w.completions.map((c) => ({ p: w.p, c })));
  const samples: Sample[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs.length) {
        const { p, c } = jobs[next++]!;
        const h = p.hidden as Hidden;
        const f = path.join(scratch, crypto.randomBytes(6).toString('hex') + '.py');
        fs.writeFileSync(f, `${p.prompt}${c}\n${h.test}\ncheck(${h.entry_point})\n`);
        const t = performance.now();
        const code = await new Promise<number>((resolve) => {
          const ch = spawn(python, [f], { stdio: 'ignore', timeout: 3000 });
          ch.on('close', (code) => resolve(code ?? -1));
        });
        fs.rmSync(f);
        samples.push({ ms: performance.now() - t, pass: code === 0, cached: false, infra: false });
      }
    }),
  );
  return { samples, wallMs: performance.now() - t0 };
}

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
};
const summary = (r: { samples: Sample[]; wallMs: number }) => ({
  completions: r.samples.length,
  passed: r.samples.filter((s) => s.pass).length,
  infra_errors: r.samples.filter((s) => s.infra).length,
  wall_s: +(r.wallMs / 1000).toFixed(2),
  completions_per_s: +(r.samples.length / (r.wallMs / 1000)).toFixed(1),
  p50_ms: +pct(r.samples.map((s) => s.ms), 0.5).toFixed(1),
  p99_ms: +pct(r.samples.map((s) => s.ms), 0.99).toFixed(1),
  cache_hit_rate: +(r.samples.filter((s) => s.cached).length / r.samples.length).toFixed(3),
});

// warm-up: fills the pool and the page cache (its own groups, not the measured ones)
await fetch(`${address}/v1/grade/batch`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ benchmark: 'humaneval', format: 'json', options: { cache: false }, items: problems.slice(0, 8).map((p) => ({ problem_id: p.id, completion: (p.hidden as Hidden).canonical_solution })) }),
});

const withCache = await serviceRun(true);
console.log('service (cache on)', JSON.stringify(summary(withCache)));
const noCache = await serviceRun(false);
console.log('service (cache off)', JSON.stringify(summary(noCache)));
const bareR = await bareRun();
console.log('bare', JSON.stringify(summary(bareR)));

const s1 = summary(withCache);
const s2 = summary(noCache);
const s3 = summary(bareR);
const result = {
  bench: 'rl-grpo-humaneval',
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, mem_gb: Math.round(os.totalmem() / 2 ** 30) },
  setup: { clients, groups: work.length, group_size: GROUP, completions: work.length * GROUP, distinct_completions: distinct, sandbox_concurrency: concurrency, runtime: config.runtime },
  service_cache_on: { ...s1, http_status: withCache.status, peak_rss_mb: withCache.peakRssMb },
  service_cache_off: { ...s2, http_status: noCache.status, peak_rss_mb: noCache.peakRssMb },
  bare_runner: { ...s3, note: 'host python3 per completion (no container, no isolation, no dedup); latency = the program alone, no queueing' },
  ratios: {
    throughput_cache_on_vs_bare: +(s1.completions_per_s / s3.completions_per_s).toFixed(2),
    throughput_cache_on_vs_off: +(s1.completions_per_s / s2.completions_per_s).toFixed(2),
    throughput_cache_off_vs_bare: +(s2.completions_per_s / s3.completions_per_s).toFixed(2),
  },
  notes:
    'service latency is per completion from its group request to its NDJSON line, with 64 clients queueing on ' +
    `${concurrency} sandbox slots; completions repeat within a group (4 answers, weights .45/.2/.2/.15), never across groups`,
};
console.log(JSON.stringify(result, null, 2));
const out = path.join(import.meta.dirname, 'results', `rl-${result.date.replace(/[:.]/g, '-')}.json`);
fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
console.log('written', out);
await app.close();
fs.rmSync(dataDir, { recursive: true, force: true });
