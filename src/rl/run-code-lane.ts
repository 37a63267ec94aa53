import crypto from 'node:crypto';
import client from 'prom-client';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';
import { OverloadError, QueueCancelledError, type Admission } from './admission.js';
import { hasCompileStep, type RunCodeOptions } from './run-code.js';
import type { RunCodeRequest, RunCodeResponse } from './schemas.js';

// Queueing of SandboxFusion's /run_code for clients that neither honour
// Retry-After nor retry a timeout (verl's sandbox_fusion utils: a 30 s client
// timeout = compile_timeout + run_timeout + 10 s, three attempts, a retry only
// after a 504, 1 s then 2 s apart).
//
// - A program waits in its own lane's FIFO queue (the lane's concurrency is
//   apart from the grading slots: these programs are mostly sleep- or
//   I/O-bound), deep enough to absorb a trainer's burst.
// - Queue wait never eats the client's deadline silently: a program that has
//   not started by the last moment at which it could still finish inside the
//   client's timeout is answered 504 + Retry-After, which verl retries. It
//   keeps its place in the queue ("parked"): the retry (the same request)
//   takes it over, so three attempts are three times the patience, not three
//   trips to the back of the queue.
// - A client that hangs up before its answer cancels its program, queued or
//   running (its container goes); a parked program nobody takes over within
//   `parkMs` is cancelled too.

export interface RunCodeLaneDeps {
  admission: Admission;
  run: (req: RunCodeRequest, opts: RunCodeOptions) => Promise<RunCodeResponse>;
  metrics?: Metrics;
  log: Logger;
  /** kept free between the latest start and the client's timeout (scheduling, container, response) */
  marginMs?: number;
  /** how long a parked program waits for the retry of its 504 */
  parkMs?: number;
  /** the client's allowance on top of compile_timeout + run_timeout (verl: 10 s) */
  slackS?: number;
}

/** What verl allows on top of compile_timeout + run_timeout (API_TIMEOUT in its sandbox_fusion utils). */
export const CLIENT_SLACK_S = 10;


export type LaneAnswer =
  | { kind: 'result'; body: RunCodeResponse; queueMs: number }
  | { kind: 'busy'; retryAfterS: number; message: string }
  | { kind: 'gone' };

interface Program {
  digest: string;
  ctl: AbortController;
  state: 'queued' | 'running' | 'done';
  result: Promise<{ body: RunCodeResponse; queueMs: number } | null>;
  /** set while parked: the timer that cancels it if no retry comes */
  parkTimer?: NodeJS.Timeout;
}

export class RunCodeLane {
  private parked = new Map<string, Program[]>();
  private parkedCount = 0;
  private readonly events?: client.Counter<'event'>;
  private readonly marginMs: number;
  private readonly parkMs: number;
  private readonly slackS: number;

  constructor(private readonly deps: RunCodeLaneDeps) {
    this.marginMs = deps.marginMs ?? 2000;
    this.parkMs = deps.parkMs ?? 10_000;
    this.slackS = deps.slackS ?? CLIENT_SLACK_S;
    if (deps.metrics) {
      const registers = [deps.metrics.registry];
      const adm = deps.admission;
      this.events = new client.Counter({
        name: 'verdict_run_code_events_total',
        help: '/run_code queueing: parked (504 before the client timeout, place kept), resumed (a retry took a parked program over), cancelled (client gone or parked program not retried), refused (queue full)',
        labelNames: ['event'],
        registers,
      });
      new client.Gauge({ name: 'verdict_run_code_running', help: '/run_code programs running', registers, collect() { this.set(adm.stats().running); } });
      new client.Gauge({ name: 'verdict_run_code_waiting', help: '/run_code programs waiting in the queue', registers, collect() { this.set(adm.stats().waiting); } });
      const lane = this;
      new client.Gauge({ name: 'verdict_run_code_parked', help: '/run_code programs answered 504 and kept for their retry', registers, collect() { this.set(lane.parkedCount); } });
    }
  }

  /** The client's timeout for this request, as verl computes it. */
  clientTimeoutMs(req: RunCodeRequest): number {
    return (req.compile_timeout + req.run_timeout + this.slackS) * 1000;
  }

  /**
   * Run `req` for a client whose connection `signal` watches; `arrived` is when
   * the request came in (performance.now()).
   */
  async handle(req: RunCodeRequest, signal: AbortSignal, arrived = performance.now()): Promise<LaneAnswer> {
    const digest = digestOf(req);
    let p = this.claim(digest);
    if (!p) {
      try {
        this.deps.admission.check(req.code.length + (req.stdin?.length ?? 0));
      } catch (e) {
        if (e instanceof OverloadError) {
          this.events?.inc({ event: 'refused' });
          return { kind: 'busy', retryAfterS: e.retryAfterS, message: e.message };
        }
        throw e;
      }
      p = this.start(req, digest);
    } else {
      this.events?.inc({ event: 'resumed' });
    }
    const prog = p;
    // the latest start from which the program still finishes inside the client's timeout
    // a language without a compile step does not spend its compile_timeout
    const ownMs = (req.run_timeout + (hasCompileStep(req.language) ? req.compile_timeout : 0)) * 1000;
    const latestStart = arrived + this.clientTimeoutMs(req) - ownMs - this.marginMs;
    let timer: NodeJS.Timeout | undefined;
    let onGone: (() => void) | undefined;
    const outcome = await new Promise<'done' | 'late' | 'gone'>((resolve) => {
      void prog.result.then(() => resolve('done'));
      onGone = () => resolve('gone');
      if (signal.aborted) return resolve('gone');
      signal.addEventListener('abort', onGone, { once: true });
      const check = () => {
        // a program that has started runs to its end: its own limit bounds it
        if (prog.state === 'queued') resolve('late');
      };
      timer = setTimeout(check, Math.max(0, latestStart - performance.now()));
    });
    clearTimeout(timer);
    signal.removeEventListener('abort', onGone!);
    if (outcome === 'done') {
      const r = await prog.result;
      return r ? { kind: 'result', ...r } : { kind: 'gone' };
    }
    if (outcome === 'gone') {
      this.events?.inc({ event: 'cancelled' });
      prog.ctl.abort();
      return { kind: 'gone' };
    }
    this.park(prog);
    this.events?.inc({ event: 'parked' });
    const retryAfterS = Math.max(1, Math.min(60, Math.ceil(this.deps.admission.drainS())));
    return {
      kind: 'busy',
      retryAfterS,
      message: `not started within the client's timeout (${this.clientTimeoutMs(req)} ms, of which ${ownMs} ms are the program's own limits): queued behind ${this.deps.admission.waiting} programs; the retry of this request keeps its place in the queue`,
    };
  }

  /**
   * A program for a caller without verl's client deadline (/submit's rows):
   * queued in the lane until it runs, never parked. Null when `signal`
   * aborted it; OverloadError when the queue is full.
   */
  async run(req: RunCodeRequest, signal: AbortSignal): Promise<RunCodeResponse | null> {
    this.deps.admission.check(req.code.length + (req.stdin?.length ?? 0));
    const prog = this.start(req, digestOf(req));
    const stop = () => prog.ctl.abort();
    if (signal.aborted) stop();
    signal.addEventListener('abort', stop, { once: true });
    try {
      return (await prog.result)?.body ?? null;
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }

  stats(): { parked: number } {
    return { parked: this.parkedCount };
  }

  private start(req: RunCodeRequest, digest: string): Program {
    const ctl = new AbortController();
    const t0 = performance.now();
    const prog: Program = { digest, ctl, state: 'queued', result: Promise.resolve(null) };
    const adm = this.deps.admission;
    prog.result = (async () => {
      let release: () => void;
      try {
        release = await adm.acquire({ signal: ctl.signal, bytes: req.code.length + (req.stdin?.length ?? 0) });
      } catch (e) {
        this.deps.metrics?.admissionWait.observe({ lane: 'run_code' }, (performance.now() - t0) / 1000);
        if (e instanceof QueueCancelledError) return null;
        throw e;
      }
      // queued until the program has its container: a slow container start is waiting too
      let queueMs = performance.now() - t0;
      let started = performance.now();
      const onStarted = () => {
        if (prog.state !== 'queued') return;
        started = performance.now();
        queueMs = started - t0;
        prog.state = 'running';
      };
      try {
        const body = await this.deps.run(req, { signal: ctl.signal, onStarted });
        onStarted();
        this.deps.metrics?.admissionWait.observe({ lane: 'run_code' }, queueMs / 1000);
        adm.observe((performance.now() - started) / 1000);
        if (ctl.signal.aborted) return null;
        return { body, queueMs };
      } finally {
        prog.state = 'done';
        release();
      }
    })().catch((e: unknown) => {
      this.deps.log.error({ err: e instanceof Error ? e.message : String(e) }, 'run_code failed');
      prog.state = 'done';
      return null;
    });
    return prog;
  }

  private park(p: Program): void {
    const list = this.parked.get(p.digest) ?? [];
    list.push(p);
    this.parked.set(p.digest, list);
    this.parkedCount += 1;
    p.parkTimer = setTimeout(() => {
      if (this.unpark(p)) {
        this.events?.inc({ event: 'cancelled' });
        p.ctl.abort();
      }
    }, this.parkMs);
  }

  /** The oldest parked program of this request, taken over by its retry. */
  private claim(digest: string): Program | undefined {
    const p = this.parked.get(digest)?.[0];
    if (p) this.unpark(p);
    return p;
  }

  private unpark(p: Program): boolean {
    const list = this.parked.get(p.digest);
    const i = list ? list.indexOf(p) : -1;
    if (i < 0) return false;
    list!.splice(i, 1);
    if (!list!.length) this.parked.delete(p.digest);
    this.parkedCount -= 1;
    clearTimeout(p.parkTimer);
    return true;
  }
}

/** Identity of a request, so a retry finds what its first attempt left queued. */
function digestOf(req: RunCodeRequest): string {
  return crypto.createHash('sha256').update(JSON.stringify(req)).digest('hex');
}
