import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Admission, OverloadError } from '../src/rl/admission.js';
import { ResultCache } from '../src/store/result-cache.js';

describe('result cache (SQLite LRU)', () => {
  const db = () => new Database(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-cache-')), 'c.sqlite'));

  it('returns what was stored and evicts the least recently used beyond the bound', () => {
    const c = new ResultCache(db(), 10);
    for (let i = 0; i < 10; i++) c.set(`k${i}`, { i });
    expect(c.get('k0')).toEqual({ i: 0 }); // k0 is now the most recent
    c.set('k10', { i: 10 });
    expect(c.stats().entries).toBeLessThanOrEqual(10);
    expect(c.get('k0')).toEqual({ i: 0 });
    expect(c.get('k1')).toBeUndefined(); // the oldest untouched entry went first
    expect(c.get('k10')).toEqual({ i: 10 });
    for (let i = 11; i < 100; i++) c.set(`k${i}`, { i });
    expect(c.stats().entries).toBeLessThanOrEqual(10);
    expect(c.get('k99')).toEqual({ i: 99 });
  });

  it('survives a restart (same database) and stays bounded when opened smaller', () => {
    const d = db();
    const a = new ResultCache(d, 100);
    for (let i = 0; i < 50; i++) a.set(`k${i}`, i);
    const b = new ResultCache(d, 20);
    expect(b.stats().entries).toBeLessThanOrEqual(20);
    expect(b.get('k49')).toBe(49);
  });
});

describe('admission', () => {
  it('admits up to concurrency + queue, then refuses with a Retry-After, and frees on release', () => {
    const a = new Admission(2, 3);
    const r1 = a.admit(4);
    expect(() => a.admit(2)).toThrow(OverloadError);
    try {
      a.admit(2);
    } catch (e) {
      expect((e as OverloadError).statusCode).toBe(429);
      expect((e as OverloadError).retryAfterS).toBeGreaterThanOrEqual(1);
    }
    const r2 = a.admit(1);
    r1();
    r1();
    r2();
    r2(); // a second release of a single grade is ignored
    expect(a.stats().in_flight).toBe(2);
    expect(() => a.admit(6)).toThrow(/capacity of 5/);
  });
});
