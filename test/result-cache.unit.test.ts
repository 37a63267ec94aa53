import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { httpStatus } from '../src/errors.js';
import { Admission, OverloadError, QueueCancelledError, QueueDeadlineError } from '../src/rl/admission.js';
import { ResultCache } from '../src/store/result-cache.js';
import pino from 'pino';
import { RunCodeLane } from '../src/rl/run-code-lane.js';
import { floatJson } from '../src/rl/floats.js';
import { RunCodeRequestSchema, type RunCodeRequest, type RunCodeResponse } from '../src/rl/schemas.js';

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
      expect(httpStatus((e as OverloadError).code)).toBe(429);
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

describe('/run_code lane (verl: 504 is retried, 1 s then 2 s; a timeout is not)', () => {
  const log = pino({ level: 'silent' });
  const req = (code: string): RunCodeRequest => RunCodeRequestSchema.parse({ code, language: 'python', compile_timeout: 0.1, run_timeout: 0.1 });
  const ok = (stdout: string): RunCodeResponse => ({
    status: 'Success', message: '', compile_result: null, executor_pod_name: null, files: {},
    run_result: { status: 'Finished', execution_time: 0, return_code: 0, stdout, stderr: '' },
  });

  it('answers 504 before the client times out, keeps the place, and the retry takes the same program over', async () => {
    // one slot, held; client timeout 0.1 + 0.1 + 0.5 s, margin 0.1 s: latest start 0.4 s after arrival
    let runs = 0;
    const gate = new Admission(1, 100);
    const hold = await gate.acquire();
    const lane = new RunCodeLane({ admission: gate, log, slackS: 0.5, marginMs: 100, parkMs: 5000, run: async (r) => (runs++, ok(r.code)) });
    const never = new AbortController().signal;
    const t0 = performance.now();
    const first = await lane.handle(req('a'), never);
    expect(first.kind).toBe('busy');
    expect(performance.now() - t0).toBeGreaterThan(350);
    expect(performance.now() - t0).toBeLessThan(600); // well inside the client's 700 ms
    expect(lane.stats().parked).toBe(1);
    expect(gate.stats().waiting).toBe(1); // still queued, in its place
    const retry = lane.handle(req('a'), never);
    expect(lane.stats().parked).toBe(0);
    hold();
    const second = await retry;
    expect(second).toMatchObject({ kind: 'result', body: { run_result: { stdout: 'a' } } });
    expect(second.kind === 'result' && second.queueMs).toBeGreaterThan(350); // both attempts' wait
    expect(runs).toBe(1);
  });

  it('a client that hangs up cancels its program; a parked program nobody retries is cancelled', async () => {
    const gate = new Admission(1, 100);
    const seen: AbortSignal[] = [];
    const lane = new RunCodeLane({
      admission: gate, log, slackS: 0.5, marginMs: 100, parkMs: 200,
      run: (_r, o) => new Promise((resolve) => { seen.push(o.signal!); o.signal!.addEventListener('abort', () => resolve(ok(''))); }),
    });
    const ctl = new AbortController();
    const running = lane.handle(req('run'), ctl.signal);
    await new Promise((r) => setTimeout(r, 50));
    expect(gate.stats()).toMatchObject({ running: 1, waiting: 0 });
    ctl.abort();
    expect(await running).toEqual({ kind: 'gone' });
    expect(seen[0]!.aborted).toBe(true); // the running program was told to stop
    expect(gate.stats().running).toBe(0);
    // a queued program answered 504 whose retry never comes leaves the queue after parkMs, without running
    const hold = await gate.acquire();
    expect((await lane.handle(req('queued'), new AbortController().signal)).kind).toBe('busy');
    expect(gate.stats().waiting).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(gate.stats().waiting).toBe(0);
    expect(lane.stats().parked).toBe(0);
    hold();
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toHaveLength(1);
  });
});

describe('rewards as JSON floats', () => {
  it('writes reward, score, rewards[] and scores[] as floats and nothing else', () => {
    const s = floatJson({ rewards: [1, 0, 0.5, -1], scores: [1], reward: 0, extra_logs: { pass: [1, 0] }, nested: { reward: 1, completion: '"reward":1' } });
    expect(s).toBe('{"rewards":[1.0,0.0,0.5,-1.0],"scores":[1.0],"reward":0.0,"extra_logs":{"pass":[1,0]},"nested":{"reward":1.0,"completion":"\\"reward\\":1"}}');
    expect(JSON.parse(s)).toEqual({ rewards: [1, 0, 0.5, -1], scores: [1], reward: 0, extra_logs: { pass: [1, 0] }, nested: { reward: 1, completion: '"reward":1' } });
  });
});
