import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { pythonProfile } from '../src/benchmarks/python-harness/harness.js';
import { BENCHMARKS } from '../src/benchmarks/registry.js';
import type { AnyBenchmark, PlanBenchmark, PlanProfile } from '../src/benchmarks/types.js';
import { composeGrading, prewarm, warmProfiles, type Sandboxes } from '../src/compose.js';
import { loadConfig } from '../src/config.js';
import type { SandboxSession } from '../src/sandbox/engine.js';
import { SandboxError } from '../src/sandbox/errors.js';
import type { ContainerProfile, ExecResult } from '../src/sandbox/types.js';
import { ProblemStore } from '../src/store/store.js';

// src/compose.ts, the one place `serve` and `worker` build their grading
// parts from the configuration: which pools start-up warms (only those of the
// benchmarks served), and a grader that takes its runtime and retries from
// the configuration. Sandboxes are a fake: no Docker.

const log = pino({ level: 'silent' });
const MB = 1 << 20;

const ok: ExecResult = {
  exitCode: 0, signal: null, wallMs: 1, cpuMs: 1, maxRssKb: 1, timedOut: false, cpuLimitExceeded: false, outputLimitExceeded: false,
  oomKilled: false, outputBytes: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), stdoutTruncated: false, stderrTruncated: false,
};

/** Sandboxes without Docker: records the profiles warmed and asked for; `failures` sessions fail first (infra). */
class FakeSandboxes implements Sandboxes {
  readonly warmed: ContainerProfile[] = [];
  readonly sessions: ContainerProfile[] = [];
  failures = 0;

  prewarm(profile: ContainerProfile): void {
    this.warmed.push(profile);
  }

  async session<T>(profile: ContainerProfile, fn: (s: SandboxSession) => Promise<T>): Promise<T> {
    this.sessions.push(profile);
    if (this.failures > 0) {
      this.failures -= 1;
      throw new SandboxError('container lost mid-run', 'container_lost');
    }
    return fn({ put: async () => undefined, exec: async () => ok, pair: () => Promise.reject(new Error('unused')), get: async () => new Map() });
  }
}

const small = (image: string, memoryMb: number): PlanProfile => ({ image, memoryBytes: memoryMb * MB, cpus: 1, pidsLimit: 16, workBytes: MB, tmpBytes: MB });

/** A benchmark whose every plan takes `small('fake', memory_mb)`, and which declares it. */
const fake: PlanBenchmark<{ memory_mb: number }> = {
  kind: 'plan',
  name: 'fake',
  description: 'passes whatever exits 0',
  graderVersion: '1',
  options: z.strictObject({ memory_mb: z.number().int().default(300) }),
  read: () => Promise.reject(new Error('not read in this test')),
  extract: (_problem, completion) => ({ code: completion }),
  warmProfile: (options) => small('fake', options.memory_mb),
  plan: (_problem, { code }, options) => ({ profile: small('fake', options.memory_mb), files: [{ path: 'main', content: code }], steps: [{ argv: ['run'], limits: { wallMs: 1000 } }] }),
  outcome: (_problem, _plan, results) => (results[0]!.exitCode === 0 ? { status: 'pass', reason: null, tests: [] } : { status: 'fail', reason: 'wrong_answer', tests: [] }),
};
/** The same grading, without a pool worth warming (its containers depend on the problem). */
const unwarmed: AnyBenchmark = { ...fake, name: 'unwarmed', warmProfile: undefined } as AnyBenchmark;
const benchmarks = new Map<string, AnyBenchmark>([
  ['fake', fake as AnyBenchmark],
  ['unwarmed', unwarmed],
]);

const dirs: string[] = [];
const stores: ProblemStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tmpStore(): { dir: string; store: ProblemStore } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-compose-'));
  dirs.push(dir);
  const store = new ProblemStore(dir);
  stores.push(store);
  return { dir, store };
}

describe('warmProfiles: the pools of the benchmarks served', () => {
  it('the Python benchmarks share one pool: the python image at their default 2048 MB', () => {
    const python2g = pythonProfile(2048 * MB);
    expect(warmProfiles(BENCHMARKS, ['humaneval', 'mbpp', 'mbpp-sanitized', 'livecodebench'])).toEqual([python2g]);
    expect(warmProfiles(BENCHMARKS, ['humaneval', 'humaneval'])).toEqual([python2g]);
  });

  it('nothing served, or only benchmarks whose containers vary by problem: no pool', () => {
    expect(warmProfiles(BENCHMARKS, [])).toEqual([]);
    expect(warmProfiles(BENCHMARKS, ['codeforces', 'usaco', 'polyglot'])).toEqual([]);
    expect(warmProfiles(BENCHMARKS, ['no-such-benchmark'])).toEqual([]);
  });

  it("a benchmark's pool is the one its plans take with the default options", () => {
    expect(warmProfiles(benchmarks, ['fake', 'unwarmed'])).toEqual([small('fake', 300)]);
    const plan = fake.plan({ id: 'P1', prompt: '', public: {}, hidden: {} }, { code: 'x' }, fake.options.parse({}), undefined);
    expect(warmProfiles(benchmarks, ['fake'])).toEqual([plan.profile]);
  });
});

describe('prewarm', () => {
  it('warms each served pool once, with the resolved image and the configured runtime', async () => {
    const config = loadConfig({}, { runtime: 'runsc', prewarm: true });
    const sandboxes = new FakeSandboxes();
    const warmed = await prewarm(config, { sandboxes, benchmarks }, { served: ['unwarmed', 'fake'], imageRef: async (n) => `img/${n}`, log });
    expect(sandboxes.warmed).toEqual([{ ...small('fake', 300), image: 'img/fake', runtime: 'runsc' }]);
    expect(warmed).toEqual(sandboxes.warmed);
  });

  it('warms nothing when prewarm is off, nothing served, or the image is not ready', async () => {
    const sandboxes = new FakeSandboxes();
    const imageRef = async (n: string) => `img/${n}`;
    await prewarm(loadConfig({}, { prewarm: false }), { sandboxes, benchmarks }, { served: ['fake'], imageRef, log });
    await prewarm(loadConfig({}, { prewarm: true }), { sandboxes, benchmarks }, { served: ['unwarmed'], imageRef, log });
    const building = () => Promise.reject(new SandboxError('sandbox image fake is queued for building', 'image_building', false));
    await prewarm(loadConfig({}, { prewarm: true }), { sandboxes, benchmarks }, { served: ['fake'], imageRef: building, log });
    expect(sandboxes.warmed).toEqual([]);
  });
});

describe('composeGrading', () => {
  it('a grader with the configured runtime and retries', async () => {
    const { dir, store } = tmpStore();
    store.importVersion({ name: 'fake', version: 'v1', source: 'test', sha256: 'test' }, [{ id: 'P1', prompt: '', public: {}, hidden: {} }]);
    const grade = async (retries: number, failures: number) => {
      const sandboxes = new FakeSandboxes();
      sandboxes.failures = failures;
      const config = loadConfig({}, { dataDir: dir, runtime: 'runsc', retries });
      const gauges = { queue: () => 0, running: () => 0, pools: () => [] };
      const { grader } = composeGrading(config, { store, sandboxes, benchmarks, imageRef: async (n) => `img/${n}`, log, gauges });
      const v = await grader.grade({ benchmark: 'fake', problem_id: 'P1', completion: 'x' });
      return { v, sandboxes };
    };
    const first = await grade(2, 1);
    expect(first.v).toMatchObject({ status: 'pass', attempts: 2 });
    expect(first.sandboxes.sessions.map((p) => [p.image, p.runtime])).toEqual([
      ['img/fake', 'runsc'],
      ['img/fake', 'runsc'],
    ]);
    const noRetry = await grade(0, 1);
    expect(noRetry.v).toMatchObject({ status: 'infra_error', attempts: 1 });
  });
});
