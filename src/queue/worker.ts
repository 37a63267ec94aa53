import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { inline } from '../benchmarks/inline/benchmark.js';
import type { AnyBenchmark } from '../benchmarks/types.js';
import { toVerdict, type Grader, type Resolved } from '../grading/grader.js';
import { runCode, type RunCodeDeps } from '../rl/run-code.js';
import type { RunCodeResponse } from '../rl/schemas.js';
import type { Verdict } from '../schemas.js';
import { ProblemShelf } from './problems.js';
import { QUEUE_NAME, QueueJobSchema, type GradeJob } from './protocol.js';

// `verdict worker`: takes jobs from the queue and grades them with a local
// Grader on this worker's Docker hosts. The processor never throws for a
// program's or a sandbox's fault (those are verdicts); a worker that dies
// mid-job loses its lock and BullMQ hands the job to another worker.

export interface GradeWorkerOptions {
  url: string;
  prefix: string;
  /** shown in the queue's worker list and on jobs (processedBy) */
  name: string;
  /** jobs at once: the Docker hosts' total capacity */
  concurrency: number;
  grader: Grader;
  benchmarks: ReadonlyMap<string, AnyBenchmark>;
  runCode: RunCodeDeps;
  /** a dead worker's job goes back to the queue after this long without a lock renewal */
  lockMs: number;
  /** how often a job whose worker died is given to another one */
  retries: number;
  log: Logger;
}

export class GradeWorker {
  private readonly worker: Worker;
  private readonly redis: Redis;
  private readonly shelf: ProblemShelf;
  graded = 0;

  constructor(private readonly opts: GradeWorkerOptions) {
    this.redis = new Redis(opts.url, { maxRetriesPerRequest: null });
    this.redis.on('error', (e: Error) => opts.log.warn({ err: e.message }, 'redis'));
    this.shelf = new ProblemShelf(this.redis, opts.prefix);
    this.worker = new Worker(QUEUE_NAME, (job) => this.process(job), {
      connection: { url: opts.url, maxRetriesPerRequest: null },
      prefix: opts.prefix,
      name: opts.name,
      concurrency: opts.concurrency,
      lockDuration: opts.lockMs,
      stalledInterval: Math.max(1000, Math.floor(opts.lockMs / 2)),
      maxStalledCount: opts.retries,
      autorun: false,
    });
    this.worker.on('error', (e: Error) => opts.log.warn({ err: e.message }, 'worker'));
  }

  start(): void {
    void this.worker.run();
  }

  async waitUntilReady(): Promise<void> {
    await this.worker.waitUntilReady();
  }

  /** Finish the jobs in hand, take no more. */
  async close(): Promise<void> {
    await this.worker.close();
    this.redis.disconnect();
  }

  private async process(job: Job): Promise<Verdict | RunCodeResponse> {
    const parsed = QueueJobSchema.safeParse(job.data);
    if (!parsed.success) throw new Error(`job ${job.id}: not a job this worker understands (protocol or shape): ${parsed.error.issues[0]?.message ?? ''}`);
    const data = parsed.data;
    if (data.kind === 'run_code') return runCode(this.opts.runCode, data.req);
    const v = await this.grade(data);
    this.graded += 1;
    return v;
  }

  private async grade(data: GradeJob): Promise<Verdict> {
    const bench = data.benchmark === inline.name ? inline : this.opts.benchmarks.get(data.benchmark);
    if (!bench) throw new Error(`benchmark '${data.benchmark}' is not known to this worker (older build?)`);
    const problem = await this.shelf.fetch(data.problem);
    if (!problem) throw new Error(`problem ${data.problem} is no longer in Redis`);
    const resolved: Resolved = { bench, version: data.version, problem, options: data.options };
    const req = { ...data.req };
    if (data.deadline_at !== undefined) {
      const left = data.deadline_at - Date.now();
      const { code } = bench.extract(problem, req.completion, data.options);
      // nobody waits for it any more: don't spend a sandbox on it
      if (left <= 0) return toVerdict(resolved, code, { status: 'infra_error', reason: 'deadline', detail: 'deadline passed while queued', tests: [] }, 0, { queue_ms: 0, sandbox_ms: 0, total_ms: 0 });
      req.options = { ...req.options, timeout_ms: Math.max(1, Math.floor(left)) };
    }
    return this.opts.grader.grade(req, resolved);
  }
}
