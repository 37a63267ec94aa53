import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCHMARKS } from '../src/benchmarks/registry.js';
import type { Job, JobResult } from '../src/jobs/schemas.js';
import { ProblemStore } from '../src/store/store.js';
import { HUMANEVAL_MINI, writeFixtures } from './fixtures/humaneval.js';
import { dockerAvailable, ensurePythonImage, SANDBOXES } from './helpers/docker.js';
import { ti } from './helpers/instance.js';

// The service process is SIGKILLed in the middle of a job; once restarted it
// finishes the job with every line's result present once, grading only what
// had no result yet.

const hasDocker = await dockerAvailable();
const ROOT = path.resolve(__dirname, '..');
const N = 200;
const CONCURRENCY = 2;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function serve(dataDir: string, port: number): ChildProcess {
  // node itself (not npx) so that SIGKILL reaches the service
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--port', String(port), '--data-dir', dataDir], {
    cwd: ROOT,
    env: {
      ...process.env,
      VERDICT_INSTANCE: ti('test-crash'),
      VERDICT_PREWARM: 'false',
      VERDICT_CONCURRENCY: String(CONCURRENCY),
      VERDICT_WARM: '1',
      VERDICT_LOG_LEVEL: 'warn',
      VERDICT_SANDBOXES_DIR: SANDBOXES,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function waitUp(base: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      const r = await fetch(`${base}/v1/benchmarks`);
      if (r.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('service did not start');
}

async function getJob(base: string, id: string): Promise<Job> {
  const r = await fetch(`${base}/v1/jobs/${id}`);
  expect(r.status).toBe(200);
  return (await r.json()) as Job;
}

async function verdictsGraded(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('verdict_verdicts_total{'))
    .reduce((s, l) => s + Number(l.split(' ').pop()), 0);
}

async function cacheEvents(base: string): Promise<Record<'hit' | 'shared' | 'miss', number>> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const n = (result: string) => Number(new RegExp(`^verdict_result_cache_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  return { hit: n('hit'), shared: n('shared'), miss: n('miss') };
}

describe.skipIf(!hasDocker)('a job survives SIGKILL of the service', () => {
  let dataDir: string;
  let proc: ChildProcess | undefined;

  beforeAll(async () => {
    await ensurePythonImage();
    const fx = writeFixtures();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-crash-'));
    const store = new ProblemStore(dataDir);
    const bench = BENCHMARKS.get('humaneval')!;
    const { version, problems } = await bench.read(fx.humaneval, {});
    store.importVersion({ name: 'humaneval', version, source: fx.humaneval, sha256: 'test' }, problems);
    store.close();
  }, 900_000);
  afterAll(() => {
    proc?.kill('SIGKILL');
  });

  it('finishes after a restart with every result exactly once', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    proc = serve(dataDir, port);
    await waitUp(base);
    const expected = Array.from({ length: N }, (_, i) => (i % 3 === 2 ? 'fail' : 'pass'));
    const jsonl = expected
      // distinct programs (a comment each): every line is a grade of its own
      .map((want, i) => JSON.stringify({ problem_id: `Mini/${i % 3}`, completion: `${want === 'pass' ? HUMANEVAL_MINI[i % 3]!.canonical_solution : '    return None\n'}    # ${i}\n` }))
      .join('\n');
    const created = await fetch(`${base}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ benchmark: 'humaneval', jsonl }),
    });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as Job).id;
    for (;;) {
      const j = await getJob(base, id);
      if (j.done >= N / 4) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    proc.kill('SIGKILL');
    await new Promise((res) => proc!.once('exit', res));

    // what the store holds at the moment of the crash
    const db = new Database(path.join(dataDir, 'verdict.sqlite'), { readonly: true });
    const recorded = (db.prepare('SELECT COUNT(*) AS n FROM job_results WHERE job_id = ?').get(id) as { n: number }).n;
    db.close();
    expect(recorded).toBeGreaterThanOrEqual(N / 4);
    expect(recorded).toBeLessThan(N);

    proc = serve(dataDir, port);
    await waitUp(base);
    let job: Job;
    for (;;) {
      job = await getJob(base, id);
      if (job.state !== 'running') break;
      await new Promise((res) => setTimeout(res, 200));
    }
    expect([job.state, job.total, job.done, job.passes, job.infra_errors]).toEqual(['done', N, N, expected.filter((s) => s === 'pass').length, 0]);
    // The restarted service answered only the samples with no result, each
    // once, and graded them, except those a grade running at the crash had
    // cached but not yet recorded (the same program: its verdict is the cache's).
    const answered = await cacheEvents(base);
    expect(answered.hit + answered.shared + answered.miss).toBe(N - recorded);
    expect(answered.shared).toBe(0);
    expect(answered.hit).toBeLessThanOrEqual(CONCURRENCY);
    expect(await verdictsGraded(base)).toBe(answered.miss);

    const body = await (await fetch(`${base}/v1/jobs/${id}/results`)).text();
    const results = body.split('\n').filter(Boolean).map((l) => JSON.parse(l) as JobResult);
    expect(results).toHaveLength(N);
    expect(results.map((r) => r.seq)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(results.map((r) => r.line)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    expect(results.map((r) => r.status)).toEqual(expected);
    proc.kill('SIGTERM');
    await new Promise((res) => proc!.once('exit', res));
    proc = undefined;
  }, 600_000);
});
