// Bench: grading throughput with 1 vs 2 `verdict worker`s behind one API
// (serve --queue) and a real redis-server. Each worker has a Docker engine of
// its own (a dockerd with its own socket and data root) whose containers live
// under a cgroup with a CPU quota, and the worker process sits in that cgroup
// too, so each worker is "a machine of Q CPUs" and the comparison means
// something on a 2-core box. In the same run: the embedded service (no queue)
// on one such quota'd engine, to show what the queue costs.
// HumanEval canonical solutions (all should pass), --clients at once.
// Writes bench/results/scale-out-<stamp>.json.
//
//   npx tsx bench/scale-out.ts [--quota 1] [--concurrency 2] [--n 164] [--clients 16]
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import pino from 'pino';
import { createApp, type App } from '../src/app.js';
import { humaneval } from '../src/benchmarks/humaneval/benchmark.js';
import { loadConfig } from '../src/config.js';
import { ensureImages } from '../src/sandbox/images/build.js';
import { baseImage, imagesConfigFromEnv } from '../src/sandbox/images/config.js';
import { imageRef } from '../src/sandbox/images/recipe.js';
import type { Verdict } from '../src/schemas.js';
import { SecondDockerd, sleep } from '../test/helpers/dockerd.js';
import { TestRedis } from '../test/helpers/redis.js';

const { values } = parseArgs({
  options: {
    quota: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '2' },
    n: { type: 'string', default: '164' },
    clients: { type: 'string', default: '16' },
    data: { type: 'string' },
  },
});
const quota = Number(values.quota);
// cgroup v1 refuses a container quota above its parent's, and a sandbox gets 1 CPU
if (!(quota >= 1)) {
  console.error('--quota must be at least 1 (CPUs per worker): a sandbox container has a 1-CPU quota of its own');
  process.exit(2);
}
const perWorker = Number(values.concurrency);
const n = Number(values.n);
const clients = Number(values.clients);
const ROOT = path.resolve(import.meta.dirname, '..');
const SANDBOXES = path.join(ROOT, 'sandboxes');
const file = values.data ?? path.resolve(ROOT, '..', 'shared', 'benchmarks', 'humaneval', 'HumanEval.jsonl.gz');
if (!fs.existsSync(file)) {
  console.error(`HumanEval data not found at ${file} (pass --data PATH)`);
  process.exit(2);
}
const log = pino({ level: 'warn' });
const CG = '/sys/fs/cgroup/cpu';
if (!fs.existsSync(path.join(CG, 'cpu.cfs_quota_us'))) {
  console.error('needs cgroup v1 with the cpu controller at /sys/fs/cgroup/cpu (and root)');
  process.exit(2);
}

/** a cpu cgroup with a CFS quota of `cpus` */
function cgroup(name: string, cpus: number): string {
  const dir = path.join(CG, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'cpu.cfs_period_us'), '100000');
  fs.writeFileSync(path.join(dir, 'cpu.cfs_quota_us'), String(Math.round(cpus * 100000)));
  // the quota caps it; high shares make sure it gets that much on a busy machine
  fs.writeFileSync(path.join(dir, 'cpu.shares'), '10240');
  return dir;
}

const { version, problems } = await humaneval.read(file, {});
const work = problems.slice(0, Math.min(n, problems.length));
const stamp = new Date().toISOString().replace(/[:.]/g, '-');

// Each worker: a cgroup, a dockerd whose containers go under it, the python image.
const names = ['w1', 'w2'];
const cgroups = names.map((w) => cgroup(`verdict-bench-${w}`, quota));
const engines = names.map((w, i) => new SecondDockerd(`sb${w}`, 120 + i, [`--cgroup-parent=/verdict-bench-${w}`]));
const redis = new TestRedis();
const children: ChildProcess[] = [];
let app: App | undefined;

async function cleanup(): Promise<void> {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await app?.close().catch(() => undefined);
  await Promise.all(engines.map((e) => e.destroy().catch(() => undefined)));
  await redis.stop().catch(() => undefined);
  for (const dir of cgroups) {
    try {
      for (const sub of fs.readdirSync(dir, { withFileTypes: true })) if (sub.isDirectory()) fs.rmdirSync(path.join(dir, sub.name));
      fs.rmdirSync(dir);
    } catch {
      /* busy for a moment after the engine stops */
    }
  }
}

async function run(label: string, a: App): Promise<Record<string, unknown>> {
  // warm-up: containers started, problem shelf filled
  await Promise.all(work.slice(0, 8).map((p) => grade(a, p)));
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < work.length) {
        const p = work[next++]!;
        const t = performance.now();
        const v = await grade(a, p);
        latencies.push(performance.now() - t);
        statuses[v.status] = (statuses[v.status] ?? 0) + 1;
      }
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  latencies.sort((x, y) => x - y);
  const q = (f: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(f * latencies.length))]!);
  const r = { label, grades: work.length, wall_s: +wall.toFixed(2), grades_per_s: +(work.length / wall).toFixed(2), p50_ms: q(0.5), p95_ms: q(0.95), statuses };
  console.log(JSON.stringify(r));
  return r;
}

async function grade(a: App, p: (typeof work)[number]): Promise<Verdict> {
  const h = p.hidden as { canonical_solution: string };
  const r = await a.server.inject({ method: 'POST', url: '/v1/grade', payload: { benchmark: 'humaneval', problem_id: p.id, completion: h.canonical_solution, options: { cache: false } } });
  if (r.statusCode !== 200) throw new Error(`HTTP ${r.statusCode}: ${r.body}`);
  return r.json() as Verdict;
}

function startWorker(name: string, endpoint: string, url: string, prefix: string, cg: string): ChildProcess {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `verdict-bench-${name}-`));
  const out = fs.openSync(path.join(dataDir, 'worker.log'), 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'worker'], {
    cwd: ROOT,
    stdio: ['ignore', out, out],
    env: {
      ...process.env,
      VERDICT_QUEUE_URL: url,
      VERDICT_QUEUE_PREFIX: prefix,
      VERDICT_DOCKER_HOSTS: `${endpoint}=${perWorker}`,
      VERDICT_WORKER_NAME: name,
      VERDICT_WORKER_PORT: '0',
      VERDICT_WARM: String(perWorker),
      VERDICT_DATA_DIR: dataDir,
      VERDICT_SANDBOXES_DIR: SANDBOXES,
      VERDICT_LOG_LEVEL: 'warn',
    },
  });
  // the worker process counts against its machine's CPUs too
  fs.writeFileSync(path.join(cg, 'cgroup.procs'), String(child.pid));
  children.push(child);
  return child;
}

async function untilWorkers(a: App, k: number): Promise<void> {
  for (let i = 0; i < 240; i++) {
    const h = (await a.server.inject({ method: 'GET', url: '/healthz' })).json() as { queue?: { workers: number } };
    if (h.queue?.workers === k) return;
    await sleep(250);
  }
  throw new Error(`expected ${k} workers`);
}

async function appWith(over: Record<string, unknown>, docker?: Docker): Promise<App> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-bench-api-'));
  const config = loadConfig({}, { dataDir, sandboxesDir: SANDBOXES, cacheEntries: 0, prewarm: false, instance: 'bench-scale', ...over });
  const a = await createApp(config, { log, ...(docker ? { docker } : {}) });
  a.store.importVersion({ name: 'humaneval', version, source: file, sha256: 'bench' }, problems);
  return a;
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => void cleanup().finally(() => process.exit(130)));
}

try {
  const host = new Docker();
  await ensureImages(host, SANDBOXES, ['python']);
  const ref = await imageRef(SANDBOXES, 'python', baseImage(imagesConfigFromEnv()));
  for (const e of engines) {
    await e.start();
    await e.loadFromHost(ref);
  }
  const url = await redis.start();
  const rows: Array<Record<string, unknown>> = [];

  // embedded: no queue, the service grading on w1's quota'd engine itself
  app = await appWith({ concurrency: perWorker, warm: perWorker }, engines[0]!.docker);
  rows.push(await run('embedded (no queue), 1 engine', app));
  await app.close();

  app = await appWith({ queueUrl: url, queuePrefix: `bench${process.pid}`, concurrency: 64 });
  startWorker('w1', engines[0]!.endpoint, url, `bench${process.pid}`, cgroups[0]!);
  await untilWorkers(app, 1);
  rows.push(await run('queue, 1 worker', app));
  startWorker('w2', engines[1]!.endpoint, url, `bench${process.pid}`, cgroups[1]!);
  await untilWorkers(app, 2);
  rows.push(await run('queue, 2 workers', app));

  const rate = (i: number) => rows[i]!.grades_per_s as number;
  const result = {
    bench: 'scale-out',
    when: new Date().toISOString(),
    machine: { cpus: os.availableParallelism(), load: os.loadavg().map((x) => +x.toFixed(1)) },
    setup: { quota_cpus_per_worker: quota, sessions_per_worker: perWorker, clients, problems: work.length, benchmark: `humaneval ${version}`, completions: 'canonical solutions' },
    rows,
    ratios: {
      two_workers_vs_one: +(rate(2) / rate(1)).toFixed(2),
      one_worker_vs_embedded: +(rate(1) / rate(0)).toFixed(2),
    },
  };
  fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  const out = path.join(ROOT, 'bench', 'results', `scale-out-${stamp}.json`);
  fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result.ratios), '->', path.relative(ROOT, out));
} finally {
  await cleanup();
}
