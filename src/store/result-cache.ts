import type Database from 'better-sqlite3';

/**
 * Content-addressed verdicts, bounded LRU in the embedded SQLite store (own
 * table). The caller builds the key from everything a verdict depends on, so
 * an entry never goes stale; eviction is by least recent use.
 */
export class ResultCache {
  private count: number;
  private hits = 0;
  private misses = 0;
  private readonly getStmt: Database.Statement;
  private readonly touchStmt: Database.Statement;
  private readonly putStmt: Database.Statement;
  private readonly evictStmt: Database.Statement;
  // last_used is a counter, not a clock: strictly ordered and cheap
  private tick: number;

  constructor(
    db: Database.Database,
    readonly maxEntries: number,
  ) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS result_cache (
        key TEXT PRIMARY KEY, verdict_json TEXT NOT NULL, last_used INTEGER NOT NULL, created_at TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS result_cache_lru ON result_cache (last_used);
    `);
    this.count = (db.prepare('SELECT COUNT(*) AS n FROM result_cache').get() as { n: number }).n;
    this.tick = (db.prepare('SELECT COALESCE(MAX(last_used), 0) AS t FROM result_cache').get() as { t: number }).t;
    this.getStmt = db.prepare('SELECT verdict_json FROM result_cache WHERE key = ?');
    this.touchStmt = db.prepare('UPDATE result_cache SET last_used = ? WHERE key = ?');
    this.putStmt = db.prepare(
      `INSERT INTO result_cache (key, verdict_json, last_used, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET verdict_json = excluded.verdict_json, last_used = excluded.last_used`,
    );
    this.evictStmt = db.prepare(
      'DELETE FROM result_cache WHERE key IN (SELECT key FROM result_cache ORDER BY last_used LIMIT ?)',
    );
    if (this.count > maxEntries) this.evict();
  }

  get<T>(key: string): T | undefined {
    const row = this.getStmt.get(key) as { verdict_json: string } | undefined;
    if (!row) {
      this.misses += 1;
      return undefined;
    }
    this.hits += 1;
    this.touch(key);
    return JSON.parse(row.verdict_json) as T;
  }

  set(key: string, value: unknown): void {
    if (this.maxEntries <= 0) return;
    // best effort: a cache that cannot write (disk full, database locked) must not fail the grade it stores
    try {
      const r = this.putStmt.run(key, JSON.stringify(value), ++this.tick, new Date().toISOString());
      // an upsert of an existing key reports changes=1 as well; recount only when over
      this.count += r.changes;
      if (this.count > this.maxEntries) this.evict();
    } catch {
      this.writeErrors += 1;
    }
  }

  private touch(key: string): void {
    try {
      this.touchStmt.run(++this.tick, key);
    } catch {
      this.writeErrors += 1;
    }
  }

  /** writes that failed (the verdicts were still answered) */
  writeErrors = 0;

  stats(): { entries: number; hits: number; misses: number } {
    return { entries: this.count, hits: this.hits, misses: this.misses };
  }

  private evict(): void {
    const db = this.getStmt.database;
    this.count = (db.prepare('SELECT COUNT(*) AS n FROM result_cache').get() as { n: number }).n;
    // evict a tenth at once so a full cache does not delete on every insert
    const over = this.count - this.maxEntries;
    if (over <= 0) return;
    const n = over + Math.floor(this.maxEntries / 10);
    this.count -= this.evictStmt.run(n).changes;
  }
}
