// A 10,000-line regrade through a service process: the service's RSS sampled
// throughout, a SIGKILL at half-way, a restart, then a check that every line
// has exactly one result and that each equals the expected verdict.
//
//   npx tsx bench/regrade.ts [--lines 10000] [--kill-at 0.5] [--concurrency 2]
//
// Writes bench/results/regrade-<date>.json.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { BENCHMARKS } from '../src/benchmarks/registry.js';
import type { Job, JobResult } from '../src/jobs/schemas.js';
import { ProblemStore } from '../src/store/store.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: { lines: { type: 'string' }, 'kill-at': { type: 'string' }, concurrency: { type: 'string' } },
});
const LINES = Number(values.lines ?? 10_000);
const KILL_AT = Number(values['kill-at'] ?? 0.5);
const CONCURRENCY = Number(values.concurrency ?? 2);
const HUMANEVAL = path.resolve(ROOT, '..', 'shared', 'benchmarks', 'humaneval', 'HumanEval.jsonl.gz');

interface Row {
  task_id: string;
  canonical_solution: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function serve(dataDir: string, port: number): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--port', String(port), '--data-dir', dataDir], {
    cwd: ROOT,
    env: { ...process.env, VERDICT_INSTANCE: 'bench-regrade', VERDICT_PREWARM: 'false', VERDICT_CONCURRENCY: String(CONCURRENCY), VERDICT_WARM: '1', VERDICT_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function waitUp(base: string): Promise<void> {
  for (;;) {
    try {
      if ((await fetch(`${base}/v1/benchmarks`)).ok) return;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

const job = async (base: string, id: string) => (await (await fetch(`${base}/v1/jobs/${id}`)).json()) as Job;

function summary(samples: Array<{ t: number; done: number; rss_mb: number }>) {
  const rss = samples.map((s) => s.rss_mb).sort((a, b) => a - b);
  return { samples: rss.length, rss_mb_max: rss[rss.length - 1] ?? 0, rss_mb_p50: rss[Math.floor(rss.length / 2)] ?? 0 };
}

async function main() {
  if (!fs.existsSync(HUMANEVAL)) throw new Error(`${HUMANEVAL} is absent`);
  const rows = zlib.gunzipSync(fs.readFileSync(HUMANEVAL)).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-bench-regrade-'));
  const store = new ProblemStore(dataDir);
  const { version, problems } = await BENCHMARKS.get('humaneval')!.read(HUMANEVAL, {});
  store.importVersion({ name: 'humaneval', version, source: HUMANEVAL, sha256: 'bench' }, problems);
  store.close();

  // cheap completions: the reference body (pass) or `return None` (fails on the
  // first assert), each line's program distinct (a comment), so that every line
  // is graded rather than answered from the result cache (bench/regrade-dups.ts
  // measures duplicates)
  const expected: string[] = [];
  const input = path.join(dataDir, 'samples.jsonl');
  const out = fs.createWriteStream(input);
  for (let i = 0; i < LINES; i++) {
    const r = rows[i % rows.length]!;
    const pass = i % 2 === 0;
    expected.push(pass ? 'pass' : 'fail');
    out.write(JSON.stringify({ task_id: r.task_id, completion: `${pass ? r.canonical_solution : '    return None\n'}    # line ${i}\n` }) + '\n');
  }
  await new Promise((r) => out.end(r));

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const lives: Array<Array<{ t: number; done: number; rss_mb: number }>> = [[], []];
  let proc = serve(dataDir, port);
  await waitUp(base);
  const rssIdle = rssKb(proc.pid!) / 1024;
  const t0 = performance.now();
  const res = await fetch(`${base}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ benchmark: 'humaneval', path: input }) });
  if (res.status !== 201) throw new Error(await res.text());
  const id = ((await res.json()) as Job).id;
  const tCreated = performance.now();
  console.error(`job ${id}: ${LINES} lines queued in ${((tCreated - t0) / 1000).toFixed(2)} s`);

  let j = await job(base, id);
  while (j.done < LINES * KILL_AT) {
    await new Promise((r) => setTimeout(r, 1000));
    j = await job(base, id);
    lives[0]!.push({ t: (performance.now() - t0) / 1000, done: j.done, rss_mb: rssKb(proc.pid!) / 1024 });
    if (lives[0]!.length % 30 === 0) console.error(`${j.done}/${LINES} rss ${(rssKb(proc.pid!) / 1024).toFixed(0)} MB eta ${j.eta_s}s`);
  }
  proc.kill('SIGKILL');
  await new Promise((r) => proc.once('exit', r));
  const tKill = performance.now();
  const db = new Database(path.join(dataDir, 'verdict.sqlite'), { readonly: true });
  const recordedAtKill = (db.prepare('SELECT COUNT(*) AS n FROM job_results WHERE job_id = ?').get(id) as { n: number }).n;
  db.close();
  console.error(`SIGKILL with ${recordedAtKill} results recorded`);

  proc = serve(dataDir, port);
  await waitUp(base);
  const tUp = performance.now();
  j = await job(base, id);
  while (j.state === 'running') {
    await new Promise((r) => setTimeout(r, 1000));
    j = await job(base, id);
    lives[1]!.push({ t: (performance.now() - t0) / 1000, done: j.done, rss_mb: rssKb(proc.pid!) / 1024 });
    if (lives[1]!.length % 30 === 0) console.error(`${j.done}/${LINES} rss ${(rssKb(proc.pid!) / 1024).toFixed(0)} MB eta ${j.eta_s}s`);
  }
  const tDone = performance.now();
  const metrics = await (await fetch(`${base}/metrics`)).text();
  const gradedAfterRestart = metrics.split('\n').filter((l) => l.startsWith('verdict_verdicts_total{')).reduce((s, l) => s + Number(l.split(' ').pop()), 0);

  // download the results while sampling RSS
  let peakDownload = 0;
  const timer = setInterval(() => (peakDownload = Math.max(peakDownload, rssKb(proc.pid!) / 1024)), 50);
  const body = await (await fetch(`${base}/v1/jobs/${id}/results`)).text();
  clearInterval(timer);
  const results = body.split('\n').filter(Boolean).map((l) => JSON.parse(l) as JobResult);
  const seqs = new Set(results.map((r) => r.seq));
  const mismatches = results.filter((r) => r.status !== expected[r.line - 1]);
  proc.kill('SIGTERM');
  await new Promise((r) => proc.once('exit', r));

  const report = {
    bench: 'regrade-humaneval',
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, mem_gb: Math.round(os.totalmem() / 2 ** 30), loadavg_at_end: os.loadavg() },
    lines: LINES,
    concurrency: CONCURRENCY,
    ingest_s: (tCreated - t0) / 1000,
    killed_at_done: recordedAtKill,
    restart_s: (tUp - tKill) / 1000,
    wall_s_total: (tDone - t0) / 1000,
    throughput_per_s: LINES / ((tDone - t0 - (tUp - tKill)) / 1000),
    graded_after_restart: gradedAfterRestart,
    regraded_twice: gradedAfterRestart - (LINES - recordedAtKill),
    results: results.length,
    unique_seq: seqs.size,
    duplicates: results.length - seqs.size,
    missing: LINES - seqs.size,
    mismatches: mismatches.length,
    mismatch_examples: mismatches.slice(0, 5),
    final: { state: j.state, done: j.done, passes: j.passes, fails: j.fails, infra_errors: j.infra_errors },
    rss_mb_idle_before_job: rssIdle,
    service_before_kill: summary(lives[0]!),
    service_after_restart: summary(lives[1]!),
    rss_mb_during_results_download: peakDownload,
    rss_timeline: [...lives[0]!, ...lives[1]!].filter((_, i) => i % 10 === 0),
  };
  fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  const file = path.join(ROOT, 'bench', 'results', `regrade-${report.date.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  const { rss_timeline: _t, mismatch_examples: _m, ...brief } = report;
  console.log(JSON.stringify(brief, null, 2));
  console.error(`→ ${file}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
