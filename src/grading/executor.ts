import type { RunPlan } from '../benchmarks/types.js';
import { compareOutputAsync } from '../judge/compare-pool.js';
import { judge, type HelperBinaries } from '../judge/judge.js';
import { close, exec, NotStartedError, open, put, type SessionProfile, type SessionProgram, type SessionRequest, type SessionResponse } from '../judge/requests.js';
import type { JudgeReport, JudgeTask, JudgeTaskInput } from '../judge/types.js';
import type { SandboxSession, Sessions } from '../sandbox/engine.js';
import { SandboxError } from '../sandbox/errors.js';
import { containerMemoryMb } from '../sandbox/memory.js';
import type { ContainerProfile, ExecResult } from '../sandbox/types.js';
import { Lru } from '../store/lru.js';

// The one executor of sandbox sessions: it runs sandbox programs (run plans,
// the judge core, /run_code; src/judge/requests.ts) against the engine,
// resolving sandbox names to images and sizing the judge's containers. Nothing
// else outside src/sandbox/ opens a session.

/** The sandbox (folder under sandboxes/) every judged program runs in. */
export const JUDGE_IMAGE = 'judge';

const MB = 1024 * 1024;

export interface ExecutorDeps {
  engine: Sessions;
  /** sandbox name (folder under sandboxes/) → image reference */
  imageRef: (name: string) => Promise<string>;
}

export interface RunOptions {
  runtime?: 'runc' | 'runsc';
  /** the client has gone (or its deadline passed): a waiting session leaves the queue, a running one loses its container, and no further request runs */
  signal?: AbortSignal | undefined;
  /** each session's queue and sandbox time */
  onTimings?: (queueMs: number, sandboxMs: number) => void;
  /** a session has its container */
  onStarted?: () => void;
}

/** The judge's container: memory sized for the program's limit (src/sandbox/memory.ts), so warm pools are shared across problems. */
export function judgeProfile(image: string, memoryMb: number, runtime: 'runc' | 'runsc' = 'runc'): ContainerProfile {
  return { image, runtime, memoryBytes: containerMemoryMb(memoryMb) * MB, cpus: 1, pidsLimit: 128, workBytes: 256 * MB, tmpBytes: 256 * MB };
}

/** A run plan as a sandbox program: its files, then its steps in order in one container. */
export function* planProgram(plan: RunPlan): SessionProgram<ExecResult[]> {
  yield* open(plan.profile);
  yield* put(plan.files);
  const results: ExecResult[] = [];
  for (const step of plan.steps) {
    const r = yield* exec(step);
    results.push(r);
    if (step.stopOnFailure && r.exitCode !== 0) break;
  }
  yield* close();
  return results;
}

type Next<T> = IteratorResult<SessionRequest, T>;

export class Executor {
  // compiled checkers and interactors, service-wide
  private readonly helpers: HelperBinaries = new Lru<string, Buffer>(256 << 20, (b) => b.length);

  constructor(private readonly deps: ExecutorDeps) {}

  /** Run a sandbox program to its result. SandboxError for failures of ours (retryable or not); the program's own errors as they are. */
  async run<T>(program: SessionProgram<T>, opts: RunOptions = {}): Promise<T> {
    try {
      let next = program.next();
      while (!next.done) {
        const req = next.value;
        next = req.kind === 'open' ? await this.session(program, req, opts) : await this.answer(program, req, undefined, opts);
      }
      return next.value;
    } catch (e) {
      if (e instanceof NotStartedError) throw new SandboxError(e.message, 'start_failed');
      throw e;
    }
  }

  /** The judge core over a task: compile once, every test in one warm container, checkers in a container of their own. */
  judge(task: JudgeTask | JudgeTaskInput, opts: RunOptions = {}): Promise<JudgeReport> {
    return this.run(judge(task, this.helpers), opts);
  }

  runPlan(plan: RunPlan, opts: RunOptions = {}): Promise<ExecResult[]> {
    return this.run(planProgram(plan), opts);
  }

  /** One session: the program's requests until it closes it (or ends). */
  private async session<T>(program: SessionProgram<T>, req: Extract<SessionRequest, { kind: 'open' }>, opts: RunOptions): Promise<Next<T>> {
    let profile: ContainerProfile;
    try {
      profile = await this.profile(req.profile, opts.runtime ?? 'runc');
    } catch (e) {
      return program.throw(e);
    }
    const closed = await this.deps.engine.session(
      profile,
      async (s): Promise<Next<T> | 'closed'> => {
        opts.onStarted?.();
        let next = program.next({ kind: 'open', image: profile.image });
        while (!next.done) {
          const inner = next.value;
          if (inner.kind === 'close') return 'closed';
          if (inner.kind === 'open') throw new Error('sandbox program: a session is already open');
          next = await this.answer(program, inner, s, opts);
        }
        return next;
      },
      opts.onTimings && ((t) => opts.onTimings!(t.queueMs, t.sandboxMs)),
      { lane: req.lane ?? 'cpu', signal: opts.signal },
    );
    return closed === 'closed' ? program.next({ kind: 'close' }) : closed;
  }

  /** Perform one request and resume the program with its answer, or throw its failure into the program. */
  private async answer<T>(program: SessionProgram<T>, req: Exclude<SessionRequest, { kind: 'open' }>, s: SandboxSession | undefined, opts: RunOptions): Promise<Next<T>> {
    let res: SessionResponse;
    try {
      res = await this.perform(req, s, opts.signal);
    } catch (e) {
      return program.throw(e);
    }
    return program.next(res);
  }

  private async perform(req: Exclude<SessionRequest, { kind: 'open' }>, s: SandboxSession | undefined, signal: AbortSignal | undefined): Promise<SessionResponse> {
    if (req.kind === 'compare') return { kind: 'compare', result: await compareOutputAsync(req.comparator, req.expected, req.actual) };
    if (req.kind === 'close') throw new Error('sandbox program: no session to close');
    if (!s) throw new Error(`sandbox program: '${req.kind}' outside a session`);
    // as the engine answers a session asked for after its client has gone
    if (signal?.aborted) throw new SandboxError('cancelled: the client disconnected', 'closed', false);
    switch (req.kind) {
      case 'put':
        await s.put(req.files);
        return { kind: 'put' };
      case 'exec':
        return { kind: 'exec', result: await s.exec(req.step) };
      case 'pair':
        return { kind: 'pair', result: await s.pair(req.step) };
      case 'get':
        return { kind: 'get', files: await s.get(req.paths) };
    }
  }

  private async profile(p: SessionProfile, runtime: 'runc' | 'runsc'): Promise<ContainerProfile> {
    if ('judge' in p) return judgeProfile(await this.deps.imageRef(JUDGE_IMAGE), p.programMemoryMb, runtime);
    return { ...p, image: await this.deps.imageRef(p.image), runtime };
  }
}
