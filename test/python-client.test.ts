import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtures } from './fixtures/humaneval.js';
import { testApp } from './helpers/app.js';
import { dockerAvailable, ensurePythonImage } from './helpers/docker.js';
import { ti } from './helpers/instance.js';

// The Python client's own unittest suite (clients/python/tests), run against
// a live service on a real port, so `npm test` covers the client too.

const hasDocker = await dockerAvailable();
const CLIENT = path.resolve(import.meta.dirname, '..', 'clients', 'python');

describe.skipIf(!hasDocker)('Python client (stdlib unittest) against a live service', () => {
  let app: Awaited<ReturnType<typeof testApp>>;
  let url: string;
  beforeAll(async () => {
    await ensurePythonImage();
    const fx = writeFixtures();
    app = await testApp([{ benchmark: 'humaneval', file: fx.humaneval }], { instance: ti('test-pyclient'), cacheEntries: 1000 });
    url = await app.server.listen({ host: '127.0.0.1', port: 0 });
  }, 900_000);
  afterAll(async () => {
    await app?.close();
  });

  it('passes python3 -m unittest', async () => {
    const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const p = spawn('python3', ['-m', 'unittest', 'discover', '-v', '-s', path.join(CLIENT, 'tests'), '-t', CLIENT], {
        cwd: CLIENT,
        env: { ...process.env, VERDICT_URL: url, PYTHONDONTWRITEBYTECODE: '1' },
      });
      let out = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.stderr.on('data', (d: Buffer) => (out += d.toString()));
      p.on('close', (code) => resolve({ code, out }));
    });
    expect(code, out).toBe(0);
    // every test ran (none skipped for want of a service)
    expect(out).toMatch(/Ran 9 tests/);
    expect(out).not.toContain('skipped');
  }, 300_000);
});
