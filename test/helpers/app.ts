import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { BENCHMARKS } from '../../src/benchmarks/registry.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Verdict } from '../../src/schemas.js';
import { quietLog, SANDBOXES } from './docker.js';
import { ti } from './instance.js';

/**
 * A service on a temp data dir with the given benchmark files imported. The
 * result cache is off unless asked for (`cacheEntries`), so a test that grades
 * the same program twice runs it twice.
 */
export async function testApp(
  imports: Array<{ benchmark: string; file: string; version?: string }>,
  over: Partial<Config> = {},
): Promise<App & { dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-data-'));
  const config = loadConfig({}, { dataDir, sandboxesDir: SANDBOXES, concurrency: 2, warm: 1, instance: ti('test-api'), prewarm: false, cacheEntries: 0, ...over });
  const app = await createApp(config, { log: quietLog });
  for (const imp of imports) {
    const bench = BENCHMARKS.get(imp.benchmark)!;
    const { version, problems } = await bench.read(imp.file, imp.version ? { version: imp.version } : {});
    app.store.importVersion({ name: bench.name, version, source: imp.file, sha256: 'test' }, problems);
  }
  return Object.assign(app, { dataDir });
}

/** POST /v1/grade through the app's server; the request must be accepted. */
export async function postGrade(
  app: App,
  body: { benchmark: string; problem_id: string; completion: string; options?: Record<string, unknown> | undefined },
): Promise<Verdict> {
  const r = await app.server.inject({ method: 'POST', url: '/v1/grade', payload: body });
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as Verdict;
}
