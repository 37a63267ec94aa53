import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.js';
import { humaneval } from '../src/benchmarks/humaneval/benchmark.js';
import { defaultInstance, loadConfig } from '../src/config.js';
import { ProblemStore } from '../src/store/store.js';
import { writeFixtures } from './fixtures/humaneval.js';
import { dockerAvailable, ensurePythonImage, quietLog, SANDBOXES } from './helpers/docker.js';

// Issue 14.8: two services on one Docker engine, both with the default
// instance, must not remove each other's containers at start-up. The default
// instance is derived from the data directory (one per store); a restart on
// the same data directory still removes its own leftovers.

const hasDocker = await dockerAvailable();
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-inst-'));

describe('default instance', () => {
  it('is derived from the data directory: stable for one, different for two, the same before and after it exists', () => {
    const a = tmp();
    const b = tmp();
    const ca = loadConfig({}, { dataDir: a });
    expect(ca.instance).toMatch(/^d-[0-9a-f]{12}$/);
    expect(loadConfig({}, { dataDir: a + '/' }).instance).toBe(ca.instance);
    expect(loadConfig({}, { dataDir: b }).instance).not.toBe(ca.instance);
    const later = path.join(b, 'not-yet', 'data');
    const before = defaultInstance(later);
    fs.mkdirSync(later, { recursive: true });
    expect(defaultInstance(later)).toBe(before);
    // a symlinked path names the same store, so the same instance
    const link = path.join(tmp(), 'link');
    fs.symlinkSync(a, link);
    expect(defaultInstance(link)).toBe(ca.instance);
    // an explicit VERDICT_INSTANCE still wins
    expect(loadConfig({ VERDICT_INSTANCE: 'mine' }, { dataDir: a }).instance).toBe('mine');
  });
});

describe.skipIf(!hasDocker)('two services with the default instance on one engine', () => {
  const apps: App[] = [];
  afterAll(async () => {
    for (const a of apps) await a.close();
  });

  it("the second one's start-up leaves the first one's warm containers alone", async () => {
    await ensurePythonImage();
    const docker = new Docker();
    const fx = writeFixtures();
    const start = async () => {
      // no instance given: the default
      const dataDir = tmp();
      // a served Python benchmark, so start-up warms its pool
      const store = new ProblemStore(dataDir);
      const { version, problems } = await humaneval.read(fx.humaneval, {});
      store.importVersion({ name: 'humaneval', version, source: fx.humaneval, sha256: 'test' }, problems);
      store.close();
      const config = loadConfig({}, { dataDir, sandboxesDir: SANDBOXES, concurrency: 1, warm: 1, prewarm: true, cacheEntries: 0 });
      const app = await createApp(config, { log: quietLog });
      apps.push(app);
      return { app, instance: config.instance };
    };
    const containers = async (instance: string) =>
      (await docker.listContainers({ all: true, filters: { label: [`verdict.instance=${instance}`] } })).map((c) => c.Id).sort();

    const a = await start();
    // wait for a's warm container
    let mine: string[] = [];
    for (let i = 0; i < 200 && mine.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      if (a.app.engine.stats().pools.some((p) => Number(p.idle) > 0)) mine = await containers(a.instance);
    }
    expect(mine.length).toBeGreaterThan(0);

    const b = await start();
    // b's start-up has run its stale-container removal by now
    expect(await containers(a.instance)).toEqual(expect.arrayContaining(mine));
    const running = await docker.listContainers({ filters: { id: mine } });
    expect(running.map((c) => c.Id).sort()).toEqual(mine);
    expect(b.instance).not.toBe(a.instance);
  }, 300_000);
});
