import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseImage, imagesConfigFromEnv } from '../src/sandbox/images/config.js';
import { imageExists } from '../src/sandbox/images/docker.js';
import { imageRef } from '../src/sandbox/images/recipe.js';
import { readBuildStatus } from '../src/sandbox/image-builder.js';
import { imageBuildsFile } from '../src/app.js';
import { buildOrder } from '../src/benchmarks/images.js';
import { BENCHMARK_IMAGES, BENCHMARKS } from '../src/benchmarks/registry.js';
import { dockerAvailable, ensurePythonImage, SANDBOXES } from './helpers/docker.js';
import { testApp } from './helpers/app.js';
import { ti } from './helpers/instance.js';
import { writeFixtures } from './fixtures/humaneval.js';
import type { Verdict } from '../src/schemas.js';

const docker = await dockerAvailable();

describe('build order', () => {
  it('names the images of every benchmark, and builds the imported ones first', () => {
    for (const name of BENCHMARKS.keys()) expect(BENCHMARK_IMAGES[name], name).toBeDefined();
    expect(buildOrder([])[0]).toBe('python');
    expect(buildOrder([]).at(-1)).toBe('bigcodebench');
    expect(buildOrder(['bigcodebench'])[0]).toBe('bigcodebench');
    expect(buildOrder(['codeforces']).slice(0, 2)).toEqual(['judge', 'python']);
  });
});

// A service on a machine whose Python image is not built yet: it serves at
// once, answers image_building (with Retry-After) for the benchmarks that need
// the missing image, says so in /healthz, and grades once the build is done.
describe.runIf(docker)('background image builds', () => {
  let dir: string;
  let ref: string;
  let app: Awaited<ReturnType<typeof testApp>>;

  beforeAll(async () => {
    await ensurePythonImage();
    // a python recipe with one more layer: its own content address, built from the layer cache in seconds
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-sandboxes-'));
    fs.cpSync(path.join(SANDBOXES, 'agent'), path.join(dir, 'agent'), { recursive: true });
    fs.cpSync(path.join(SANDBOXES, 'python'), path.join(dir, 'python'), { recursive: true });
    fs.appendFileSync(path.join(dir, 'python', 'Dockerfile'), `\nRUN sleep 4 && echo ${Date.now()} > /opt/verdict/built\n`);
    ref = await imageRef(dir, 'python', baseImage(imagesConfigFromEnv()));
    expect(await imageExists(new Docker(), ref)).toBe(false);
    app = await testApp([{ benchmark: 'humaneval', file: writeFixtures().humaneval }], { instance: ti('test-image-builds'), sandboxesDir: dir, buildImages: true });
  }, 600_000);

  afterAll(async () => {
    await app?.close();
    await new Docker().getImage(ref).remove({ force: true }).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers image_building with Retry-After while building, then grades', async () => {
    const body = { benchmark: 'humaneval', problem_id: 'Mini/0', completion: '    return a + b + c\n' };
    const early = await app.server.inject({ method: 'POST', url: '/v1/grade', payload: body });
    expect(early.statusCode, early.body).toBe(200);
    const v = early.json() as Verdict;
    expect(v).toMatchObject({ status: 'infra_error', reason: 'image_building', retryable: true });
    expect(early.headers['retry-after']).toBe('30');

    const h = await app.server.inject({ method: 'GET', url: '/healthz' });
    expect(h.statusCode).toBe(200);
    const hb = h.json() as { status: string; benchmarks: Record<string, string>; images: Array<{ name: string; state: string }> };
    expect(hb.status).toBe('building');
    expect(hb.benchmarks.humaneval).toBe('building');
    expect(hb.images.find((i) => i.name === 'python')?.state).toMatch(/queued|building/);
    // `verdict images status` reads what the serving process wrote
    await new Promise((r) => setTimeout(r, 200));
    expect((await readBuildStatus(imageBuildsFile(app.dataDir)))?.find((i) => i.name === 'python')?.state).toMatch(/queued|building/);

    await app.images!.idle();
    expect(await imageExists(new Docker(), ref)).toBe(true);
    const after = await app.server.inject({ method: 'POST', url: '/v1/grade', payload: body });
    expect((after.json() as Verdict).status).toBe('pass');
    const h2 = (await app.server.inject({ method: 'GET', url: '/healthz' })).json() as { status: string; benchmarks: Record<string, string> };
    expect(h2.status).toBe('ok');
    expect(h2.benchmarks.humaneval).toBe('ready');
    // bigcodebench's image is not among this service's recipes
    expect(h2.benchmarks.bigcodebench).toBe('missing');
  }, 600_000);
});
