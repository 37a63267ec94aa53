import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Job, Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { QUEUE_NAME } from '../src/queue/protocol.js';
import { INSTANCE_LABEL } from '../src/sandbox/container.js';
import { createWorker, type WorkerApp } from '../src/queue/worker-app.js';
import type { Verdict } from '../src/schemas.js';
import { HUMANEVAL_MINI, writeFixtures } from './fixtures/humaneval.js';
import { postGrade, testApp } from './helpers/app.js';
import { dockerAvailable, ensurePythonImage, quietLog, SANDBOXES } from './helpers/docker.js';
import { canSecondDockerd, SecondDockerd, sleep } from './helpers/dockerd.js';
import { REDIS_SERVER, TestRedis } from './helpers/redis.js';

// Scale-out for real: a redis-server, the API in this process with --queue,
// and two `verdict worker` processes, each on its own dockerd (the host's and
// a second one with its own socket and data root). One worker is SIGKILLed
// mid-batch: every grade must still come back once, with the right verdict.

const hasDocker = await dockerAvailable();
if (hasDocker && !canSecondDockerd) console.warn('[skip] scale-out: needs root and /usr/sbin/dockerd for a second Docker engine');
const ROOT = path.resolve(import.meta.dirname, '..');
const LOCK_MS = 4000;

const add = HUMANEVAL_MINI[0]!;
/** a right or wrong add_three that takes ~0.5 s, so a batch is still running when a worker dies */
function slow(right: boolean, i: number): string {
  return `    import time\n    time.sleep(0.5)\n    return a + b + c${right ? '' : ' + 1'}  # ${i}\n`;
}

describe.skipIf(!hasDocker || !canSecondDockerd || !REDIS_SERVER)('scale-out: API + Redis + two workers, each with its own dockerd', () => {
  const redis = new TestRedis();
  const d2 = new SecondDockerd('clu', 91);
  const prefix = `t${process.pid}`;
  const workers = new Map<string, ChildProcess>();
  const logs: string[] = [];
  let app: App;
  let queue: Queue;

  const startWorker = (name: string, hosts: string) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `verdict-${name}-`));
    const logFile = path.join(dataDir, 'worker.log');
    logs.push(logFile);
    const out = fs.openSync(logFile, 'a');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'worker'], {
      cwd: ROOT,
      stdio: ['ignore', out, out],
      env: {
        ...process.env,
        VERDICT_QUEUE_URL: redis.url,
        VERDICT_QUEUE_PREFIX: prefix,
        VERDICT_DOCKER_HOSTS: hosts,
        VERDICT_WORKER_NAME: name,
        VERDICT_WORKER_PORT: '0',
        VERDICT_WORKER_LOCK_MS: String(LOCK_MS),
        VERDICT_CONCURRENCY: '2',
        VERDICT_WARM: '1',
        VERDICT_PREWARM: 'false',
        VERDICT_DATA_DIR: dataDir,
        VERDICT_SANDBOXES_DIR: SANDBOXES,
        VERDICT_LOG_LEVEL: 'info',
      },
    });
    workers.set(name, child);
  };
  const untilWorkers = async (n: number) => {
    for (let i = 0; i < 240; i++) {
      if ((await queue.getWorkersCount()) === n) return;
      await sleep(250);
    }
    throw new Error(`expected ${n} workers; logs: ${logs.map((l) => fs.readFileSync(l, 'utf8').slice(-1500)).join('\n---\n')}`);
  };
  const grade = (completion: string) => postGrade(app, { benchmark: 'humaneval', problem_id: add.task_id, completion, options: { cache: false } });

  beforeAll(async () => {
    const ref = await ensurePythonImage();
    await redis.start();
    await d2.start();
    await d2.loadFromHost(ref);
    app = await testApp([{ benchmark: 'humaneval', file: writeFixtures().humaneval }], {
      instance: 'test-cluster',
      queueUrl: redis.url,
      queuePrefix: prefix,
      concurrency: 32,
    });
    queue = new Queue(QUEUE_NAME, { connection: { url: redis.url }, prefix });
    startWorker('w1', 'unix:///var/run/docker.sock=2');
    startWorker('w2', `${d2.endpoint}=2`);
    await untilWorkers(2);
  }, 900_000);

  afterAll(async () => {
    for (const w of workers.values()) if (w.exitCode === null) w.kill('SIGKILL');
    await app?.close().catch(() => undefined);
    await queue?.close().catch(() => undefined);
    await d2.destroy();
    await redis.stop();
  }, 120_000);

  it('reports the queue and its workers in /healthz', async () => {
    const r = await app.server.inject({ method: 'GET', url: '/healthz' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ status: 'ok', queue: { reachable: true, workers: 2 } });
  });

  it('grades through the queue on both workers, with the verdicts a local grade gives', async () => {
    const vs = await Promise.all(Array.from({ length: 8 }, (_, i) => grade(slow(i % 2 === 0, i))));
    expect(vs.map((v) => v.status)).toEqual(vs.map((_, i) => (i % 2 === 0 ? 'pass' : 'fail')));
    expect(vs.filter((v) => v.status === 'fail').every((v) => v.reason === 'wrong_answer')).toBe(true);
    const done = await queue.getCompleted();
    expect(new Set(done.map((j) => j.processedBy))).toEqual(new Set(['w1', 'w2']));
  }, 120_000);

  it('a worker SIGKILLed mid-batch: its grades are re-run on the other one, every grade answered once and right', async () => {
    const before = await queue.getJobCounts('completed', 'failed');
    const n = 24;
    const all = Promise.all(Array.from({ length: n }, (_, i) => grade(slow(i % 3 !== 0, 100 + i))));
    // wait until w1 holds grades, then kill it without a chance to clean up
    let held: string[] = [];
    for (let i = 0; i < 200 && held.length === 0; i++) {
      held = (await queue.getActive()).filter((j) => j.processedBy === 'w1').map((j) => j.id!);
      if (!held.length) await sleep(100);
    }
    expect(held.length).toBeGreaterThan(0);
    workers.get('w1')!.kill('SIGKILL');
    const vs: Verdict[] = await all;

    expect(vs).toHaveLength(n);
    const odd = vs.filter((v, i) => v.status !== (i % 3 !== 0 ? 'pass' : 'fail'));
    expect(odd.map((v) => `${v.status}/${v.reason}: ${v.detail ?? ''}`)).toEqual([]);
    expect(vs.map((v) => v.status)).toEqual(vs.map((_, i) => (i % 3 !== 0 ? 'pass' : 'fail')));
    // the grades w1 held were finished by w2, once
    for (const id of held) {
      const job = await Job.fromId(queue, id);
      expect(job?.finishedOn, id).toBeTruthy();
      expect(job?.processedBy).toBe('w2');
      expect(job?.failedReason ?? null).toBeNull();
    }
    const after = await queue.getJobCounts('completed', 'failed');
    expect(after.completed! - before.completed!).toBe(n);
    expect(after.failed).toBe(before.failed);
  }, 300_000);

  it('one worker on two Docker hosts: a host that dies is drained, grading goes on, and the host is used again when it is back', async () => {
    // w2 leaves (SIGTERM: finishes what it holds); w3 drives both engines
    const w2 = workers.get('w2')!;
    const gone = new Promise((r) => w2.once('exit', r));
    w2.kill('SIGTERM');
    await gone;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-w3-'));
    const config = loadConfig(
      {},
      {
        dataDir,
        sandboxesDir: SANDBOXES,
        queueUrl: redis.url,
        queuePrefix: prefix,
        workerName: 'w3',
        workerPort: 0,
        dockerHosts: `unix:///var/run/docker.sock=2,${d2.endpoint}=2`,
        workerLockMs: LOCK_MS,
        warm: 1,
        prewarm: false,
      },
    );
    let w3: WorkerApp | undefined;
    try {
      w3 = await createWorker(config, { log: quietLog });
      await untilWorkers(1);
      expect(w3.hosts.stats().map((h) => h.state)).toEqual(['up', 'up']);
      const first = await Promise.all(Array.from({ length: 8 }, (_, i) => grade(slow(true, 200 + i))));
      expect(first.every((v) => v.status === 'pass')).toBe(true);

      // the second engine stops while grades run on it
      const batch = Promise.all(Array.from({ length: 8 }, (_, i) => grade(slow(i % 2 === 0, 300 + i))));
      await sleep(500);
      await d2.stop();
      const vs = await batch;
      expect(vs.map((v) => v.status)).toEqual(vs.map((_, i) => (i % 2 === 0 ? 'pass' : 'fail')));
      expect(w3.hosts.stats()[1]!.state).toBe('down');
      const more = await Promise.all(Array.from({ length: 4 }, (_, i) => grade(slow(true, 400 + i))));
      expect(more.every((v) => v.status === 'pass')).toBe(true);

      // back: the health check finds it and it takes sessions again
      await d2.start();
      for (let i = 0; i < 120 && w3.hosts.stats()[1]!.state !== 'up'; i++) await sleep(500);
      expect(w3.hosts.stats()[1]!.state).toBe('up');
      const again = await Promise.all(Array.from({ length: 6 }, (_, i) => grade(slow(true, 500 + i))));
      expect(again.every((v) => v.status === 'pass')).toBe(true);
      const onD2 = await d2.docker.listContainers({ all: true, filters: { label: [`${INSTANCE_LABEL}=worker-w3`] } });
      expect(onD2.length).toBeGreaterThan(0);
    } finally {
      await w3?.close();
    }
  }, 600_000);
});
