import Docker from 'dockerode';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.js';
import { BENCHMARKS } from '../src/benchmarks/registry.js';
import { loadConfig } from '../src/config.js';
import type { Verdict } from '../src/schemas.js';
import { HUMANEVAL_MINI, writeFixtures } from './fixtures/humaneval.js';
import { quietLog, SANDBOXES } from './helpers/docker.js';
import { ti } from './helpers/instance.js';

// Our failures are infra_error (retryable), never a failed program.
describe('when Docker is unreachable', () => {
  let app: App;
  beforeAll(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-infra-'));
    const config = loadConfig({}, { dataDir, sandboxesDir: SANDBOXES, retries: 2, prewarm: false, instance: ti('test-infra') });
    app = await createApp(config, { log: quietLog, docker: new Docker({ socketPath: path.join(dataDir, 'no-docker.sock') }) });
    const fx = writeFixtures();
    const { version, problems } = await BENCHMARKS.get('humaneval')!.read(fx.humaneval, {});
    app.store.importVersion({ name: 'humaneval', version, source: fx.humaneval, sha256: '-' }, problems);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers infra_error with retryable: true after bounded retries', async () => {
    const r = await app.server.inject({
      method: 'POST',
      url: '/v1/grade',
      payload: { benchmark: 'humaneval', problem_id: 'Mini/0', completion: HUMANEVAL_MINI[0]!.canonical_solution },
    });
    expect(r.statusCode).toBe(200);
    const v = r.json() as Verdict;
    expect(v.status).toBe('infra_error');
    expect(v.retryable).toBe(true);
    expect(v.reward).toBe(0);
    expect(v.reason).toBe('sandbox_error');
    expect(v.attempts).toBe(3);
    expect(v.detail).toMatch(/Docker engine unreachable/);
  });

  it('reports itself degraded on /healthz', async () => {
    const r = await app.server.inject({ method: 'GET', url: '/healthz' });
    expect(r.statusCode).toBe(503);
    expect(r.json().docker.reachable).toBe(false);
  });
});
