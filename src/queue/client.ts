import crypto from 'node:crypto';
import { Queue, QueueEvents, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { toVerdict, type GradeService, type Resolved } from '../grading/grader.js';
import type { RunCodeRequest, RunCodeResponse } from '../rl/schemas.js';
import type { GradeRequest, Verdict } from '../schemas.js';
import { withTimeout } from '../timeout.js';
import { ProblemShelf } from './problems.js';
import { PROTOCOL, QUEUE_NAME, type GradeJob, type QueueJob, type RunCodeJob } from './protocol.js';
import type { Reason } from '../domain.js';

// `verdict serve --queue redis://…`: grades become BullMQ jobs that `verdict
// worker` processes run on their Docker hosts; the request waits for its job
// within its deadline. Resolution (404s, 400s on options) stays here, so a bad
// request never reaches a worker.

export interface QueueClientOptions {
  url: string;
  /** Redis key prefix (several services may share one Redis) */
  prefix: string;
  /** resolves requests against this service's store */
  resolver: Pick<GradeService, 'resolve'>;
  /** how long a grade without timeout_ms waits for a worker */
  waitMs: number;
  /** how often a job whose worker died is given to another worker */
  retries: number;
  log: Logger;
}

export class QueueClient implements GradeService {
  private readonly redis: Redis;
  private readonly queue: Queue;
  private readonly events: QueueEvents;
  private readonly shelf: ProblemShelf;
  private ready: Promise<void>;
  private inFlight = 0;

  constructor(private readonly opts: QueueClientOptions) {
    // Fail fast while Redis is away: a grade answers infra_error instead of hanging.
    this.redis = new Redis(opts.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    this.redis.on('error', (e: Error) => opts.log.warn({ err: e.message }, 'redis'));
    this.queue = new Queue(QUEUE_NAME, { connection: this.redis, prefix: opts.prefix });
    // every waiting grade listens for the queue closing: thousands at once are normal
    this.queue.setMaxListeners(0);
    this.events = new QueueEvents(QUEUE_NAME, { connection: { url: opts.url, maxRetriesPerRequest: null }, prefix: opts.prefix });
    this.events.on('error', (e: Error) => opts.log.warn({ err: e.message }, 'queue events'));
    this.shelf = new ProblemShelf(this.redis, opts.prefix);
    this.ready = Promise.all([this.queue.waitUntilReady(), this.events.waitUntilReady()]).then(() => undefined);
    this.ready.catch(() => undefined);
  }

  get pending(): number {
    return this.inFlight;
  }

  resolve(req: GradeRequest): Resolved {
    return this.opts.resolver.resolve(req);
  }

  async grade(req: GradeRequest, resolved?: Resolved): Promise<Verdict> {
    const t0 = performance.now();
    const r = resolved ?? this.resolve(req);
    const { code } = r.bench.extract(r.problem, req.completion, r.options);
    const waitMs = req.options?.timeout_ms ?? this.opts.waitMs;
    const infra = (reason: Reason, detail: string): Verdict =>
      toVerdict(r, code, { status: 'infra_error', reason, detail, tests: [] }, 0, { queue_ms: performance.now() - t0, sandbox_ms: 0, total_ms: performance.now() - t0 });
    let digest: string;
    try {
      digest = await this.shelf.publish(r.problem);
    } catch (e) {
      return infra('queue_unavailable', `queue: ${errText(e)}`);
    }
    const data: GradeJob = {
      protocol: PROTOCOL,
      kind: 'grade',
      req,
      benchmark: r.bench.name,
      version: r.version,
      problem: digest,
      options: r.options,
      deadline_at: Date.now() + waitMs,
    };
    const out = await this.run(data, waitMs);
    if ('verdict' in out) {
      const v = out.verdict;
      // time spent waiting for a worker counts as queueing
      const total = performance.now() - t0;
      return { ...v, timings: { ...v.timings, queue_ms: round(v.timings.queue_ms + Math.max(0, total - v.timings.total_ms)), total_ms: round(total) } };
    }
    return infra(out.reason, out.detail);
  }

  /** SandboxFusion's /run_code on a worker. */
  async runCode(req: RunCodeRequest): Promise<RunCodeResponse> {
    const waitMs = Math.ceil(req.run_timeout * 1000) * 4 + 60_000;
    const out = await this.run({ protocol: PROTOCOL, kind: 'run_code', req, deadline_at: Date.now() + waitMs }, waitMs);
    if ('verdict' in out) return out.verdict;
    return { status: 'SandboxError', message: out.detail, compile_result: null, run_result: null, executor_pod_name: null, files: {} };
  }

  /** Connected workers and job counts, for /healthz. */
  async status(): Promise<{ reachable: boolean; workers: number; waiting: number; active: number; error?: string }> {
    try {
      const [workers, counts] = await withTimeout(
        Promise.all([this.queue.getWorkersCount(), this.queue.getJobCounts('waiting', 'active', 'prioritized')]),
        3000,
        () => new Error('Redis did not answer within 3 s'),
      );
      return { reachable: true, workers, waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0 };
    } catch (e) {
      return { reachable: false, workers: 0, waiting: 0, active: 0, error: errText(e) };
    }
  }

  async close(): Promise<void> {
    // closing waits for connections that may never come while Redis is away
    await withTimeout(Promise.allSettled([this.events.close(), this.queue.close()]), 5000, () => new Error('close')).catch(() => undefined);
    this.redis.disconnect();
    void this.events.disconnect().catch(() => undefined);
    void this.queue.disconnect().catch(() => undefined);
  }

  private async run(data: GradeJob, waitMs: number): Promise<{ verdict: Verdict } | { reason: Reason; detail: string }>;
  private async run(data: RunCodeJob, waitMs: number): Promise<{ verdict: RunCodeResponse } | { reason: Reason; detail: string }>;
  private async run(data: QueueJob, waitMs: number): Promise<{ verdict: Verdict | RunCodeResponse } | { reason: Reason; detail: string }> {
    this.inFlight += 1;
    let job: Job | undefined;
    try {
      await withTimeout(this.ready, 10_000, () => new Error('Redis not ready'));
      job = await this.queue.add(data.kind, data, {
        jobId: crypto.randomUUID(),
        // a worker that dies mid-job is noticed by BullMQ's stalled check and the
        // job goes to another worker, up to `retries` times (maxStalledCount on
        // the worker); a processor never throws for a program's fault
        attempts: 1,
        removeOnComplete: { age: 120 },
        removeOnFail: { age: 3600 },
      });
    } catch (e) {
      this.inFlight -= 1;
      return { reason: 'queue_unavailable', detail: `queue: ${errText(e)}` };
    }
    try {
      return { verdict: (await job.waitUntilFinished(this.events, waitMs)) as Verdict | RunCodeResponse };
    } catch (e) {
      const msg = errText(e);
      if (/timed out before finishing/i.test(msg)) {
        await job.remove().catch(() => undefined); // still waiting: nobody needs it any more
        return { reason: 'deadline', detail: `not graded within ${waitMs} ms (queue: no worker finished it)` };
      }
      if (/stalled/i.test(msg)) return { reason: 'worker_lost', detail: `the workers grading it died ${this.opts.retries + 1} times: ${msg}` };
      return { reason: 'harness_error', detail: `worker: ${msg}` };
    } finally {
      this.inFlight -= 1;
    }
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
