import client from 'prom-client';
import type { Logger } from 'pino';
import { inline, inlineProblem } from '../benchmarks/inline/benchmark.js';
import { DomainError } from '../errors.js';
import { gradingFingerprint } from '../grading/fingerprint.js';
import type { GradeService, Resolved } from '../grading/grader.js';
import type { SharedGrades } from '../grading/shared-grades.js';
import type { Metrics } from '../metrics.js';
import type { GradeOptions, GradeRequest, Verdict } from '../schemas.js';
import { QueueCancelledError, QueueDeadlineError, type Admission } from './admission.js';
import type { BatchItem, BatchRequest } from './schemas.js';

export interface RewardDeps {
  grader: GradeService;
  admission: Admission;
  /** the service's result cache and single-flight, shared with regrading jobs */
  shared: SharedGrades;
  metrics?: Metrics;
  log: Logger;
}

/** One prepared grade: resolved problem, extracted code, cache key (null = not cached). */
interface Job {
  req: GradeRequest;
  resolved: Resolved;
  key: string | null;
  hit?: Verdict;
}

/**
 * The grader as an RL reward: admission control (429 beyond the queue), and
 * the service's result cache and single-flight (shared with regrading jobs)
 * so identical completions of a GRPO group run once. Wraps the grader; never
 * changes a verdict except to mark it `cached`.
 */
export class RewardService {
  constructor(private readonly deps: RewardDeps) {
    if (deps.metrics) {
      const registers = [deps.metrics.registry];
      const adm = deps.admission;
      new client.Gauge({ name: 'verdict_admitted_grades', help: 'Grades admitted and not finished', registers, collect() { this.set(adm.stats().in_flight); } });
      new client.Gauge({ name: 'verdict_admission_capacity', help: 'Grades that may be admitted at once (running + queued)', registers, collect() { this.set(adm.capacity); } });
      new client.Gauge({ name: 'verdict_admission_rejected', help: 'Requests refused with 429 since start', registers, collect() { this.set(adm.stats().rejected); } });
    }
  }

  /** One grade (POST /v1/grade). `signal`: the client went away. */
  async grade(req: GradeRequest, signal?: AbortSignal): Promise<Verdict> {
    const [job] = await this.prepare([{ ...req }], undefined);
    const [v] = await this.runAll([job!], () => undefined, undefined, signal);
    return v!;
  }

  /**
   * Many grades; `onResult` fires as each finishes. Rejects with a 4xx/429
   * before anything runs; `onAdmitted` fires once the batch is admitted. A
   * batch of any size is admitted while the queue has room, and its items then
   * take their turns (backpressure), so it is never refused for its size.
   * `signal`: the client went away; its grades still queued (and wanted by no
   * other request) are dropped.
   */
  async batch(req: BatchRequest, onResult: (index: number, v: Verdict) => void, onAdmitted?: () => void, signal?: AbortSignal): Promise<Verdict[]> {
    const items = req.items.map((it) => ({
      ...it,
      benchmark: it.benchmark ?? req.benchmark,
      options: mergeOptions(req.options, it.options, req.timeout_ms),
    }));
    const jobs = await this.prepare(items, 'items');
    return this.runAll(jobs, onResult, onAdmitted, signal);
  }

  stats(): { admission: ReturnType<Admission['stats']> } & ReturnType<SharedGrades['stats']> {
    return { admission: this.deps.admission.stats(), ...this.deps.shared.stats() };
  }

  private async prepare(items: Array<Omit<BatchItem, 'options'> & { options?: GradeOptions | undefined }>, prefix: string | undefined): Promise<Job[]> {
    const images = await this.deps.shared.imagesKey();
    return items.map((it, i) => {
      const at = (f: string) => (prefix ? `${prefix}.${i}.${f}` : f);
      try {
        return this.job(it, images);
      } catch (e) {
        if (e instanceof DomainError && prefix) {
          const field = at(e.field ?? 'completion');
          throw new DomainError(e.code, `${prefix}[${i}]: ${e.message}`, field);
        }
        throw e;
      }
    });
  }

  private job(it: Omit<BatchItem, 'options'> & { options?: GradeOptions | undefined }, images: string): Job {
    let resolved: Resolved;
    let req: GradeRequest;
    if (it.problem) {
      if (it.problem_id) throw new DomainError('invalid_request', 'give problem_id or problem, not both', 'problem');
      const problem = inlineProblem(it.problem);
      const own = Object.keys(it.options ?? {}).filter((k) => !['version', 'runtime', 'timeout_ms', 'cache'].includes(k));
      if (own.length) throw new DomainError('invalid_options', `options.${own[0]}: not an option of inline problems (set limits in problem)`, `options.${own[0]}`);
      resolved = { bench: inline, version: inline.graderVersion, problem, options: {} };
      req = { benchmark: inline.name, problem_id: problem.id, completion: it.completion, ...(it.options ? { options: it.options } : {}) };
    } else {
      if (!it.benchmark) throw new DomainError('invalid_request', "missing required field 'benchmark'", 'benchmark');
      if (!it.problem_id) throw new DomainError('invalid_request', "missing required field 'problem_id' (or an inline 'problem')", 'problem_id');
      req = { benchmark: it.benchmark, problem_id: it.problem_id, completion: it.completion, ...(it.options ? { options: it.options } : {}) };
      resolved = this.deps.grader.resolve(req);
    }
    const key = this.deps.shared.key(req, resolved, images);
    return { req, resolved, key };
  }

  private async runAll(jobs: Job[], onResult: (index: number, v: Verdict) => void, onAdmitted?: () => void, signal?: AbortSignal): Promise<Verdict[]> {
    // What needs a sandbox: not cached, not already in flight, not a duplicate in this batch.
    const fresh = new Set<string>();
    let n = 0;
    let bytes = 0;
    for (const j of jobs) {
      if (j.key !== null) {
        if (this.deps.shared.inFlight(j.key) || fresh.has(j.key)) continue;
        j.hit = this.deps.shared.cached(j.key);
        if (j.hit) continue;
        fresh.add(j.key);
      }
      n += 1;
      bytes += j.req.completion.length;
    }
    // the gate: refused (429) only while the queue is full, whatever the batch's size
    if (n > 0) this.deps.admission.check(bytes);
    onAdmitted?.();
    // Everything below starts synchronously, so the flights are registered
    // before any other request can count them.
    const results = jobs.map(async (j, i) => {
      const v = await this.run(j, signal);
      onResult(i, v);
      return v;
    });
    return Promise.all(results);
  }

  private run(j: Job, signal: AbortSignal | undefined): Promise<Verdict> {
    const shared = this.deps.shared;
    if (j.key === null) {
      shared.unshared();
      return this.gradeNow(j, signal);
    }
    // a hit found while counting, an identical grade in flight, or (graded by now) a late hit
    const answered = shared.join(j.key, { hit: j.hit, signal, follow: (flight) => follow(j, flight) });
    if (answered) return answered;
    return shared.lead(j.key, (s) => this.gradeNow(j, s), signal);
  }

  /** Wait for a slot (FIFO, within the grade's deadline), then grade. */
  private async gradeNow(j: Job, signal: AbortSignal | undefined): Promise<Verdict> {
    const t0 = performance.now();
    const ms = j.req.options?.timeout_ms;
    const adm = this.deps.admission;
    let release: () => void;
    try {
      release = await adm.acquire({ signal, deadline: ms ? t0 + ms : undefined, bytes: j.req.completion.length });
    } catch (e) {
      const waited = performance.now() - t0;
      this.deps.metrics?.admissionWait.observe({ lane: 'grade' }, waited / 1000);
      if (e instanceof QueueDeadlineError) return deadlineVerdict(j, ms ?? 0, waited);
      if (e instanceof QueueCancelledError) return { ...deadlineVerdict(j, ms ?? 0, waited), detail: 'cancelled in the queue: the client disconnected' };
      throw e;
    }
    const waited = performance.now() - t0;
    this.deps.metrics?.admissionWait.observe({ lane: 'grade' }, waited / 1000);
    try {
      // the time spent queued comes off the grade's own deadline
      const req = ms ? { ...j.req, options: { ...j.req.options, timeout_ms: Math.max(1, Math.floor(ms - waited)) } } : j.req;
      const v = await this.deps.grader.grade(req, j.resolved);
      if (v.status !== 'infra_error') adm.observe(v.timings.total_ms / 1000);
      return withQueueWait(v, waited);
    } finally {
      release();
    }
  }
}

/** The admission wait is part of the verdict's queue time. */
function withQueueWait(v: Verdict, waitedMs: number): Verdict {
  const r = (x: number) => Math.round(x * 100) / 100;
  return { ...v, timings: { queue_ms: r(v.timings.queue_ms + waitedMs), sandbox_ms: v.timings.sandbox_ms, total_ms: r(v.timings.total_ms + waitedMs) } };
}

/** A follower waits for the leader's grade, but no longer than its own deadline. */
function follow(j: Job, flight: Promise<Verdict>): Promise<Verdict> {
  const ms = j.req.options?.timeout_ms;
  if (!ms) return flight;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Verdict>((resolve) => {
    timer = setTimeout(() => resolve(deadlineVerdict(j, ms)), ms);
  });
  return Promise.race([flight, deadline]).finally(() => clearTimeout(timer));
}

function deadlineVerdict(j: Job, ms: number, queuedMs = 0): Verdict {
  const { bench, version, problem, options } = j.resolved;
  return {
    status: 'infra_error',
    reward: 0,
    reason: 'deadline',
    retryable: true,
    detail: queuedMs ? `not graded within timeout_ms=${ms}: ${Math.round(queuedMs)} ms waiting in the queue` : `not graded within timeout_ms=${ms}`,
    benchmark: bench.name,
    benchmark_version: version,
    grader_version: bench.graderVersion,
    grader_fingerprint: gradingFingerprint(bench.name),
    problem_id: problem.id,
    tests: [],
    extracted_code: bench.extract(problem, j.req.completion, options).code,
    attempts: 0,
    timings: { queue_ms: Math.round(queuedMs * 100) / 100, sandbox_ms: 0, total_ms: Math.max(ms, Math.round(queuedMs * 100) / 100) },
  };
}

function mergeOptions(
  batch: GradeOptions | undefined,
  own: GradeOptions | undefined,
  timeoutMs: number | undefined,
): GradeOptions | undefined {
  if (!batch && !own && !timeoutMs) return undefined;
  const o: GradeOptions = { ...batch, ...own };
  if (timeoutMs) o.timeout_ms = Math.min(timeoutMs, o.timeout_ms ?? Infinity);
  return o;
}
