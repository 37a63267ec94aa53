import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AnyBenchmark, PlanBenchmark, PlanProfile, RunPlan } from '../src/benchmarks/types.js';
import { Grader } from '../src/grading/grader.js';
import type { SandboxSession, SessionOptions, Sessions, SessionTimings } from '../src/sandbox/engine.js';
import { SandboxError } from '../src/sandbox/errors.js';
import type { ContainerProfile, ExecResult, FileEntry, Step } from '../src/sandbox/types.js';
import type { GradeOptions, Verdict } from '../src/schemas.js';
import { ProblemStore } from '../src/store/store.js';

// The Grader between a benchmark and the Sessions it depends on, with a fake
// Sessions in place of Docker: retries on infra errors, client deadlines and
// single-flight calibration. The fake "sandbox" runs two commands: `calibrate`
// prints the reference answer, `check` passes when the candidate's answer
// file equals the reference the plan was given — so a pass also proves the
// calibration data reached the plan.

const log = pino({ level: 'silent' });
const limits = { wallMs: 1000 };
const profile = (image: string): PlanProfile => ({ image, memoryBytes: 64 << 20, cpus: 1, pidsLimit: 16, workBytes: 1 << 20, tmpBytes: 1 << 20 });

/** A benchmark whose plan needs its calibration (as HumanEval+ needs reference outputs). */
const calibrated: PlanBenchmark<Record<string, never>, { ref: string }> = {
  kind: 'plan',
  name: 'fake-calibrated',
  description: 'answers checked against a calibrated reference',
  graderVersion: '1',
  options: z.strictObject({}),
  read: () => Promise.reject(new Error('not read in this test')),
  extract: (_problem, completion) => ({ code: completion.trim() }),
  calibration: {
    key: () => 'reference',
    plan: (): RunPlan => ({ profile: profile('calibrator'), files: [], steps: [{ argv: ['calibrate'], limits }] }),
    parse: (_problem, results) => z.object({ ref: z.string() }).parse(JSON.parse(results[0]!.stdout.toString())),
  },
  plan(_problem, { code }, _options, calibration) {
    if (!calibration) throw new Error('fake-calibrated needs calibration data');
    return {
      profile: profile('checker'),
      files: [
        { path: 'answer', content: code },
        { path: 'reference', content: calibration.ref },
      ],
      steps: [{ argv: ['check'], limits }],
    };
  },
  outcome: (_problem, _plan, results) =>
    results[0]!.exitCode === 0 ? { status: 'pass', reason: null, tests: [] } : { status: 'fail', reason: 'wrong_answer', tests: [] },
};

/** The same without calibration: the reference is fixed. */
const plain: PlanBenchmark<Record<string, never>> = {
  ...calibrated,
  name: 'fake-plain',
  description: 'answers checked against a fixed reference',
  calibration: undefined,
  plan: (problem, code, options) => calibrated.plan(problem, code, options, { ref: 'yes' }),
};

function execResult(exitCode: number, stdout = ''): ExecResult {
  return {
    exitCode, signal: null, wallMs: 1, cpuMs: 1, maxRssKb: 1, timedOut: false, cpuLimitExceeded: false, outputLimitExceeded: false,
    oomKilled: false, outputBytes: stdout.length, stdout: Buffer.from(stdout), stderr: Buffer.alloc(0), stdoutTruncated: false, stderrTruncated: false,
  };
}

/** What one session does before it runs: fail at once, or wait for `hold` first (a rejected hold fails it). */
type Turn = { fail: Error } | { hold: Promise<void> };

/** Sessions without Docker: each session takes the next scripted turn (none: it just runs). */
class FakeSessions implements Sessions {
  /** the image of every session asked for, in order (failed ones too) */
  readonly images: string[] = [];
  readonly script: Turn[] = [];

  /** the abort signal each session was given (undefined: none), in order */
  readonly signals: (AbortSignal | undefined)[] = [];

  async session<T>(p: ContainerProfile, fn: (s: SandboxSession) => Promise<T>, onTimings?: (t: SessionTimings) => void, opts?: SessionOptions): Promise<T> {
    this.images.push(p.image);
    this.signals.push(opts?.signal);
    const turn = this.script.shift();
    if (turn && 'fail' in turn) throw turn.fail;
    if (turn) {
      // as the engine does: an abort stops the session (its container is killed)
      await Promise.race([
        turn.hold,
        new Promise<never>((_, reject) => opts?.signal?.addEventListener('abort', () => reject(new SandboxError('session cancelled', 'container_lost')), { once: true })),
      ]);
    }
    const files = new Map<string, string>();
    const session: SandboxSession = {
      put: async (entries: FileEntry[]) => {
        for (const f of entries) files.set(f.path, f.content.toString());
      },
      exec: async (step: Step) => {
        if (step.argv[0] === 'calibrate') return execResult(0, JSON.stringify({ ref: 'yes' }));
        return execResult(files.get('answer') === files.get('reference') ? 0 : 1);
      },
      pair: () => Promise.reject(new Error('pair: not used by these benchmarks')),
      get: () => Promise.reject(new Error('get: not used by these benchmarks')),
    };
    const result = await fn(session);
    onTimings?.({ queueMs: 5, sandboxMs: 7 });
    return result;
  }

  count(image: string): number {
    return this.images.filter((i) => i === image).length;
  }
}

function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((res) => {
    open = res;
  });
  return { promise, open };
}

/** Let every pending promise and immediate run. */
const settle = () => new Promise<void>((res) => setTimeout(res, 10));

const dirs: string[] = [];
const stores: ProblemStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A Grader over a fresh store holding problems P1 and P2 of both fake benchmarks. */
function setup(retries = 2): { grader: Grader; engine: FakeSessions; store: ProblemStore } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-grader-'));
  dirs.push(dir);
  const store = new ProblemStore(dir);
  stores.push(store);
  for (const b of [plain, calibrated]) {
    const problems = ['P1', 'P2'].map((id) => ({ id, prompt: `answer ${id}`, public: {}, hidden: {} }));
    store.importVersion({ name: b.name, version: 'v1', source: 'test', sha256: 'test' }, problems);
  }
  const engine = new FakeSessions();
  const benchmarks = new Map<string, AnyBenchmark>([
    [plain.name, plain],
    [calibrated.name, calibrated],
  ]);
  const grader = new Grader({ store, engine, benchmarks, imageRef: async (name) => `img/${name}`, runtime: 'runc', retries, log });
  return { grader, engine, store };
}

const grade = (grader: Grader, benchmark: string, completion: string, options?: GradeOptions, problem_id = 'P1'): Promise<Verdict> =>
  grader.grade({ benchmark, problem_id, completion, ...(options ? { options } : {}) });

const lost = () => new SandboxError('container lost mid-run', 'container_lost');

describe('Grader retries on infra errors (fake Sessions)', () => {
  it('grades with the fake sandbox: the right answer passes, a wrong one fails, one attempt each', async () => {
    const { grader, engine } = setup();
    expect(await grade(grader, 'fake-plain', 'yes')).toMatchObject({ status: 'pass', reward: 1, reason: null, attempts: 1, retryable: false });
    expect(await grade(grader, 'fake-plain', 'no')).toMatchObject({ status: 'fail', reward: 0, reason: 'wrong_answer', attempts: 1, retryable: false });
    expect(engine.images).toEqual(['img/checker', 'img/checker']);
  });

  it('an infra error on the first attempt and success on the second: pass with attempts 2', async () => {
    const { grader, engine } = setup();
    engine.script.push({ fail: lost() });
    const v = await grade(grader, 'fake-plain', 'yes');
    expect(v).toMatchObject({ status: 'pass', reason: null, attempts: 2, retryable: false });
    expect(engine.count('img/checker')).toBe(2);
    // only the attempt that ran reported timings
    expect(v.timings).toMatchObject({ queue_ms: 5, sandbox_ms: 7 });
  });

  it('a wrong answer after an infra error is still the program\'s own verdict', async () => {
    const { grader, engine } = setup();
    engine.script.push({ fail: lost() }, { fail: lost() });
    expect(await grade(grader, 'fake-plain', 'no')).toMatchObject({ status: 'fail', reason: 'wrong_answer', attempts: 3 });
  });

  it('retries exhausted: infra_error sandbox_error, retryable, after retries + 1 attempts', async () => {
    const { grader, engine } = setup(2);
    engine.script.push({ fail: lost() }, { fail: lost() }, { fail: lost() });
    const v = await grade(grader, 'fake-plain', 'yes');
    expect(v).toMatchObject({ status: 'infra_error', reward: 0, reason: 'sandbox_error', retryable: true, attempts: 3, detail: 'container lost mid-run' });
    expect(engine.count('img/checker')).toBe(3);
  });

  it('retries = 0: the first infra error is the verdict', async () => {
    const { grader, engine } = setup(0);
    engine.script.push({ fail: lost() });
    expect(await grade(grader, 'fake-plain', 'yes')).toMatchObject({ status: 'infra_error', reason: 'sandbox_error', attempts: 1 });
    expect(engine.images).toHaveLength(1);
  });

  it('a non-retryable infra error is answered at once, with its kind as the reason', async () => {
    const { grader, engine } = setup();
    engine.script.push({ fail: new SandboxError('no image img/checker', 'image_missing', false) });
    const v = await grade(grader, 'fake-plain', 'yes');
    expect(v).toMatchObject({ status: 'infra_error', reason: 'image_missing', retryable: true, attempts: 1, detail: 'no image img/checker' });
    expect(engine.images).toHaveLength(1);
  });

  it('an error that is not a sandbox failure is not retried: infra_error harness_error', async () => {
    const { grader, engine } = setup();
    engine.script.push({ fail: new TypeError('bug in the engine') });
    const v = await grade(grader, 'fake-plain', 'yes');
    expect(v).toMatchObject({ status: 'infra_error', reason: 'harness_error', attempts: 1, detail: 'bug in the engine' });
    expect(engine.images).toHaveLength(1);
  });
});

describe('Grader deadlines (options.timeout_ms)', () => {
  it('a sandbox that does not answer in time: infra_error deadline, retryable, answered near the deadline', async () => {
    const { grader, engine } = setup();
    const stuck = gate();
    engine.script.push({ hold: stuck.promise });
    const t0 = performance.now();
    const v = await grade(grader, 'fake-plain', 'yes', { timeout_ms: 50 });
    const took = performance.now() - t0;
    stuck.open();
    expect(v).toMatchObject({ status: 'infra_error', reward: 0, reason: 'deadline', retryable: true, attempts: 1, detail: 'not graded within timeout_ms=50' });
    expect(took).toBeGreaterThanOrEqual(45);
    expect(took).toBeLessThan(2000);
  });

  it('the deadline covers retries: attempts still failing when it passes give deadline, not sandbox_error', async () => {
    const { grader, engine } = setup(5);
    const slow = gate();
    engine.script.push({ fail: lost() }, { hold: slow.promise });
    const v = await grade(grader, 'fake-plain', 'yes', { timeout_ms: 50 });
    slow.open();
    expect(v).toMatchObject({ status: 'infra_error', reason: 'deadline', attempts: 2 });
  });

  it('a deadline stops the running session (its slot is freed) and nothing is retried after it', async () => {
    const { grader, engine } = setup(5);
    const stuck = gate();
    engine.script.push({ hold: stuck.promise });
    const v = await grade(grader, 'fake-plain', 'yes', { timeout_ms: 50 });
    expect(v).toMatchObject({ status: 'infra_error', reason: 'deadline', attempts: 1 });
    expect(engine.signals[0]?.aborted).toBe(true);
    await settle();
    // the cancelled session failed retryably, yet no second attempt started
    expect(engine.images).toEqual(['img/checker']);
    stuck.open();
  });

  it('the deadline covers calibration', async () => {
    const { grader, engine } = setup();
    const slow = gate();
    engine.script.push({ hold: slow.promise });
    const v = await grade(grader, 'fake-calibrated', 'yes', { timeout_ms: 50 });
    slow.open();
    expect(v).toMatchObject({ status: 'infra_error', reason: 'deadline', attempts: 0 });
    expect(engine.images).toEqual(['img/calibrator']);
  });

  it('a grade done before its deadline keeps its own verdict', async () => {
    const { grader } = setup();
    expect(await grade(grader, 'fake-plain', 'yes', { timeout_ms: 5000 })).toMatchObject({ status: 'pass', attempts: 1 });
    expect(await grade(grader, 'fake-plain', 'no', { timeout_ms: 5000 })).toMatchObject({ status: 'fail', reason: 'wrong_answer' });
  });
});

describe('Grader calibration single-flight', () => {
  it('concurrent grades needing the same calibration run it once, then it is stored', async () => {
    const { grader, engine, store } = setup();
    const calibrating = gate();
    engine.script.push({ hold: calibrating.promise });
    const grades = ['yes', 'yes', 'no', 'yes', 'yes'].map((c) => grade(grader, 'fake-calibrated', c));
    await settle();
    expect(engine.images).toEqual(['img/calibrator']); // the others wait for it
    calibrating.open();
    const verdicts = await Promise.all(grades);
    expect(verdicts.map((v) => v.status)).toEqual(['pass', 'pass', 'fail', 'pass', 'pass']);
    expect(engine.count('img/calibrator')).toBe(1);
    expect(engine.count('img/checker')).toBe(5);
    expect(store.calibration('fake-calibrated', 'v1', 'P1', 'reference')).toEqual({ ref: 'yes' });
    // later grades read the stored calibration
    expect(await grade(grader, 'fake-calibrated', 'yes')).toMatchObject({ status: 'pass' });
    expect(engine.count('img/calibrator')).toBe(1);
  });

  it('each problem has its own calibration', async () => {
    const { grader, engine } = setup();
    const verdicts = await Promise.all(['P1', 'P2', 'P1', 'P2'].map((id) => grade(grader, 'fake-calibrated', 'yes', undefined, id)));
    expect(verdicts.every((v) => v.status === 'pass')).toBe(true);
    expect(engine.count('img/calibrator')).toBe(2);
  });

  it('a failed calibration fails every grade waiting on it (calibration_failed), and the next grade tries again', async () => {
    const { grader, engine, store } = setup();
    const calibrating = gate();
    const failing = new SandboxError('no image img/calibrator', 'image_missing', false);
    engine.script.push({ hold: calibrating.promise.then(() => Promise.reject(failing)) });
    const grades = [1, 2, 3].map(() => grade(grader, 'fake-calibrated', 'yes'));
    await settle();
    calibrating.open();
    const verdicts = await Promise.all(grades);
    for (const v of verdicts) {
      expect(v).toMatchObject({ status: 'infra_error', reason: 'calibration_failed', retryable: true, attempts: 0, detail: 'no image img/calibrator' });
    }
    expect(engine.images).toEqual(['img/calibrator']);
    expect(store.calibration('fake-calibrated', 'v1', 'P1', 'reference')).toBeUndefined();
    expect(await grade(grader, 'fake-calibrated', 'yes')).toMatchObject({ status: 'pass', attempts: 1 });
    expect(engine.count('img/calibrator')).toBe(2);
  });

  it('a calibration that hits a retryable infra error is run again', async () => {
    const { grader, engine } = setup(1);
    engine.script.push({ fail: lost() });
    expect(await grade(grader, 'fake-calibrated', 'yes')).toMatchObject({ status: 'pass', attempts: 1 });
    expect(engine.images).toEqual(['img/calibrator', 'img/calibrator', 'img/checker']);
  });

  it('calibration gives up after retries + 1 attempts', async () => {
    const { grader, engine } = setup(1);
    engine.script.push({ fail: lost() }, { fail: lost() });
    expect(await grade(grader, 'fake-calibrated', 'yes')).toMatchObject({ status: 'infra_error', reason: 'calibration_failed', detail: 'container lost mid-run' });
    expect(engine.images).toEqual(['img/calibrator', 'img/calibrator']);
  });
});
