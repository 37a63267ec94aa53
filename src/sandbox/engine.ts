import os from 'node:os';
import Docker from 'dockerode';
import type { Logger } from 'pino';
import { INSTANCE_LABEL, MANAGED_LABEL } from './container-spec.js';
import type { SandboxContainer } from './container.js';
import { SandboxError } from './errors.js';
import { ContainerPool } from './pool.js';
import { Semaphore } from './semaphore.js';
import type { ContainerProfile, ExecResult, FileEntry, PairResult, PairStep, Step } from './types.js';

export interface EngineOptions {
  docker?: Docker;
  log: Logger;
  /** label value that marks this service's containers */
  instance: string;
  /** sessions running at once, all profiles together */
  concurrency: number;
  /** sessions at once in the 'run' lane (SandboxFusion /run_code: mostly sleep- or I/O-bound programs), apart from `concurrency`; default `concurrency` */
  runConcurrency?: number;
  /** idle containers kept per profile */
  warm: number;
  /** grades per container before replacement; 1 = single use */
  maxUses: number;
}

/** What a benchmark may do inside one container for one grade. */
export interface SandboxSession {
  put(files: FileEntry[]): Promise<void>;
  exec(step: Step): Promise<ExecResult>;
  /** two processes wired stdin-to-stdout (interactive judging) */
  pair(step: PairStep): Promise<PairResult>;
  get(paths: string[]): Promise<Map<string, Buffer>>;
}

export interface SessionTimings {
  queueMs: number;
  sandboxMs: number;
}

/**
 * lane 'run': a slot of the run lane instead of the CPU lane. signal: abort
 * stops the session (a waiting one leaves the queue; a running one loses its
 * container, which kills the program) — its client has gone.
 */
export interface SessionOptions {
  lane?: 'cpu' | 'run';
  signal?: AbortSignal | undefined;
}

/** What graders need of an engine: one Docker host (SandboxEngine) or several (DockerHosts). */
export interface Sessions {
  session<T>(profile: ContainerProfile, fn: (s: SandboxSession) => Promise<T>, onTimings?: (t: SessionTimings) => void, opts?: SessionOptions): Promise<T>;
}

/**
 * Runs sessions in warm containers. Knows nothing about benchmarks: it takes
 * a profile (what container) and a function (what to run in it).
 */
export class SandboxEngine implements Sessions {
  readonly docker: Docker;
  private pools = new Map<string, ContainerPool>();
  private sem: Semaphore;
  private runSem: Semaphore;

  constructor(private readonly opts: EngineOptions) {
    this.docker = opts.docker ?? new Docker();
    this.sem = new Semaphore(opts.concurrency);
    this.runSem = new Semaphore(opts.runConcurrency ?? opts.concurrency);
  }

  get concurrency(): number {
    return this.opts.concurrency;
  }

  async session<T>(
    profile: ContainerProfile,
    fn: (s: SandboxSession) => Promise<T>,
    onTimings?: (t: SessionTimings) => void,
    opts: SessionOptions = {},
  ): Promise<T> {
    const queued = performance.now();
    const cancelled = () => new SandboxError('cancelled: the client disconnected', 'closed', false);
    if (opts.signal?.aborted) throw cancelled();
    const release = await (opts.lane === 'run' ? this.runSem : this.sem).acquire();
    let container: SandboxContainer | undefined;
    let reusable = true;
    // a client that went away: its container goes, and the program with it
    const onAbort = () => {
      reusable = false;
      void container?.destroy();
    };
    try {
      if (opts.signal?.aborted) throw cancelled();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const pool = this.pool(profile);
      container = await pool.acquire(opts.signal);
      if (opts.signal?.aborted) onAbort();
      const started = performance.now();
      const c = container;
      const guard = async <R>(p: Promise<R>): Promise<R> => {
        try {
          return await p;
        } catch (e) {
          reusable = false;
          throw e;
        }
      };
      const session: SandboxSession = {
        put: (files) => guard(c.put(files)),
        get: (paths) => guard(c.get(paths)),
        pair: async (step) => {
          const r = await guard(c.pair(step));
          if (r.main.oomKilled || r.peer.oomKilled) reusable = false;
          return r;
        },
        exec: async (step) => {
          try {
            const r = await c.exec(step);
            // we could not start a process (no program can cause that: the argv is
            // ours): something in the container is wrong, so it is not reused
            if (r.spawnError !== undefined) reusable = false;
            // Docker's OOMKilled flag is sticky: a container that saw an OOM is
            // not reused, so the flag always speaks of the current session.
            if (r.oomKilled) reusable = false;
            return r;
          } catch (e) {
            reusable = false;
            // A container killed by the OOM killer died of the program's
            // allocations, not of ours.
            if (e instanceof SandboxError && e.kind === 'container_lost' && (await c.oomKilled())) {
              return oomResult();
            }
            throw e;
          }
        },
      };
      try {
        return await fn(session);
      } finally {
        onTimings?.({ queueMs: started - queued, sandboxMs: performance.now() - started });
      }
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      if (container) this.pools.get(key(profile))?.release(container, reusable);
      release();
    }
  }

  /** Start warm containers for a profile ahead of the first grade. */
  prewarm(profile: ContainerProfile): void {
    this.pool(profile).fill();
  }

  async ping(): Promise<boolean> {
    try {
      await this.docker.ping();
      return true;
    } catch {
      return false;
    }
  }

  /** Remove containers a previous run of this instance left behind. */
  async removeStale(): Promise<number> {
    const list = await this.docker.listContainers({
      all: true,
      filters: { label: [`${MANAGED_LABEL}=true`, `${INSTANCE_LABEL}=${this.opts.instance}`] },
    });
    await Promise.all(list.map((c) => this.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    return list.length;
  }

  stats(): { queued: number; running: number; pools: Array<Record<string, string | number>> } {
    return {
      queued: this.sem.waiting + this.runSem.waiting,
      running: this.sem.active + this.runSem.active,
      pools: [...this.pools.values()].map((p): Record<string, string | number> => ({ image: p.profile.image, runtime: p.profile.runtime, ...p.stats() })),
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.close()));
    this.pools.clear();
  }

  private pool(profile: ContainerProfile): ContainerPool {
    const k = key(profile);
    let p = this.pools.get(k);
    if (!p) {
      p = new ContainerPool(this.docker, profile, {
        instance: this.opts.instance,
        log: this.opts.log,
        warm: this.opts.warm,
        // both lanes may draw on one profile
        max: this.opts.concurrency + (this.opts.runConcurrency ?? this.opts.concurrency) + this.opts.warm,
        maxUses: this.opts.maxUses,
        // a run lane's burst must not start dozens of containers at once
        maxStarting: Math.max(4, 2 * os.availableParallelism()),
      });
      this.pools.set(k, p);
    }
    return p;
  }
}

function key(p: ContainerProfile): string {
  return JSON.stringify([p.image, p.runtime, p.memoryBytes, p.cpus, p.pidsLimit, p.workBytes, p.tmpBytes, p.volumes ?? []]);
}

function oomResult(): ExecResult {
  return {
    exitCode: null,
    signal: 9,
    wallMs: 0,
    cpuMs: 0,
    maxRssKb: 0,
    timedOut: false,
    cpuLimitExceeded: false,
    outputLimitExceeded: false,
    oomKilled: true,
    outputBytes: 0,
    stdout: Buffer.alloc(0),
    stderr: Buffer.alloc(0),
    stdoutTruncated: false,
    stderrTruncated: false,
  };
}
