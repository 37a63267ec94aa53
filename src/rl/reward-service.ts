import crypto from 'node:crypto';
import client from 'prom-client';
import type { Logger } from 'pino';
import { inline, inlineProblem } from '../benchmarks/inline.js';
import { ApiError } from '../errors.js';
import { gradingFingerprint } from '../grading/fingerprint.js';
import type { GradeService, Resolved } from '../grading/grader.js';
import type { Metrics } from '../metrics.js';
import type { GradeOptions, GradeRequest, Verdict } from '../schemas.js';
import type { ResultCache } from '../store/result-cache.js';
import type { ProblemRecord } from '../store/store.js';
import { QueueCancelledError, QueueDeadlineError, type Admission } from './admission.js';
import { INLINE_JUDGE_VERSION } from '../benchmarks/inline-judge.js';
import type { BatchItem, BatchRequest } from './schemas.js';

export interface RewardDeps {
  grader: GradeService;
  admission: Admission;
  cache?: ResultCache;
  /** digest of every sandbox image recipe, part of each cache key */
  imagesKey: () => Promise<string>;
  runtime: 'runc' | 'runsc';
  /** digest of a benchmark's grading sources, part of each cache key (default: the running code's) */
  fingerprint?: (benchmark: string) => string;
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

const problemDigests = new WeakMap<ProblemRecord, string>();
function problemDigest(p: ProblemRecord): string {
  let d = problemDigests.get(p);
  if (!d) {
    d = sha256(JSON.stringify([p.prompt, p.hidden]));
    problemDigests.set(p, d);
  }
  return d;
}

/**
 * The grader as an RL reward: admission control (429 beyond the queue),
 * content-addressed result cache, and single-flight so identical completions
 * of a GRPO group run once. Wraps the grader; never changes a verdict except
 * to mark it `cached`.
 */
export class RewardService {
  private flights = new Map<string, Flight>();
  private readonly cacheEvents?: client.Counter<'result'>;

  constructor(private readonly deps: RewardDeps) {
    if (deps.metrics) {
      const registers = [deps.metrics.registry];
      this.cacheEvents = new client.Counter({
        name: 'verdict_result_cache_total',
        help: 'Grades answered from the result cache (hit), by an identical grade in flight (shared), or run (miss)',
        labelNames: ['result'],
        registers,
      });
      const adm = deps.admission;
      new client.Gauge({ name: 'verdict_admitted_grades', help: 'Grades admitted and not finished', registers, collect() { this.set(adm.stats().in_flight); } });
      new client.Gauge({ name: 'verdict_admission_capacity', help: 'Grades that may be admitted at once (running + queued)', registers, collect() { this.set(adm.capacity); } });
      new client.Gauge({ name: 'verdict_admission_rejected', help: 'Requests refused with 429 since start', registers, collect() { this.set(adm.stats().rejected); } });
      const cache = deps.cache;
      if (cache) new client.Gauge({ name: 'verdict_result_cache_entries', help: 'Verdicts in the result cache', registers, collect() { this.set(cache.stats().entries); } });
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

  stats(): { admission: ReturnType<Admission['stats']>; cache?: ReturnType<ResultCache['stats']>; flights: number } {
    return { admission: this.deps.admission.stats(), cache: this.deps.cache?.stats(), flights: this.flights.size };
  }

  private async prepare(items: Array<Omit<BatchItem, 'options'> & { options?: GradeOptions | undefined }>, prefix: string | undefined): Promise<Job[]> {
    const images = await this.deps.imagesKey();
    return items.map((it, i) => {
      const at = (f: string) => (prefix ? `${prefix}.${i}.${f}` : f);
      try {
        return this.job(it, images);
      } catch (e) {
        if (e instanceof ApiError && prefix) {
          const field = at(e.field ?? 'completion');
          throw new ApiError(e.statusCode, e.code, `${prefix}[${i}]: ${e.message}`, field);
        }
        throw e;
      }
    });
  }

  private job(it: Omit<BatchItem, 'options'> & { options?: GradeOptions | undefined }, images: string): Job {
    let resolved: Resolved;
    let req: GradeRequest;
    if (it.problem) {
      if (it.problem_id) throw new ApiError(400, 'invalid_request', 'give problem_id or problem, not both', 'problem');
      const problem = inlineProblem(it.problem);
      const own = Object.keys(it.options ?? {}).filter((k) => !['version', 'runtime', 'timeout_ms', 'cache'].includes(k));
      if (own.length) throw new ApiError(400, 'invalid_options', `options.${own[0]}: not an option of inline problems (set limits in problem)`, `options.${own[0]}`);
      resolved = { bench: inline, version: inline.graderVersion, problem, options: {} };
      req = { benchmark: inline.name, problem_id: problem.id, completion: it.completion, ...(it.options ? { options: it.options } : {}) };
    } else {
      if (!it.benchmark) throw new ApiError(400, 'invalid_request', "missing required field 'benchmark'", 'benchmark');
      if (!it.problem_id) throw new ApiError(400, 'invalid_request', "missing required field 'problem_id' (or an inline 'problem')", 'problem_id');
      req = { benchmark: it.benchmark, problem_id: it.problem_id, completion: it.completion, ...(it.options ? { options: it.options } : {}) };
      resolved = this.deps.grader.resolve(req);
    }
    let key: string | null = null;
    if (this.deps.cache && it.options?.cache !== false) {
      const { bench, version, problem, options } = resolved;
      const code = bench.extract(problem, it.completion, options);
      key = sha256(
        JSON.stringify([
          bench.name,
          version,
          problem.id,
          problemDigest(problem),
          code,
          canonical(options),
          it.options?.runtime ?? this.deps.runtime,
          bench.graderVersion,
          (this.deps.fingerprint ?? gradingFingerprint)(bench.name),
          INLINE_JUDGE_VERSION,
          images,
        ]),
      );
    }
    return { req, resolved, key };
  }

  private async runAll(jobs: Job[], onResult: (index: number, v: Verdict) => void, onAdmitted?: () => void, signal?: AbortSignal): Promise<Verdict[]> {
    // What needs a sandbox: not cached, not already in flight, not a duplicate in this batch.
    const fresh = new Set<string>();
    let n = 0;
    let bytes = 0;
    for (const j of jobs) {
      if (j.key !== null) {
        if (this.flights.has(j.key) || fresh.has(j.key)) continue;
        j.hit = this.deps.cache!.get<Verdict>(j.key);
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
    const t0 = performance.now();
    if (j.key === null) {
      this.cacheEvents?.inc({ result: 'miss' });
      return this.gradeNow(j, signal);
    }
    if (j.hit) {
      this.cacheEvents?.inc({ result: 'hit' });
      return Promise.resolve(asCached(j.hit, performance.now() - t0));
    }
    const flight = this.flights.get(j.key);
    if (flight) {
      this.cacheEvents?.inc({ result: 'shared' });
      hold(flight, signal);
      return follow(j, flight.promise).then((v) => (v.status === 'infra_error' ? v : asCached(v, performance.now() - t0)));
    }
    // A hit found while counting can have been graded by now: look again.
    const late = this.deps.cache!.get<Verdict>(j.key);
    if (late) {
      this.cacheEvents?.inc({ result: 'hit' });
      return Promise.resolve(asCached(late, performance.now() - t0));
    }
    this.cacheEvents?.inc({ result: 'miss' });
    const key = j.key;
    // The flight is cancelled only when every request that wants it has gone.
    const ctl = new AbortController();
    const promise = this.gradeNow(j, ctl.signal).then((v) => {
      if (v.status !== 'infra_error') this.deps.cache!.set(key, stripForCache(v));
      return v;
    });
    const f: Flight = { holders: 0, ctl, promise };
    hold(f, signal);
    this.flights.set(key, f);
    void f.promise.finally(() => this.flights.delete(key)).catch(() => undefined);
    return f.promise;
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

interface Flight {
  promise: Promise<Verdict>;
  /** requests waiting for this grade whose clients are still there (or that cannot hang up) */
  holders: number;
  ctl: AbortController;
}

/** One more request wants the flight; when the last one's client hangs up, the flight is cancelled. */
function hold(f: Flight, signal: AbortSignal | undefined): void {
  f.holders += 1;
  if (!signal) return; // a caller that cannot go away holds it for good
  const gone = () => {
    f.holders -= 1;
    if (f.holders === 0) f.ctl.abort();
  };
  if (signal.aborted) return gone();
  signal.addEventListener('abort', gone, { once: true });
  void f.promise.finally(() => signal.removeEventListener('abort', gone)).catch(() => undefined);
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
    extracted_code: bench.extract(problem, j.req.completion, options),
    attempts: 0,
    timings: { queue_ms: Math.round(queuedMs * 100) / 100, sandbox_ms: 0, total_ms: Math.max(ms, Math.round(queuedMs * 100) / 100) },
  };
}

function asCached(v: Verdict, ms: number): Verdict {
  const r = Math.round(ms * 100) / 100;
  return { ...v, cached: true, attempts: 0, timings: { queue_ms: 0, sandbox_ms: 0, total_ms: r } };
}

function stripForCache(v: Verdict): Verdict {
  const { cached: _c, ...rest } = v;
  return rest;
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

/** JSON with sorted keys, so option order does not split the cache. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  );
}

function sha256(s: string): string {
  return crypto.createHash('sha256').update(s).digest('hex');
}
