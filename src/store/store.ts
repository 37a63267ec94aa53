import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Lru } from './lru.js';
import type { ProblemRecord } from '../domain.js';


export interface BenchmarkVersion {
  name: string;
  version: string;
  source: string;
  sha256: string;
  count: number;
  importedAt: string;
}

interface ProblemRow {
  id: string;
  prompt: string;
  public_json: string;
  hidden_json: string;
}

/**
 * Embedded SQLite store of imported problems (with their hidden tests) and of
 * per-problem calibration data such as reference outputs and timings.
 */
export class ProblemStore {
  readonly db: Database.Database;
  // An RL step grades the same problems over and over: keep the parsed rows
  // (HumanEval+ calibrations reach 150 MB of JSON) instead of re-reading them.
  // Weighed by JSON size: one LiveCodeBench or USACO problem can carry tens of MB of tests.
  private problems = new Lru<string, { rec: ProblemRecord; size: number }>(512 << 20, (e) => e.size);
  private calibrations = new Lru<string, { size: number; data: unknown }>(512 << 20, (e) => e.size);

  constructor(dataDir: string) {
    fs.mkdirSync(dataDir, { recursive: true });
    this.db = new Database(path.join(dataDir, 'verdict.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS benchmark_versions (
        name TEXT NOT NULL, version TEXT NOT NULL, source TEXT NOT NULL, sha256 TEXT NOT NULL,
        count INTEGER NOT NULL, imported_at TEXT NOT NULL, PRIMARY KEY (name, version));
      CREATE TABLE IF NOT EXISTS problems (
        benchmark TEXT NOT NULL, version TEXT NOT NULL, id TEXT NOT NULL, ord INTEGER NOT NULL,
        prompt TEXT NOT NULL, public_json TEXT NOT NULL, hidden_json TEXT NOT NULL,
        PRIMARY KEY (benchmark, version, id));
      CREATE TABLE IF NOT EXISTS calibrations (
        benchmark TEXT NOT NULL, version TEXT NOT NULL, problem_id TEXT NOT NULL, key TEXT NOT NULL,
        data_json TEXT NOT NULL, created_at TEXT NOT NULL,
        PRIMARY KEY (benchmark, version, problem_id, key));
    `);
  }

  /** Replace one version of a benchmark atomically. */
  importVersion(meta: Omit<BenchmarkVersion, 'count' | 'importedAt'>, problems: ProblemRecord[]): BenchmarkVersion {
    const importedAt = new Date().toISOString();
    const tx = this.db.transaction(() => {
      this.db.prepare('DELETE FROM problems WHERE benchmark = ? AND version = ?').run(meta.name, meta.version);
      this.db.prepare('DELETE FROM calibrations WHERE benchmark = ? AND version = ?').run(meta.name, meta.version);
      const ins = this.db.prepare(
        'INSERT INTO problems (benchmark, version, id, ord, prompt, public_json, hidden_json) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      problems.forEach((p, i) =>
        ins.run(meta.name, meta.version, p.id, i, p.prompt, JSON.stringify(p.public), JSON.stringify(p.hidden)),
      );
      this.db
        .prepare(
          `INSERT INTO benchmark_versions (name, version, source, sha256, count, imported_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (name, version) DO UPDATE SET source = excluded.source, sha256 = excluded.sha256,
             count = excluded.count, imported_at = excluded.imported_at`,
        )
        .run(meta.name, meta.version, meta.source, meta.sha256, problems.length, importedAt);
    });
    tx();
    this.problems.clear();
    this.calibrations.clear();
    return { ...meta, count: problems.length, importedAt };
  }

  versions(name?: string): BenchmarkVersion[] {
    const rows = (
      name
        ? this.db.prepare('SELECT * FROM benchmark_versions WHERE name = ? ORDER BY imported_at DESC').all(name)
        : this.db.prepare('SELECT * FROM benchmark_versions ORDER BY name, imported_at DESC').all()
    ) as Array<{ name: string; version: string; source: string; sha256: string; count: number; imported_at: string }>;
    return rows.map((r) => ({
      name: r.name,
      version: r.version,
      source: r.source,
      sha256: r.sha256,
      count: r.count,
      importedAt: r.imported_at,
    }));
  }

  /** The version a request gets when it names none: the latest import. */
  defaultVersion(name: string): string | undefined {
    return this.versions(name)[0]?.version;
  }

  problem(name: string, version: string, id: string): ProblemRecord | undefined {
    const key = JSON.stringify([name, version, id]);
    const hit = this.problems.get(key);
    if (hit) return hit.rec;
    const row = this.db
      .prepare('SELECT id, prompt, public_json, hidden_json FROM problems WHERE benchmark = ? AND version = ? AND id = ?')
      .get(name, version, id) as ProblemRow | undefined;
    if (!row) return undefined;
    const rec = toRecord(row);
    this.problems.set(key, { rec, size: row.prompt.length + row.public_json.length + row.hidden_json.length });
    return rec;
  }

  listProblems(
    name: string,
    version: string,
    offset: number,
    limit: number,
  ): { total: number; items: Array<Pick<ProblemRecord, 'id' | 'prompt' | 'public'>> } {
    const total = (
      this.db.prepare('SELECT COUNT(*) AS n FROM problems WHERE benchmark = ? AND version = ?').get(name, version) as {
        n: number;
      }
    ).n;
    const rows = this.db
      .prepare(
        'SELECT id, prompt, public_json FROM problems WHERE benchmark = ? AND version = ? ORDER BY ord LIMIT ? OFFSET ?',
      )
      .all(name, version, limit, offset) as Array<Omit<ProblemRow, 'hidden_json'>>;
    return {
      total,
      items: rows.map((r) => ({ id: r.id, prompt: r.prompt, public: JSON.parse(r.public_json) as Record<string, unknown> })),
    };
  }

  allProblems(name: string, version: string): ProblemRecord[] {
    const rows = this.db
      .prepare('SELECT id, prompt, public_json, hidden_json FROM problems WHERE benchmark = ? AND version = ? ORDER BY ord')
      .all(name, version) as ProblemRow[];
    return rows.map(toRecord);
  }

  calibration(name: string, version: string, problemId: string, key: string): unknown {
    const ck = JSON.stringify([name, version, problemId, key]);
    const hit = this.calibrations.get(ck);
    if (hit) return hit.data;
    const row = this.db
      .prepare('SELECT data_json FROM calibrations WHERE benchmark = ? AND version = ? AND problem_id = ? AND key = ?')
      .get(name, version, problemId, key) as { data_json: string } | undefined;
    if (!row) return undefined;
    const data = JSON.parse(row.data_json) as unknown;
    this.calibrations.set(ck, { size: row.data_json.length, data });
    return data;
  }

  saveCalibration(name: string, version: string, problemId: string, key: string, data: unknown): void {
    const json = JSON.stringify(data);
    this.calibrations.set(JSON.stringify([name, version, problemId, key]), { size: json.length, data });
    this.db
      .prepare(
        `INSERT INTO calibrations (benchmark, version, problem_id, key, data_json, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (benchmark, version, problem_id, key) DO UPDATE SET data_json = excluded.data_json, created_at = excluded.created_at`,
      )
      .run(name, version, problemId, key, json, new Date().toISOString());
  }

  close(): void {
    this.db.close();
  }
}

function toRecord(r: ProblemRow): ProblemRecord {
  return {
    id: r.id,
    prompt: r.prompt,
    public: JSON.parse(r.public_json) as Record<string, unknown>,
    hidden: JSON.parse(r.hidden_json) as Record<string, unknown>,
  };
}
