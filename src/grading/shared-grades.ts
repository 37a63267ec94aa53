import crypto from 'node:crypto';
import client from 'prom-client';
import { INLINE_JUDGE_VERSION } from '../benchmarks/inline/judge.js';
import type { Metrics } from '../metrics.js';
import type { GradeRequest, Verdict } from '../schemas.js';
import type { ResultCache } from '../store/result-cache.js';
import { gradingFingerprint } from './fingerprint.js';
import type { Resolved } from './grader.js';
import type { ProblemRecord } from '../domain.js';

export interface SharedGradesDeps {
  cache?: ResultCache;
  /** digest of every sandbox image recipe, part of each key */
  imagesKey: () => Promise<string>;
  runtime: 'runc' | 'runsc';
  /** digest of a benchmark's grading sources, part of each key (default: the running code's) */
  fingerprint?: (benchmark: string) => string;
  metrics?: Metrics;
}

/**
 * The content-addressed result cache and single-flight of identical grades,
 * one per service. The RL reward routes and regrading jobs both answer from
 * it, so a trainer and a job grading the same program run it once, whoever
 * asked first. Each caller decides how a grade that has to run waits for its
 * slot (the RL admission queue, a job's own slots); this only says whether it
 * has to run. An infra_error is never cached: it is retryable.
 */
export class SharedGrades {
  private flights = new Map<string, Flight>();
  private readonly events?: client.Counter<'result'>;

  constructor(private readonly deps: SharedGradesDeps) {
    if (deps.metrics) {
      const registers = [deps.metrics.registry];
      this.events = new client.Counter({
        name: 'verdict_result_cache_total',
        help: 'Grades answered from the result cache (hit), by an identical grade in flight (shared), or run (miss)',
        labelNames: ['result'],
        registers,
      });
      const cache = deps.cache;
      if (cache) new client.Gauge({ name: 'verdict_result_cache_entries', help: 'Verdicts in the result cache', registers, collect() { this.set(cache.stats().entries); } });
    }
  }

  imagesKey(): Promise<string> {
    return this.deps.imagesKey();
  }

  /**
   * Everything a verdict depends on, hashed: benchmark, version, problem (and
   * its content), extraction (program and metadata), options, runtime, grader fingerprint and
   * images. null: this grade is not shared (no cache, or options.cache=false).
   */
  key(req: GradeRequest, resolved: Resolved, images: string): string | null {
    if (!this.deps.cache || req.options?.cache === false) return null;
    const { bench, version, problem, options } = resolved;
    // the code and what else the grade reads off the completion (Codeforces: the block's language)
    const extracted = bench.extract(problem, req.completion, options);
    return sha256(
      JSON.stringify([
        bench.name,
        version,
        problem.id,
        problemDigest(problem),
        canonical(extracted),
        canonical(options),
        req.options?.runtime ?? this.deps.runtime,
        bench.graderVersion,
        (this.deps.fingerprint ?? gradingFingerprint)(bench.name),
        INLINE_JUDGE_VERSION,
        images,
      ]),
    );
  }

  inFlight(key: string): boolean {
    return this.flights.has(key);
  }

  /** The cached verdict, as stored (not marked). */
  cached(key: string): Verdict | undefined {
    return this.deps.cache?.get<Verdict>(key);
  }

  /** Count a grade that runs without a key (nothing to share). */
  unshared(): void {
    this.events?.inc({ result: 'miss' });
  }

  /**
   * The answer of someone else's grade: `hit` (looked up by the caller) or
   * the cache, or an identical grade in flight; undefined when it has to run.
   * `signal`: this caller went away (the flight is cancelled once all have).
   * `follow`: how long to wait for a flight (default: until it lands).
   */
  join(key: string, opts: { hit?: Verdict; signal?: AbortSignal | undefined; follow?: (flight: Promise<Verdict>) => Promise<Verdict> } = {}): Promise<Verdict> | undefined {
    const t0 = performance.now();
    const flight = opts.hit ? undefined : this.flights.get(key);
    if (flight) {
      this.events?.inc({ result: 'shared' });
      hold(flight, opts.signal);
      const p = opts.follow ? opts.follow(flight.promise) : flight.promise;
      return p.then((v) => (v.status === 'infra_error' ? v : asCached(v, performance.now() - t0)));
    }
    const hit = opts.hit ?? this.cached(key);
    if (hit) {
      this.events?.inc({ result: 'hit' });
      return Promise.resolve(asCached(hit, performance.now() - t0));
    }
    return undefined;
  }

  /**
   * Run `grade` as the flight of `key` (call after `join` found nothing, in
   * the same tick); others asking meanwhile wait for it. Its verdict is cached
   * unless it is an infra_error. `grade` gets the flight's signal, aborted
   * when every caller that wants it has gone.
   */
  lead(key: string, grade: (signal: AbortSignal) => Promise<Verdict>, signal?: AbortSignal): Promise<Verdict> {
    this.events?.inc({ result: 'miss' });
    const ctl = new AbortController();
    const promise = grade(ctl.signal).then((v) => {
      if (v.status !== 'infra_error') this.deps.cache?.set(key, stripForCache(v));
      return v;
    });
    const f: Flight = { holders: 0, ctl, promise };
    hold(f, signal);
    this.flights.set(key, f);
    void f.promise.finally(() => this.flights.delete(key)).catch(() => undefined);
    return f.promise;
  }

  stats(): { cache?: ReturnType<ResultCache['stats']>; flights: number } {
    return { cache: this.deps.cache?.stats(), flights: this.flights.size };
  }
}

interface Flight {
  promise: Promise<Verdict>;
  /** callers waiting for this grade that are still there (or that cannot go away) */
  holders: number;
  ctl: AbortController;
}

/** One more caller wants the flight; when the last one with a signal goes, the flight is cancelled. */
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

/** A verdict this caller did not run: marked, with no attempts and no sandbox time of its own. */
export function asCached(v: Verdict, ms: number): Verdict {
  const r = Math.round(ms * 100) / 100;
  return { ...v, cached: true, attempts: 0, timings: { queue_ms: 0, sandbox_ms: 0, total_ms: r } };
}

function stripForCache(v: Verdict): Verdict {
  const { cached: _c, ...rest } = v;
  return rest;
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
