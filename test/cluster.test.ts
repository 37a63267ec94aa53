import Docker from 'dockerode';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Job, Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { QUEUE_NAME } from '../src/queue/protocol.js';
import { INSTANCE_LABEL } from '../src/sandbox/container-spec.js';
import { ensureImages } from '../src/sandbox/images/build.js';
import { createWorker, type WorkerApp } from '../src/queue/worker-app.js';
import type { Verdict } from '../src/schemas.js';
import { HUMANEVAL_MINI, writeFixtures } from './fixtures/humaneval.js';
import { testApp } from './helpers/app.js';
import { dockerAvailable, ensurePythonImage, quietLog, SANDBOXES } from './helpers/docker.js';
import { canSecondDockerd, SecondDockerd, sleep } from './helpers/dockerd.js';
import { REDIS_SERVER, TestRedis } from './helpers/redis.js';
import { ti } from './helpers/instance.js';

// Scale-out for real: a redis-server, the API in this process with --queue,
// and two `verdict worker` processes, each on its own dockerd (the host's and
// a second one with its own socket and data root). One worker is SIGKILLed
// mid-batch: every grade must still come back once, with the right verdict.

const hasDocker = await dockerAvailable();
if (hasDocker && !canSecondDockerd) console.warn('[skip] scale-out: needs root and /usr/sbin/dockerd for a second Docker engine');
const ROOT = path.resolve(import.meta.dirname, '..');
const LOCK_MS = 4000;

const add = HUMANEVAL_MINI[0]!;
// An inline problem with a generous limit: on a loaded machine HumanEval's 3 s
// would turn an honest slow grade into a timeout, which is not what this tests.
const ADD = { tests: { type: 'assert', entry_point: 'add', code: 'assert add(1, 2) == 3\nassert add(-1, 1) == 0' }, timeout_s: 60 };
/** a right or wrong add that takes ~0.5 s, so a batch is still running when a worker dies */
function slow(right: boolean, i: number): string {
  return `import time\ndef add(a, b):\n    time.sleep(0.5)\n    return a + b${right ? '' : ' + 1'}  # ${i}\n`;
}

describe.skipIf(!hasDocker || !canSecondDockerd || !REDIS_SERVER)('scale-out: API + Redis + two workers, each with its own dockerd', () => {
  const redis = new TestRedis();
  const d2 = new SecondDockerd('clu', 91);
  const prefix = `t${process.pid}`;
  const workers = new Map<string, ChildProcess>();
  const logs: string[] = [];
  let app: App;
  let queue: Queue;

  const startWorker = (name: string, hosts: string, env: Record<string, string> = {}) => {
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
        ...env,
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
  const grade = async (completion: string): Promise<Verdict> => {
    const r = await app.server.inject({ method: 'POST', url: '/v1/grade/batch', payload: { format: 'json', items: [{ problem: ADD, completion }], options: { cache: false } } });
    expect(r.statusCode, r.body).toBe(200);
    return (r.json() as { results: Verdict[] }).results[0]!;
  };

  beforeAll(async () => {
    const ref = await ensurePythonImage();
    // the judge core's image too: inline stdin/stdout problems run there, on either worker
    const [judge] = await ensureImages(new Docker(), SANDBOXES, ['judge']);
    await redis.start();
    await d2.start();
    await d2.loadFromHost(ref);
    await d2.loadFromHost(judge!.ref);
    app = await testApp([{ benchmark: 'humaneval', file: writeFixtures().humaneval }], {
      instance: ti('test-cluster'),
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
    // a SIGKILLed worker cannot remove its warm containers: do it for them (on the host engine; d2 goes whole)
    const host = new Docker();
    for (const name of workers.keys()) {
      const left = await host.listContainers({ all: true, filters: { label: [`${INSTANCE_LABEL}=worker-${name}`] } }).catch(() => []);
      await Promise.all(left.map((c) => host.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    }
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

  it('streams batches (NDJSON, inline stdin/stdout problems included) and runs regrading jobs through the queue', async () => {
    const items = [
      { problem_id: add.task_id, completion: add.canonical_solution },
      { problem_id: add.task_id, completion: '    return 0\n' },
      { problem: { tests: { type: 'stdio', cases: [{ stdin: '1 2\n', stdout: '3\n' }] } }, completion: 'a, b = map(int, input().split())\nprint(a + b)\n' },
    ];
    const r = await app.server.inject({ method: 'POST', url: '/v1/grade/batch', payload: { benchmark: 'humaneval', items, options: { cache: false } } });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toContain('application/x-ndjson');
    const lines = r.body.trim().split('\n').map((l) => JSON.parse(l) as Verdict & { index: number });
    lines.sort((a, b) => a.index - b.index);
    expect(lines.map((l) => l.status), JSON.stringify(lines.map((l) => [l.reason, l.detail]))).toEqual(['pass', 'fail', 'pass']);

    const lines2 = [add.canonical_solution, '    return a\n', add.canonical_solution].map((completion) => JSON.stringify({ task_id: add.task_id, completion }));
    const created = await app.server.inject({ method: 'POST', url: '/v1/jobs', payload: { benchmark: 'humaneval', jsonl: lines2.join('\n') + '\n' } });
    expect(created.statusCode, created.body).toBe(201);
    const id = (created.json() as { id: string }).id;
    let job: { state: string; passes: number; fails: number; infra_errors: number } | undefined;
    for (let i = 0; i < 240; i++) {
      job = (await app.server.inject({ method: 'GET', url: `/v1/jobs/${id}` })).json();
      if (job!.state === 'done') break;
      await sleep(250);
    }
    expect(job).toMatchObject({ state: 'done', passes: 2, fails: 1, infra_errors: 0 });
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

  it('a grade whose workers keep dying: infra_error worker_lost (retryable) once the retries are spent, never a hang or a fail', async () => {
    // one retry-less worker holds the grade and dies; the next one finds it stalled and gives up on it
    startWorker('w4', 'unix:///var/run/docker.sock=1', { VERDICT_WORKER_RETRIES: '0' });
    await untilWorkers(1);
    const pending = grade('import time\ndef add(a, b):\n    time.sleep(5)\n    return a + b\n');
    let held = false;
    for (let i = 0; i < 300 && !held; i++) {
      held = (await queue.getActive()).some((j) => j.processedBy === 'w4');
      if (!held) await sleep(100);
    }
    expect(held).toBe(true);
    workers.get('w4')!.kill('SIGKILL');
    startWorker('w5', 'unix:///var/run/docker.sock=1', { VERDICT_WORKER_RETRIES: '0' });
    const v = await pending;
    expect(v).toMatchObject({ status: 'infra_error', reason: 'worker_lost', retryable: true });
    // w5 is healthy: the next grade is an ordinary one
    expect((await grade(slow(true, 600))).status).toBe('pass');
  }, 300_000);
});
