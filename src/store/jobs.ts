import crypto from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Sample } from '../jobs/formats.js';
import type { BadLine, JobResult, JobState } from '../jobs/schemas.js';

// Durable batch-regrading jobs in the service's SQLite database. A job's input
// is copied into job_samples when it is created, so a restart needs nothing
// but this database; each result is one row keyed by (job, seq) and written
// with INSERT OR IGNORE, so a sample regraded after a crash (graded, not yet
// recorded) is still recorded exactly once.

export interface JobRow {
  id: string;
  label: string | null;
  benchmark: string;
  format: string;
  spec_json: string;
  /** 'loading' only while the POST that creates it is reading the input */
  state: JobState | 'loading';
  created_at: string;
  finished_at: string | null;
  lines: number;
  total: number;
}

export interface Counts {
  done: number;
  passes: number;
  fails: number;
  infra_errors: number;
  invalid: number;
}

export interface PendingSample extends Sample {
  seq: number;
}

export class JobStore {
  constructor(private readonly db: Database.Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS jobs (
        id TEXT PRIMARY KEY, label TEXT, benchmark TEXT NOT NULL, format TEXT NOT NULL, spec_json TEXT NOT NULL,
        state TEXT NOT NULL, created_at TEXT NOT NULL, finished_at TEXT,
        lines INTEGER NOT NULL DEFAULT 0, total INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE IF NOT EXISTS job_samples (
        job_id TEXT NOT NULL, seq INTEGER NOT NULL, line INTEGER NOT NULL, sub INTEGER NOT NULL,
        benchmark TEXT NOT NULL, problem_id TEXT NOT NULL, completion TEXT NOT NULL, solution INTEGER NOT NULL,
        PRIMARY KEY (job_id, seq)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS job_results (
        job_id TEXT NOT NULL, seq INTEGER NOT NULL, status TEXT NOT NULL, result_json TEXT NOT NULL,
        PRIMARY KEY (job_id, seq)) WITHOUT ROWID;
    `);
    // A job whose POST never answered has no owner: drop it.
    for (const { id } of db.prepare("SELECT id FROM jobs WHERE state = 'loading'").all() as Array<{ id: string }>) {
      this.delete(id);
    }
  }

  /** Start a job in state 'loading'; add its input with addLines, then open it with finishLoading. */
  create(meta: { label?: string; benchmark: string; format: string; spec: unknown }): string {
    const id = crypto.randomBytes(9).toString('base64url');
    this.db
      .prepare(
        `INSERT INTO jobs (id, label, benchmark, format, spec_json, state, created_at) VALUES (?, ?, ?, ?, ?, 'loading', ?)`,
      )
      .run(id, meta.label ?? null, meta.benchmark, meta.format, JSON.stringify(meta.spec), new Date().toISOString());
    return id;
  }

  /** Append read samples and bad lines (already in input order) in one transaction. */
  addLines(
    id: string,
    firstSeq: number,
    items: Array<{ sample: Sample } | { bad: BadLine & { benchmark: string } }>,
    lines: number,
  ): number {
    const insSample = this.db.prepare(
      'INSERT INTO job_samples (job_id, seq, line, sub, benchmark, problem_id, completion, solution) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const insResult = this.db.prepare('INSERT INTO job_results (job_id, seq, status, result_json) VALUES (?, ?, ?, ?)');
    let seq = firstSeq;
    let samples = 0;
    this.db.transaction(() => {
      for (const it of items) {
        if ('sample' in it) {
          const s = it.sample;
          insSample.run(id, seq, s.line, s.sub, s.benchmark, s.problem_id, s.completion, s.solution ? 1 : 0);
          samples += 1;
        } else {
          const r: JobResult = {
            seq,
            line: it.bad.line,
            sub: 0,
            benchmark: it.bad.benchmark,
            problem_id: null,
            status: 'invalid',
            reward: 0,
            reason: null,
            error: it.bad.message,
          };
          insResult.run(id, seq, 'invalid', JSON.stringify(r));
        }
        seq += 1;
      }
      this.db.prepare('UPDATE jobs SET lines = lines + ?, total = total + ? WHERE id = ?').run(lines, samples, id);
    })();
    return seq;
  }

  finishLoading(id: string): void {
    this.db.prepare("UPDATE jobs SET state = 'running' WHERE id = ? AND state = 'loading'").run(id);
  }

  get(id: string): JobRow | undefined {
    return this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
  }

  list(): JobRow[] {
    return this.db.prepare("SELECT * FROM jobs WHERE state != 'loading' ORDER BY created_at DESC LIMIT 1000").all() as JobRow[];
  }

  /** Jobs to (re)start, oldest first. */
  running(): JobRow[] {
    return this.db.prepare("SELECT * FROM jobs WHERE state = 'running' ORDER BY created_at, id").all() as JobRow[];
  }

  counts(id: string): Counts {
    const rows = this.db.prepare('SELECT status, COUNT(*) AS n FROM job_results WHERE job_id = ? GROUP BY status').all(id) as Array<{
      status: string;
      n: number;
    }>;
    const by = Object.fromEntries(rows.map((r) => [r.status, r.n])) as Record<string, number>;
    const passes = by.pass ?? 0;
    const fails = by.fail ?? 0;
    const infra = by.infra_error ?? 0;
    return { done: passes + fails + infra, passes, fails, infra_errors: infra, invalid: by.invalid ?? 0 };
  }

  badLines(id: string, limit: number): BadLine[] {
    const rows = this.db
      .prepare("SELECT result_json FROM job_results WHERE job_id = ? AND status = 'invalid' ORDER BY seq LIMIT ?")
      .all(id, limit) as Array<{ result_json: string }>;
    return rows.map((r) => {
      const j = JSON.parse(r.result_json) as JobResult;
      return { line: j.line, message: j.error ?? 'invalid' };
    });
  }

  /** Samples after `afterSeq` that have no result yet, in order. */
  pending(id: string, afterSeq: number, limit: number): PendingSample[] {
    const rows = this.db
      .prepare(
        `SELECT s.seq, s.line, s.sub, s.benchmark, s.problem_id, s.completion, s.solution FROM job_samples s
         WHERE s.job_id = ? AND s.seq > ?
           AND NOT EXISTS (SELECT 1 FROM job_results r WHERE r.job_id = s.job_id AND r.seq = s.seq)
         ORDER BY s.seq LIMIT ?`,
      )
      .all(id, afterSeq, limit) as Array<Omit<PendingSample, 'solution'> & { solution: number }>;
    return rows.map((r) => ({ ...r, solution: r.solution === 1 }));
  }

  /** Record a result once; a second write of the same (job, seq) is ignored. Returns whether it was new. */
  record(id: string, result: JobResult): boolean {
    return (
      this.db
        .prepare('INSERT OR IGNORE INTO job_results (job_id, seq, status, result_json) VALUES (?, ?, ?, ?)')
        .run(id, result.seq, result.status, JSON.stringify(result)).changes === 1
    );
  }

  results(id: string, afterSeq: number, limit: number): Array<{ seq: number; json: string }> {
    return this.db
      .prepare('SELECT seq, result_json AS json FROM job_results WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?')
      .all(id, afterSeq, limit) as Array<{ seq: number; json: string }>;
  }

  setState(id: string, state: JobState): void {
    this.db
      .prepare("UPDATE jobs SET state = ?, finished_at = ? WHERE id = ? AND state = 'running'")
      .run(state, new Date().toISOString(), id);
  }

  /** The job's input is no longer needed once every sample has a result. */
  dropSamples(id: string): void {
    this.db.prepare('DELETE FROM job_samples WHERE job_id = ?').run(id);
  }

  delete(id: string): void {
    this.db.transaction(() => {
      for (const t of ['job_samples', 'job_results']) this.db.prepare(`DELETE FROM ${t} WHERE job_id = ?`).run(id);
      this.db.prepare('DELETE FROM jobs WHERE id = ?').run(id);
    })();
  }
}
