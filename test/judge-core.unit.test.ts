import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Executor, planProgram } from '../src/grading/executor.js';
import { compareOutput } from '../src/judge/compare.js';
import { judge } from '../src/judge/judge.js';
import type { SessionProgram, SessionRequest, SessionResponse } from '../src/judge/requests.js';
import type { JudgeTaskInput } from '../src/judge/types.js';
import { runCode } from '../src/rl/run-code.js';
import { RunCodeRequestSchema } from '../src/rl/schemas.js';
import type { SandboxSession, SessionOptions, Sessions, SessionTimings } from '../src/sandbox/engine.js';
import { isSandboxError } from '../src/sandbox/errors.js';
import type { ContainerProfile, ExecResult, PairResult, Step } from '../src/sandbox/types.js';

// The judge core is a generator of requests: here it is driven from a script
// (no Docker, no executor), then the executor is driven against a fake
// Sessions.

function result(over: Partial<ExecResult> = {}): ExecResult {
  const stdout = over.stdout ?? Buffer.alloc(0);
  return {
    exitCode: 0, signal: null, wallMs: 3, cpuMs: 2, maxRssKb: 1000, timedOut: false, cpuLimitExceeded: false, outputLimitExceeded: false,
    oomKilled: false, outputBytes: stdout.length, stdout, stderr: Buffer.alloc(0), stdoutTruncated: false, stderrTruncated: false, ...over,
  };
}

/** Run a program to its end, answering each request with `answer` (compare: the real comparator). */
function drive<T>(program: SessionProgram<T>, answer: (req: SessionRequest) => SessionResponse): { value: T; requests: SessionRequest[] } {
  const requests: SessionRequest[] = [];
  let next = program.next();
  while (!next.done) {
    const req = next.value;
    requests.push(req);
    next = program.next(req.kind === 'compare' ? { kind: 'compare', result: compareOutput(req.comparator, req.expected, req.actual.toString('utf8')) } : answer(req));
  }
  return { value: next.value, requests };
}

/** A scripted sandbox: `run` says what each exec does; everything else just succeeds. */
function script(run: (step: Step, n: number) => ExecResult): (req: SessionRequest) => SessionResponse {
  let n = 0;
  return (req) => {
    switch (req.kind) {
      case 'open':
        return { kind: 'open', image: 'judge@sha256:test' };
      case 'exec':
        return { kind: 'exec', result: run(req.step, n++) };
      case 'get':
        return { kind: 'get', files: new Map(req.paths.map((p) => [p, Buffer.from('bin')])) };
      case 'pair':
        throw new Error('not scripted');
      default:
        return { kind: req.kind } as SessionResponse;
    }
  };
}

const cases = [
  { input: '1 2\n', expected: '3\n' },
  { input: '2 2\n', expected: '4\n' },
  { input: '5 5\n', expected: '10\n' },
];
const task = (t: Partial<JudgeTaskInput> = {}): JudgeTaskInput => ({ language: 'python3', source: 'print(...)', cases, timeLimitMs: 1000, memoryMb: 256, comparator: { kind: 'token' }, ...t });
/** a program that adds the two numbers of its stdin, except on input `2 2` */
const adder = (wrongOn = '2 2') => (step: Step) => {
  const [a, b] = String(step.stdin ?? '').trim().split(' ').map(Number);
  return result({ stdout: Buffer.from(`${String(step.stdin).startsWith(wrongOn) ? 0 : a! + b!}\n`) });
};

describe('judge core (pure, scripted)', () => {
  it('a compile error: CE with the compiler output, no test runs, the session closed', () => {
    const { value, requests } = drive(
      judge(task({ language: 'cpp17' })),
      script((step) => {
        expect(step.argv[0]).toBe('g++');
        return result({ exitCode: 1, stderr: Buffer.from("main.cpp:1: error: 'x' was not declared") });
      }),
    );
    expect(value).toMatchObject({ verdict: 'CE', compile: { ok: false, output: expect.stringContaining("'x' was not declared") }, cases: [] });
    expect(requests.map((r) => r.kind)).toEqual(['open', 'put', 'exec', 'close']);
    expect(requests[0]).toEqual({ kind: 'open', profile: { judge: true, programMemoryMb: 256 } });
  });

  it('a wrong answer stops the run early; run-all judges every test', () => {
    const early = drive(judge(task()), script(adder()));
    expect(early.value.verdict).toBe('WA');
    expect(early.value.cases.map((c) => c.verdict)).toEqual(['AC', 'WA']);
    expect(early.requests.filter((r) => r.kind === 'exec')).toHaveLength(2);
    const all = drive(judge(task({ stopOnFirstFailure: false })), script(adder()));
    expect(all.value.cases.map((c) => c.verdict)).toEqual(['AC', 'WA', 'AC']);
    expect(drive(judge(task()), script(adder('none'))).value.verdict).toBe('AC');
  });

  it('TLE and CPU limit from the run, MLE from the allocation failure; limits as the task says', () => {
    const tle = drive(judge(task({ timeLimitMs: 1500, cpuLimitMs: 1000 })), script((step) => {
      expect(step.limits).toMatchObject({ wallMs: 1500, cpuMs: 1000, addressSpaceBytes: 256 << 20 });
      return result({ exitCode: null, signal: 9, timedOut: true });
    }));
    expect(tle.value.verdict).toBe('TLE');
    expect(tle.value.cases).toEqual([expect.objectContaining({ index: 0, verdict: 'TLE', detail: 'wall time limit exceeded' })]);
    const cpu = drive(judge(task()), script(() => result({ exitCode: null, signal: 9, cpuLimitExceeded: true })));
    expect(cpu.value.cases[0]).toMatchObject({ verdict: 'TLE', detail: 'CPU time limit exceeded' });
    const mle = drive(judge(task()), script(() => result({ exitCode: 1, stderr: Buffer.from('MemoryError\n') })));
    expect(mle.value.verdict).toBe('MLE');
  });

  it("a checker's verdict: outputs kept, judged in a session of its own, rejection stops the run", () => {
    const checker = { kind: 'checker', style: 'python', language: 'python3', source: 'print(1)' } as const;
    let checks = 0;
    const { value, requests } = drive(
      judge(task({ comparator: checker })),
      script((step) => {
        if (step.identity !== 'judge') return result({ stdout: Buffer.from('whatever\n') });
        // the checker (python3 checker.py input expected output) rejects the second test
        expect(step.argv.slice(0, 2)).toEqual(['python3', 'checker.py']);
        return result({ stdout: Buffer.from(++checks === 2 ? '0\n' : '1\n') });
      }),
    );
    expect(value.verdict).toBe('WA');
    expect(value.cases.map((c) => [c.verdict, c.detail])).toEqual([['AC', undefined], ['WA', 'rejected by the checker']]);
    const opens = requests.filter((r) => r.kind === 'open');
    expect(opens).toEqual([
      { kind: 'open', profile: { judge: true, programMemoryMb: 256 } },
      { kind: 'open', profile: { judge: true, programMemoryMb: 256 } },
    ]);
    // the program's three runs, no comparison of its own, then the checker twice
    expect(checks).toBe(2);
    expect(requests.filter((r) => r.kind === 'compare')).toEqual([]);
    expect(requests.filter((r) => r.kind === 'close')).toHaveLength(2);
  });

  it('a program that cannot start is the sandbox failure, never a runtime error', () => {
    expect(() => drive(judge(task()), script(() => result({ exitCode: null, spawnError: 'ENOENT' })))).toThrow(/could not start the program/);
  });
});

/** Sessions without Docker: `run` answers every exec; it records the profiles and options asked for. */
class FakeSessions implements Sessions {
  readonly profiles: ContainerProfile[] = [];
  readonly options: (SessionOptions | undefined)[] = [];
  constructor(private readonly run: (step: Step) => ExecResult) {}

  async session<T>(p: ContainerProfile, fn: (s: SandboxSession) => Promise<T>, onTimings?: (t: SessionTimings) => void, opts?: SessionOptions): Promise<T> {
    this.profiles.push(p);
    this.options.push(opts);
    const s: SandboxSession = {
      put: async () => undefined,
      exec: async (step) => this.run(step),
      pair: () => Promise.reject(new Error('pair: not used')) as Promise<PairResult>,
      get: () => Promise.reject(new Error('get: no such file')),
    };
    const out = await fn(s);
    onTimings?.({ queueMs: 1, sandboxMs: 2 });
    return out;
  }
}

describe('executor (fake sessions)', () => {
  const imageRef = async (name: string) => `verdict/${name}:test`;

  it('runs the judge core: the judge image, its container sized for the limit, timings per session', async () => {
    const engine = new FakeSessions(adder());
    const timings: number[][] = [];
    const report = await new Executor({ engine, imageRef }).judge(task({ memoryMb: 600 }), { runtime: 'runsc', onTimings: (q, s) => timings.push([q, s]) });
    expect(report.cases.map((c) => c.verdict)).toEqual(['AC', 'WA']);
    expect(engine.profiles).toEqual([expect.objectContaining({ image: 'verdict/judge:test', runtime: 'runsc', memoryBytes: 2048 * 2 ** 20 })]);
    expect(engine.options).toEqual([{ lane: 'cpu', signal: undefined }]);
    expect(timings).toEqual([[1, 2]]);
  });

  it('a program that cannot start: SandboxError start_failed (retryable)', async () => {
    const engine = new FakeSessions(() => result({ exitCode: null, spawnError: 'ENOENT' }));
    const err = await new Executor({ engine, imageRef }).judge(task()).catch((e: unknown) => e);
    expect(isSandboxError(err) && [err.kind, err.retryable]).toEqual(['start_failed', true]);
  });

  it('a run plan: steps in order until a stopOnFailure step fails; the signal reaches the session', async () => {
    const engine = new FakeSessions((step) => result({ exitCode: step.argv[0] === 'fail' ? 1 : 0 }));
    const signal = new AbortController().signal;
    const plan = {
      profile: { image: 'python', memoryBytes: 1 << 30, cpus: 1, pidsLimit: 64, workBytes: 1 << 20, tmpBytes: 1 << 20 },
      files: [],
      steps: [{ argv: ['ok'], limits: { wallMs: 1 } }, { argv: ['fail'], limits: { wallMs: 1 }, stopOnFailure: true }, { argv: ['never'], limits: { wallMs: 1 } }],
    };
    const results = await new Executor({ engine, imageRef }).run(planProgram(plan), { signal });
    expect(results.map((r) => r.exitCode)).toEqual([0, 1]);
    expect(engine.profiles[0]).toMatchObject({ image: 'verdict/python:test', runtime: 'runc', memoryBytes: 1 << 30 });
    expect(engine.options[0]).toEqual({ lane: 'cpu', signal });
  });

  it('no request runs once the signal is aborted', async () => {
    const engine = new FakeSessions(adder());
    const ac = new AbortController();
    const ex = new Executor({ engine, imageRef });
    const err = await ex.judge(task(), { onStarted: () => ac.abort(), signal: ac.signal }).catch((e: unknown) => e);
    expect(isSandboxError(err) && err.kind).toBe('closed');
  });

  it('/run_code through the executor: the run lane, and a failed fetch leaves the file out', async () => {
    const engine = new FakeSessions(() => result({ stdout: Buffer.from('hi\n') }));
    const res = await runCode(
      { engine, imageRef, runtime: 'runc', log: pino({ level: 'silent' }) },
      RunCodeRequestSchema.parse({ code: 'print("hi")', language: 'python', fetch_files: ['out.txt'] }),
    );
    expect(res).toMatchObject({ status: 'Success', run_result: { status: 'Finished', return_code: 0, stdout: 'hi\n' }, files: {} });
    expect(engine.options[0]?.lane).toBe('run');
    expect(engine.profiles[0]?.image).toBe('verdict/python:test');
  });
});
