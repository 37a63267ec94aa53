import type { Logger } from 'pino';
import type { z } from 'zod';
import { UnsupportedProblemError, type AnyBenchmark, type Extraction, type Judging, type PlanBenchmark } from '../benchmarks/types.js';
import type { JudgeReport, JudgeTask } from '../judge/types.js';
import { Executor } from './executor.js';
import { gradingFingerprint } from './fingerprint.js';
import { DomainError, unknownBenchmark, unknownVersion } from '../errors.js';
import type { Metrics } from '../metrics.js';
import type { Sessions } from '../sandbox/engine.js';
import { isSandboxError, SandboxError } from '../sandbox/errors.js';
import type { ExecResult } from '../sandbox/types.js';
import type { GradeOptions, GradeRequest, Verdict } from '../schemas.js';
import type { ProblemStore } from '../store/store.js';
import { withTimeout } from '../timeout.js';
import type { Reason, Outcome, ProblemRecord } from '../domain.js';

export interface GraderDeps {
  store: ProblemStore;
  engine: Sessions;
  benchmarks: ReadonlyMap<string, AnyBenchmark>;
  /** sandbox name (folder under sandboxes/) → image reference */
  imageRef: (name: string) => Promise<string>;
  runtime: 'runc' | 'runsc';
  retries: number;
  metrics?: Metrics;
  log: Logger;
}

export interface Resolved {
  bench: AnyBenchmark;
  version: string;
  problem: ProblemRecord;
  options: unknown;
}

const COMMON_OPTIONS = new Set(['version', 'runtime', 'timeout_ms', 'cache']);

/** What routes, the reward service, jobs and selftest need: a local Grader or a queue of workers. */
export interface GradeService {
  resolve(req: GradeRequest): Resolved;
  grade(req: GradeRequest, resolved?: Resolved): Promise<Verdict>;
}

export interface VerdictTimings {
  queue_ms: number;
  sandbox_ms: number;
  total_ms: number;
}

/** An outcome as the verdict the API returns. */
export function toVerdict(r: Resolved, code: string, outcome: Outcome, attempts: number, timings: VerdictTimings): Verdict {
  const verdict: Verdict = {
    status: outcome.status,
    reward: outcome.reward ?? (outcome.status === 'pass' ? 1 : 0),
    reason: outcome.status === 'pass' ? null : (outcome.reason ?? ('runtime_error' satisfies Reason)),
    retryable: outcome.status === 'infra_error' && outcome.reason !== 'unsupported',
    benchmark: r.bench.name,
    benchmark_version: r.version,
    grader_version: r.bench.graderVersion,
    grader_fingerprint: gradingFingerprint(r.bench.name),
    problem_id: r.problem.id,
    extracted_code: code,
    tests: outcome.tests,
    attempts,
    timings: { queue_ms: round(timings.queue_ms), sandbox_ms: round(timings.sandbox_ms), total_ms: round(timings.total_ms) },
  };
  if (outcome.detail) verdict.detail = outcome.detail.slice(0, 2000);
  if (outcome.groups) verdict.groups = outcome.groups;
  if (outcome.official) verdict.official = outcome.official;
  return verdict;
}

/** request → problem + completion → run plan → sandbox → raw results → verdict. */
export class Grader implements GradeService {
  private calibrating = new Map<string, Promise<unknown>>();
  private readonly executor: Executor;

  constructor(private readonly deps: GraderDeps) {
    this.executor = new Executor(deps);
  }

  /** Validate and resolve a request; throws a DomainError for anything the client got wrong. */
  resolve(req: GradeRequest): Resolved {
    const bench = this.deps.benchmarks.get(req.benchmark);
    if (!bench) {
      throw unknownBenchmark(req.benchmark, 'benchmark');
    }
    const version = req.options?.version ?? this.deps.store.defaultVersion(bench.name);
    if (!version) {
      throw new DomainError('not_imported', `benchmark '${bench.name}' has no problems imported: run \`npm run verdict -- import ${bench.name} PATH\``, 'benchmark');
    }
    const problem = this.deps.store.problem(bench.name, version, req.problem_id);
    if (!problem) {
      const known = this.deps.store.versions(bench.name).some((v) => v.version === version);
      if (!known) throw unknownVersion(bench.name, version, 'options.version');
      throw new DomainError('unknown_problem', `problem '${req.problem_id}' not found in ${bench.name} ${version}`, 'problem_id');
    }
    const own = Object.fromEntries(Object.entries(req.options ?? {}).filter(([k]) => !COMMON_OPTIONS.has(k)));
    const parsed = (bench.options as z.ZodType).safeParse(own);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const keys = issue && 'keys' in issue && Array.isArray(issue.keys) ? `.${String(issue.keys[0])}` : '';
      const field = `options${issue?.path.length ? '.' + issue.path.join('.') : keys}`;
      throw new DomainError('invalid_options', `${field}: ${issue?.message ?? 'invalid'}`, field);
    }
    return { bench, version, problem, options: parsed.data };
  }

  /** `resolved`: a problem the caller resolved itself (inline problems sent with the request). */
  async grade(req: GradeRequest, resolved?: Resolved): Promise<Verdict> {
    const t0 = performance.now();
    const r = resolved ?? this.resolve(req);
    const { bench, version, problem, options } = r;
    const extracted = bench.extract(problem, req.completion, options);
    const timings = { queue_ms: 0, sandbox_ms: 0, total_ms: 0 };
    let attempts = 0;
    const abort = new AbortController();
    const run = async (): Promise<Outcome> => {
      const work = await this.work(r, extracted, req.options);
      if (work.kind === 'decided') return work.outcome;
      const onTimings = (q: number, s: number): void => {
        timings.queue_ms += q;
        timings.sandbox_ms += s;
      };
      const runtime = req.options?.runtime ?? this.deps.runtime;
      const opts = { runtime, signal: abort.signal, onTimings };
      for (;;) {
        attempts += 1;
        try {
          if (work.kind === 'judge') return work.outcome(await this.executor.judge(work.task, opts));
          return work.outcome(await this.executor.runPlan(work.plan, opts));
        } catch (e) {
          if (!isSandboxError(e)) throw e;
          // past the deadline the answer is given: no retry of a session we stopped
          if (abort.signal.aborted) throw new DeadlineError();
          this.deps.metrics?.retries.inc({ kind: e.kind });
          this.deps.log.warn({ err: e.message, kind: e.kind, attempt: attempts, benchmark: bench.name }, 'sandbox failure');
          if (!e.retryable || attempts > this.deps.retries) {
            return {
              status: 'infra_error',
              reason: e.kind === 'image_missing' || e.kind === 'image_building' ? e.kind : 'sandbox_error',
              detail: e.message,
              tests: [],
            };
          }
        }
      }
    };
    const deadline = req.options?.timeout_ms;
    let outcome: Outcome;
    try {
      outcome = deadline ? await withTimeout(run(), deadline, () => new DeadlineError()) : await run();
    } catch (e) {
      if (e instanceof DeadlineError) {
        abort.abort();
        outcome = { status: 'infra_error', reason: 'deadline', detail: `not graded within timeout_ms=${deadline}`, tests: [] };
      } else if (e instanceof UnsupportedProblemError) {
        outcome = { status: 'infra_error', reason: 'unsupported', detail: e.message, tests: [] };
      } else {
        this.deps.log.error({ err: errText(e), benchmark: bench.name, problem: problem.id }, 'grading failed');
        outcome = { status: 'infra_error', reason: 'harness_error', detail: errText(e), tests: [] };
      }
    }
    timings.total_ms = performance.now() - t0;
    const verdict = toVerdict(r, extracted.code, outcome, attempts, timings);
    this.record(verdict);
    return verdict;
  }

  /** What grading an answer takes: the judge core, a run plan (calibrated first), or nothing. */
  private async work(r: Resolved, extracted: Extraction, common: GradeOptions | undefined): Promise<Work> {
    const { bench, problem, options } = r;
    if (bench.kind === 'judge') {
      const j = bench.judge(problem, extracted, options);
      return j.kind === 'judge' ? { kind: 'judge', task: j.task, outcome: (report) => bench.judgeOutcome(problem, report, options) } : j;
    }
    const refused = bench.refuse?.(problem, extracted, options);
    if (refused) return { kind: 'decided', outcome: refused };
    let calibration: unknown;
    if (bench.calibration) {
      try {
        calibration = await this.calibrate(bench, bench.calibration, r.version, problem, options, common);
      } catch (e) {
        return { kind: 'decided', outcome: { status: 'infra_error', reason: 'calibration_failed', detail: errText(e), tests: [] } };
      }
    }
    const plan = bench.plan(problem, extracted, options, calibration);
    return { kind: 'plan', plan, outcome: (results) => bench.outcome(problem, plan, results) };
  }

  /** Reference data for a problem, computed once (per version and key) and stored. */
  private async calibrate(
    bench: PlanBenchmark,
    cal: NonNullable<PlanBenchmark['calibration']>,
    version: string,
    problem: ProblemRecord,
    options: unknown,
    common: GradeOptions | undefined,
  ): Promise<unknown> {
    const key = cal.key(options);
    const stored = this.deps.store.calibration(bench.name, version, problem.id, key);
    if (stored !== undefined) return stored;
    const flightKey = JSON.stringify([bench.name, version, problem.id, key]);
    let flight = this.calibrating.get(flightKey);
    if (!flight) {
      flight = (async () => {
        const plan = cal.plan(problem);
        let lastErr: unknown;
        for (let attempt = 0; attempt <= this.deps.retries; attempt++) {
          try {
            const results = await this.executor.runPlan(plan, { runtime: common?.runtime ?? this.deps.runtime });
            const data = cal.parse(problem, results, plan);
            this.deps.store.saveCalibration(bench.name, version, problem.id, key, data);
            return data;
          } catch (e) {
            lastErr = e;
            if (!(e instanceof SandboxError && e.retryable)) break;
          }
        }
        throw lastErr;
      })().finally(() => this.calibrating.delete(flightKey));
      this.calibrating.set(flightKey, flight);
    }
    return flight;
  }

  private record(v: Verdict): void {
    const m = this.deps.metrics;
    if (!m) return;
    m.verdicts.inc({ benchmark: v.benchmark, status: v.status, reason: v.reason ?? 'none' });
    m.phase.observe({ phase: 'queue', benchmark: v.benchmark }, v.timings.queue_ms / 1000);
    m.phase.observe({ phase: 'sandbox', benchmark: v.benchmark }, v.timings.sandbox_ms / 1000);
    m.phase.observe({ phase: 'total', benchmark: v.benchmark }, v.timings.total_ms / 1000);
  }
}

class DeadlineError extends Error {}

/** One answer's grading, whichever kind of benchmark. */
type Work = Exclude<Judging, { kind: 'judge' }> | { kind: 'judge'; task: JudgeTask; outcome(report: JudgeReport): Outcome };

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
