import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { compareOutput, type Comparison, type TextComparator } from './compare.js';

// Program outputs up to the output limit (64 MB) are compared in the service.
// The comparators are linear, but a linear pass over tens of MB is still
// hundreds of milliseconds of CPU: on the event loop it would stall every
// other grade, route and health check. Outputs beyond a small size go to a
// pool of compare threads; small ones (almost every test) stay inline, where
// a thread hop would cost more than the comparison.

/** expected + actual bytes up to which the comparison runs inline */
export const INLINE_COMPARE_BYTES = 256 << 10;

export interface CompareRequest {
  id: number;
  cmp: TextComparator;
  expected: string;
  actual: ArrayBuffer;
}
export type CompareResponse = { id: number; result: Comparison } | { id: number; error: string };

interface Job {
  req: CompareRequest;
  resolve: (c: Comparison) => void;
  reject: (e: Error) => void;
}

class ComparePool {
  private idle: Worker[] = [];
  private busy = new Map<Worker, Job>();
  private queue: Job[] = [];
  private started = 0;
  private nextId = 1;
  private answered = false;
  /** set when threads cannot start here (no loader for the worker file): compare inline */
  broken = false;

  constructor(private readonly size: number) {}

  run(cmp: TextComparator, expected: string, actual: Buffer): Promise<Comparison> {
    // a copy in an ArrayBuffer of its own, moved (not cloned) to the thread
    const ab = new ArrayBuffer(actual.length);
    new Uint8Array(ab).set(actual);
    return new Promise((resolve, reject) => {
      this.queue.push({ req: { id: this.nextId++, cmp, expected, actual: ab }, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let w = this.idle.pop();
      if (!w && this.started < this.size) w = this.spawn();
      if (!w) return;
      const job = this.queue.shift()!;
      this.busy.set(w, job);
      w.postMessage(job.req, [job.req.actual]);
    }
  }

  private spawn(): Worker {
    this.started++;
    const w = newWorker();
    w.unref();
    w.on('message', (m: CompareResponse) => {
      this.answered = true;
      const job = this.busy.get(w);
      this.busy.delete(w);
      this.idle.push(w);
      if (job) {
        if ('error' in m) job.reject(new Error(`comparison failed: ${m.error}`));
        else job.resolve(m.result);
      }
      this.pump();
    });
    const lost = (why: string) => {
      const job = this.busy.get(w);
      this.busy.delete(w);
      this.idle = this.idle.filter((x) => x !== w);
      this.started--;
      if (job) job.reject(new Error(`compare thread ${why}`));
      this.pump();
    };
    w.on('error', (e) => {
      // no thread has ever answered: threads cannot load here (no loader for the worker file)
      if (!this.answered) this.broken = true;
      lost(`failed: ${e instanceof Error ? e.message : String(e)}`);
    });
    w.on('exit', (code) => {
      if (this.busy.has(w) || this.idle.includes(w)) lost(`exited (${code})`);
    });
    return w;
  }
}

/**
 * The thread: compare-worker.js beside this file; from TypeScript sources
 * (tsx, vitest) a bootstrap that registers tsx's loader in the thread first
 * (a loader of the parent does not reach a worker thread's imports).
 */
function newWorker(): Worker {
  const self = fileURLToPath(import.meta.url);
  const target = new URL(`./compare-worker${path.extname(self)}`, import.meta.url);
  if (!self.endsWith('.ts')) return new Worker(target);
  const api = createRequire(import.meta.url).resolve('tsx/esm/api').replace(/index\.cjs$/, 'index.mjs');
  const boot = `import(${JSON.stringify(pathToFileURL(api).href)}).then((m) => m.register()).then(() => import(${JSON.stringify(target.href)}));`;
  return new Worker(boot, { eval: true });
}

let pool: ComparePool | undefined;

/**
 * compareOutput for a program's raw output: inline when small, else on a
 * compare thread. Outcomes are identical either way (same function).
 */
export async function compareOutputAsync(cmp: TextComparator, expected: string, actual: Buffer): Promise<Comparison> {
  if (expected.length + actual.length <= INLINE_COMPARE_BYTES) return compareOutput(cmp, expected, actual.toString('utf8'));
  pool ??= new ComparePool(Number(process.env.VERDICT_COMPARE_THREADS) || Math.max(1, Math.min(4, os.availableParallelism() - 1)));
  if (pool.broken) return compareOutput(cmp, expected, actual.toString('utf8'));
  try {
    return await pool.run(cmp, expected, actual);
  } catch (e) {
    if (!pool.broken) throw e;
    return compareOutput(cmp, expected, actual.toString('utf8'));
  }
}
