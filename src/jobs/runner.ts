import { setMaxListeners } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { Logger } from 'pino';
import { streamMaybeGzip } from '../benchmarks/files.js';
import type { AnyBenchmark } from '../benchmarks/types.js';
import { isExtractorName, officialExtractor } from '../extract/extractors.js';
import { DomainError, unknownBenchmark } from '../errors.js';
import type { GradeService, Resolved } from '../grading/grader.js';
import type { SharedGrades } from '../grading/shared-grades.js';
import { Admission, QueueCancelledError } from '../rl/admission.js';
import type { GradeOptions, GradeRequest, Verdict } from '../schemas.js';
import type { JobRow, JobStore, PendingSample } from '../store/jobs.js';
import { parseLine, type FormatSpec, type Sample } from './formats.js';
import type { BadLine, Job, JobCreate, JobResult } from './schemas.js';

export interface RunnerDeps {
  jobs: JobStore;
  grader: GradeService;
  /** the service's result cache and single-flight (shared with the RL routes): each distinct program is graded once */
  shared: SharedGrades;
  benchmarks: ReadonlyMap<string, AnyBenchmark>;
  log: Logger;
  /** grades running across all jobs */
  concurrency: number;
  /** job-level retries of an infra_error verdict (the grader has retried already) */
  infraRetries?: number;
  retryDelayMs?: number;
  /** server-side input files: undefined = any path, a folder = only under it, null = none (uploads only) */
  inputDir?: string | null;
}

interface Spec {
  options?: GradeOptions;
}

const BATCH = 500;
const PAGE = 256;
/** public problem fields copied into results, for metrics by difficulty and date */
const META_FIELDS = ['difficulty', 'contest_date', 'platform'];

/**
 * Feeds the samples of running jobs to the grader, oldest job first, and
 * records each verdict once. A sample whose program (benchmark, problem,
 * extracted code, options, grader) is cached or being graded — by this job,
 * another, or the RL routes — takes that verdict without a slot; the others
 * run in `concurrency` slots of the jobs' own (not the RL admission queue).
 * Holds at most two pages of samples in memory, whatever the size of the job.
 */
export class JobRunner {
  private buffer: Array<PendingSample & { job: string; spec: Spec }> = [];
  /** highest seq handed out per job: pending() starts after it, so in-flight samples are not handed out twice */
  private cursor = new Map<string, number>();
  private inflight = new Map<string, number>();
  private progress = new Map<string, { t0: number; done0: number }>();
  private specs = new Map<string, Spec>();
  /** samples taken from the buffer and not finished: waiting for a slot or a grade in flight, or grading */
  private active = 0;
  private readonly window: number;
  private readonly slots: Admission;
  /** per running job: aborted when it is cancelled or the runner closes (stops waits, not grades) */
  private aborts = new Map<string, AbortController>();
  private pumpQueued = false;
  private closed = false;
  private idle: Array<() => void> = [];
  private readonly infraRetries: number;
  private readonly retryDelayMs: number;

  constructor(private readonly deps: RunnerDeps) {
    this.infraRetries = deps.infraRetries ?? 2;
    this.retryDelayMs = deps.retryDelayMs ?? 2000;
    this.slots = new Admission(deps.concurrency, Infinity);
    // room for samples that wait on an identical grade beside those that run
    this.window = deps.concurrency + PAGE;
  }

  /** Resume every job a previous run left running. */
  start(): void {
    const n = this.deps.jobs.running().length;
    if (n) this.deps.log.info({ jobs: n }, 'resuming jobs');
    this.pump();
  }

  /** Read the input into the store (bad lines recorded with their numbers), then queue the job. */
  async create(req: JobCreate): Promise<Job> {
    if (!this.deps.benchmarks.has(req.benchmark)) {
      throw unknownBenchmark(req.benchmark, 'benchmark');
    }
    const spec: Spec = req.options ? { options: req.options } : {};
    const fmt: FormatSpec = { format: req.format, benchmark: req.benchmark, idField: req.id_field, replyField: req.reply_field };
    const lines = req.path !== undefined ? fileLines(this.inputPath(req.path)) : textLines(req.jsonl ?? '');
    const id = this.deps.jobs.create({ label: req.label, benchmark: req.benchmark, format: req.format, spec });
    try {
      let seq = 0;
      let batch: Parameters<JobStore['addLines']>[2] = [];
      let read = 0;
      const flush = () => {
        seq = this.deps.jobs.addLines(id, seq, batch, read);
        batch = [];
        read = 0;
      };
      for await (const { text, line } of lines) {
        if (!text.trim()) continue;
        read += 1;
        const r = parseLine(text, line, fmt);
        if ('error' in r) {
          batch.push({ bad: { line, message: r.error, benchmark: req.benchmark } });
        } else {
          for (const s of r.samples) {
            const why = this.check(s, spec);
            batch.push(why ? { bad: { line, message: why, benchmark: s.benchmark } } : { sample: s });
          }
        }
        if (batch.length >= BATCH) flush();
      }
      flush();
    } catch (e) {
      this.deps.jobs.delete(id);
      if (e instanceof DomainError) throw e;
      const err = e as NodeJS.ErrnoException;
      if (req.path !== undefined && err.code) {
        throw new DomainError('unreadable_input', `path: cannot read ${req.path}: ${err.code}`, 'path');
      }
      throw e;
    }
    this.deps.jobs.finishLoading(id);
    this.specs.set(id, spec);
    this.pump();
    return this.view(this.deps.jobs.get(id)!);
  }

  /** A path the service may read: error messages quote lines, so a keyed service reads only its input folder. */
  private inputPath(p: string): string {
    const dir = this.deps.inputDir;
    if (dir === undefined) return p;
    if (dir === null) throw new DomainError('path_not_allowed', 'path: this service reads no server-side files (set VERDICT_JOB_INPUT_DIR); upload jsonl instead', 'path');
    let real: string;
    try {
      real = fs.realpathSync(path.resolve(dir, p));
    } catch (e) {
      throw new DomainError('unreadable_input', `path: cannot read ${p}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, 'path');
    }
    const root = fs.realpathSync(dir);
    if (!real.startsWith(root + path.sep)) throw new DomainError('path_not_allowed', `path: only files under ${dir} may be read`, 'path');
    return real;
  }

  /** Why a sample cannot be graded (unknown problem, …), or undefined; bad job options are the whole request's fault. */
  private check(s: Sample, spec: Spec): string | undefined {
    try {
      this.deps.grader.resolve({ benchmark: s.benchmark, problem_id: s.problem_id, completion: '', options: spec.options });
      return undefined;
    } catch (e) {
      if (e instanceof DomainError) {
        if (e.field?.startsWith('options')) throw e;
        return e.message;
      }
      throw e;
    }
  }

  get(id: string): Job | undefined {
    const row = this.deps.jobs.get(id);
    return row && row.state !== 'loading' ? this.view(row) : undefined;
  }

  list(): Job[] {
    return this.deps.jobs.list().map((r) => this.view(r));
  }

  cancel(id: string): Job | undefined {
    const row = this.deps.jobs.get(id);
    if (!row || row.state === 'loading') return undefined;
    if (row.state === 'running') {
      this.deps.jobs.setState(id, 'cancelled');
      this.buffer = this.buffer.filter((s) => s.job !== id);
      // samples waiting for a slot or for someone else's grade are dropped; grades running land
      this.aborts.get(id)?.abort();
      this.forget(id);
    }
    return this.view(this.deps.jobs.get(id)!);
  }

  /** Stop handing out samples; wait for the grades running to be recorded (the rest resume next time). */
  async close(): Promise<void> {
    this.closed = true;
    this.buffer = [];
    for (const ctl of this.aborts.values()) ctl.abort();
    if (this.active > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private view(row: JobRow): Job {
    const c = this.deps.jobs.counts(row.id);
    let eta: number | null = null;
    const p = this.progress.get(row.id);
    if (row.state === 'running' && p) {
      const rate = (c.done - p.done0) / ((performance.now() - p.t0) / 1000);
      if (rate > 0) eta = Math.round(((row.total - c.done) / rate) * 10) / 10;
    } else if (row.state !== 'running') {
      eta = 0;
    }
    return {
      id: row.id,
      label: row.label,
      benchmark: row.benchmark,
      format: row.format as Job['format'],
      state: row.state === 'loading' ? 'running' : row.state,
      created_at: row.created_at,
      finished_at: row.finished_at,
      lines: row.lines,
      total: row.total,
      done: c.done,
      passes: c.passes,
      fails: c.fails,
      infra_errors: c.infra_errors,
      bad_line_count: c.invalid,
      bad_lines: this.deps.jobs.badLines(row.id, 100) as BadLine[],
      eta_s: eta,
    };
  }

  private spec(row: JobRow): Spec {
    let s = this.specs.get(row.id);
    if (!s) {
      s = JSON.parse(row.spec_json) as Spec;
      this.specs.set(row.id, s);
    }
    return s;
  }

  /** Refill the buffer from the oldest running job that has samples left; finish jobs that have none. */
  private refill(): void {
    for (const row of this.deps.jobs.running()) {
      const after = this.cursor.get(row.id) ?? -1;
      const page = this.deps.jobs.pending(row.id, after, PAGE);
      if (!this.progress.has(row.id)) this.progress.set(row.id, { t0: performance.now(), done0: this.deps.jobs.counts(row.id).done });
      if (page.length) {
        const spec = this.spec(row);
        this.buffer.push(...page.map((s) => ({ ...s, job: row.id, spec })));
        this.cursor.set(row.id, page[page.length - 1]!.seq);
        return;
      }
      this.maybeFinish(row.id);
    }
  }

  private maybeFinish(id: string): void {
    if ((this.inflight.get(id) ?? 0) > 0) return;
    const row = this.deps.jobs.get(id);
    if (!row || row.state !== 'running') return;
    const c = this.deps.jobs.counts(id);
    if (c.done < row.total) return; // samples left that another page will hand out
    this.deps.jobs.setState(id, 'done');
    this.deps.jobs.dropSamples(id);
    this.deps.log.info({ job: id, total: row.total, passes: c.passes }, 'job done');
    this.forget(id);
  }

  private forget(id: string): void {
    this.cursor.delete(id);
    this.progress.delete(id);
    this.specs.delete(id);
    this.aborts.delete(id);
  }

  private signal(job: string): AbortSignal {
    let ctl = this.aborts.get(job);
    if (!ctl) {
      ctl = new AbortController();
      // one listener per waiting sample
      setMaxListeners(0, ctl.signal);
      this.aborts.set(job, ctl);
    }
    return ctl.signal;
  }

  /** Pump on the next turn: a run of cache hits finishes without I/O, and must not starve the HTTP routes. */
  private schedule(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    setImmediate(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  private pump(): void {
    while (!this.closed && this.active < this.window) {
      if (!this.buffer.length) this.refill();
      const s = this.buffer.shift();
      if (!s) break;
      this.active += 1;
      this.inflight.set(s.job, (this.inflight.get(s.job) ?? 0) + 1);
      void this.run(s).finally(() => {
        this.active -= 1;
        this.inflight.set(s.job, (this.inflight.get(s.job) ?? 1) - 1);
        if (this.closed) {
          if (this.active === 0) for (const f of this.idle.splice(0)) f();
          return;
        }
        if (!this.buffer.some((b) => b.job === s.job)) this.maybeFinish(s.job);
        this.schedule();
      });
    }
  }

  private async run(s: PendingSample & { job: string; spec: Spec }): Promise<void> {
    const signal = this.signal(s.job);
    let result: JobResult;
    try {
      const req = this.request(s);
      const resolved = this.deps.grader.resolve(req);
      let v = await this.gradeOnce(req, resolved, signal);
      for (let i = 0; v.status === 'infra_error' && i < this.infraRetries && !this.closed; i++) {
        await abortable(new Promise((r) => setTimeout(r, this.retryDelayMs * (i + 1))), signal);
        v = await this.gradeOnce(req, resolved, signal);
      }
      if (this.closed && v.status === 'infra_error') return; // shutting down: leave it for the next run
      result = this.toResult(s, v);
    } catch (e) {
      if (e instanceof Dropped) return; // cancelled, or shutting down (then it resumes next time)
      // The problem vanished (re-import) or the sample is otherwise ungradable: say so on its line.
      const msg = e instanceof Error ? e.message : String(e);
      this.deps.log.warn({ job: s.job, seq: s.seq, err: msg }, 'sample not graded');
      result = { seq: s.seq, line: s.line, sub: s.sub, benchmark: s.benchmark, problem_id: s.problem_id, status: 'invalid', reward: 0, reason: null, error: msg };
    }
    this.deps.jobs.record(s.job, result);
  }

  /**
   * One grade of a sample: the verdict of an identical program cached or in
   * flight (no slot taken), else graded in one of the jobs' slots as the
   * flight others join. Throws Dropped when `signal` aborts while it waits.
   */
  private async gradeOnce(req: GradeRequest, resolved: Resolved, signal: AbortSignal): Promise<Verdict> {
    const shared = this.deps.shared;
    const key = shared.key(req, resolved, await shared.imagesKey());
    if (key === null) {
      const release = await this.slot(signal);
      shared.unshared();
      try {
        return await this.deps.grader.grade(req, resolved);
      } finally {
        release();
      }
    }
    const early = shared.join(key, { signal });
    if (early) return abortable(early, signal);
    const release = await this.slot(signal);
    // an identical grade may have started (or finished) while this one waited
    const late = shared.join(key, { signal });
    if (late) {
      release();
      return abortable(late, signal);
    }
    try {
      // a job's grade is not cancelled by anyone leaving: no signal
      return await shared.lead(key, () => this.deps.grader.grade(req, resolved));
    } finally {
      release();
    }
  }

  private slot(signal: AbortSignal): Promise<() => void> {
    return this.slots.acquire({ signal }).catch((e: unknown) => {
      throw e instanceof QueueCancelledError ? new Dropped() : e;
    });
  }

  /**
   * The grade request for a sample. An EvalPlus `solution` is a whole program:
   * send the completion whose extracted program is exactly that solution
   * (the prompt stripped when the benchmark prepends it).
   */
  private request(s: PendingSample & { spec: Spec }): GradeRequest {
    const req: GradeRequest = { benchmark: s.benchmark, problem_id: s.problem_id, completion: s.completion };
    if (s.spec.options) req.options = s.spec.options;
    if (!s.solution) return req;
    let { bench, problem, options } = this.deps.grader.resolve(req);
    // A solution is a program, not a chat reply: the benchmark's official extractor reads it.
    const chosen = isRecord(options) ? options.extractor : undefined;
    if (typeof chosen === 'string' && isExtractorName(chosen) && req.options?.extractor === undefined) {
      const official = officialExtractor(chosen);
      if (official !== chosen) {
        req.options = { ...req.options, extractor: official };
        ({ bench, problem, options } = this.deps.grader.resolve(req));
      }
    }
    const candidates = [s.completion];
    if (s.completion.startsWith(problem.prompt)) candidates.unshift(s.completion.slice(problem.prompt.length));
    for (const c of candidates) {
      if (bench.extract(problem, c, options).code === s.completion) return { ...req, completion: c };
    }
    // The benchmark prepends a prompt the solution does not start with: a later
    // definition wins in Python, so prompt + solution runs the solution.
    return { ...req, completion: '\n' + s.completion };
  }

  private toResult(s: PendingSample, v: Verdict): JobResult {
    const r: JobResult = {
      seq: s.seq,
      line: s.line,
      sub: s.sub,
      benchmark: v.benchmark,
      problem_id: v.problem_id,
      status: v.status,
      reward: v.reward,
      reason: v.reason,
      benchmark_version: v.benchmark_version,
      grader_version: v.grader_version,
    };
    if (v.grader_fingerprint) r.grader_fingerprint = v.grader_fingerprint;
    if (v.cached) r.cached = true;
    if (v.detail) r.detail = v.detail.slice(0, 500);
    if (v.groups) r.groups = v.groups;
    if (v.official) r.official = v.official;
    const problem = this.deps.grader.resolve({
      benchmark: v.benchmark,
      problem_id: v.problem_id,
      completion: '',
      options: { version: v.benchmark_version },
    }).problem;
    const meta: Record<string, string> = {};
    for (const k of META_FIELDS) {
      const val = problem.public[k];
      if (typeof val === 'string' || typeof val === 'number') meta[k] = String(val);
    }
    if (Object.keys(meta).length) r.meta = meta;
    return r;
  }
}

async function* textLines(text: string): AsyncGenerator<{ text: string; line: number }> {
  let line = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    line += 1;
    yield { text: text.slice(start, end), line };
    start = end + 1;
  }
}

async function* fileLines(file: string): AsyncGenerator<{ text: string; line: number }> {
  const rl = readline.createInterface({ input: await streamMaybeGzip(file), crlfDelay: Infinity });
  let line = 0;
  for await (const text of rl) {
    line += 1;
    yield { text, line };
  }
}

/** A sample left ungraded: its job was cancelled, or the runner is closing. */
class Dropped extends Error {}

/** `p`, or Dropped as soon as `signal` aborts (what `p` waits for goes on without this caller). */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Dropped());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Dropped());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
