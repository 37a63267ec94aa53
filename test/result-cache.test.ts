import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Admission, OverloadError, QueueCancelledError, QueueDeadlineError } from '../src/rl/admission.js';
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

describe('admission (backpressure)', () => {
  it('runs `concurrency` units, queues the rest FIFO, and refuses new requests only while the queue is full', async () => {
    const a = new Admission(2, 3);
    // a request far larger than concurrency + queue passes the gate: its units queue
    a.check();
    const order: number[] = [];
    const units = Array.from({ length: 8 }, (_, i) => a.acquire().then((release) => ({ i, release })));
    const first = await Promise.all(units.slice(0, 2));
    expect(a.stats()).toMatchObject({ running: 2, waiting: 6 });
    // the queue is full now: the next request is refused with a Retry-After
    try {
      a.check();
      expect.unreachable('a full queue refuses');
    } catch (e) {
      expect(e).toBeInstanceOf(OverloadError);
      expect((e as OverloadError).statusCode).toBe(429);
      expect((e as OverloadError).retryAfterS).toBeGreaterThanOrEqual(1);
    }
    for (const u of units.slice(2)) void u.then(({ i, release }) => (order.push(i), release()));
    first[0]!.release();
    first[0]!.release(); // a second release is ignored
    first[1]!.release();
    await Promise.all(units);
    expect(order).toEqual([2, 3, 4, 5, 6, 7]);
    expect(a.stats()).toMatchObject({ running: 0, waiting: 0, rejected: 1 });
  });

  it('a waiting unit leaves the queue at its deadline or when its client goes; the bytes bound gates too', async () => {
    const a = new Admission(1, 100, 1000);
    const hold = await a.acquire();
    const late = a.acquire({ deadline: performance.now() + 30 });
    await expect(late).rejects.toBeInstanceOf(QueueDeadlineError);
    const ctl = new AbortController();
    const gone = a.acquire({ signal: ctl.signal, bytes: 900 });
    expect(a.stats().waiting_bytes).toBe(900);
    expect(() => a.check(200)).toThrow(OverloadError);
    ctl.abort();
    await expect(gone).rejects.toBeInstanceOf(QueueCancelledError);
    expect(a.stats()).toMatchObject({ waiting: 0, waiting_bytes: 0 });
    const next = a.acquire();
    hold();
    (await next)();
    expect(a.stats().running).toBe(0);
  });
});
