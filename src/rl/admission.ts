import { DomainError } from '../errors.js';

/**
 * Admission by backpressure. At most `concurrency` units (grades, or /run_code
 * programs) run at once; the rest wait in one FIFO queue. A request is refused
 * (OverloadError: 429, or 504 on the SandboxFusion routes) only when the queue
 * already holds `queue` waiting units or `queueBytes` bytes of their input;
 * a request that passes that gate queues every unit it has, however many, so a
 * batch larger than the whole capacity streams through instead of being
 * refused. Memory stays bounded: past the gate nothing new is taken in, and
 * one request adds at most one body (the HTTP body limit) beyond it.
 *
 * Waiting is cancellable (the client hung up) and bounded by a deadline (the
 * client's own timeout), so queue wait never silently eats a client's time.
 */
export class Admission {
  private running = 0;
  /** insertion-ordered: the first entry is the head of the queue; deletion is O(1) */
  private waiters = new Set<Waiter>();
  private waitingBytes = 0;
  private rejected = 0;
  private admitted = 0;
  // recent mean seconds per unit, for Retry-After
  private meanS = 0.1;

  constructor(
    readonly concurrency: number,
    readonly queue: number,
    readonly queueBytes: number = 256 << 20,
  ) {}

  /** units that may be running or waiting before new requests are refused */
  get capacity(): number {
    return this.concurrency + this.queue;
  }

  get waiting(): number {
    return this.waiters.size;
  }

  /**
   * The gate of a request bringing `bytes` of input: throws OverloadError when
   * the queue is full. Admits whatever the request's size; its units then wait
   * their turn in `acquire`.
   */
  check(bytes = 0): void {
    const full = this.waiters.size >= this.queue || (this.waiters.size > 0 && this.waitingBytes + bytes > this.queueBytes);
    if (full) {
      this.rejected += 1;
      throw new OverloadError(this.retryAfterS());
    }
    this.admitted += 1;
  }

  /**
   * One running slot, in FIFO order. Resolves to its release function (extra
   * calls are ignored). Rejects with QueueDeadlineError when `deadline`
   * (performance.now() milliseconds) passes first, or QueueCancelledError when
   * `signal` aborts first; either way the unit leaves the queue.
   */
  acquire(opts: { signal?: AbortSignal | undefined; deadline?: number | undefined; bytes?: number } = {}): Promise<() => void> {
    if (opts.signal?.aborted) return Promise.reject(new QueueCancelledError());
    if (this.running < this.concurrency && this.waiters.size === 0) return Promise.resolve(this.grant());
    if (opts.deadline !== undefined && opts.deadline <= performance.now()) return Promise.reject(new QueueDeadlineError());
    return new Promise((resolve, reject) => {
      const bytes = opts.bytes ?? 0;
      let timer: NodeJS.Timeout | undefined;
      const leave = () => {
        this.waiters.delete(w);
        this.waitingBytes -= bytes;
        if (timer) clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        leave();
        reject(new QueueCancelledError());
      };
      const w: Waiter = {
        start: () => {
          leave();
          // a slot freed in the same tick as the deadline: the timer may not have run yet
          if (opts.deadline !== undefined && opts.deadline <= performance.now()) {
            reject(new QueueDeadlineError());
            return false;
          }
          resolve(this.grant());
          return true;
        },
      };
      this.waiters.add(w);
      this.waitingBytes += bytes;
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (opts.deadline !== undefined) {
        timer = setTimeout(() => {
          leave();
          reject(new QueueDeadlineError());
        }, opts.deadline - performance.now());
      }
    });
  }

  /** Feed the time one unit took, for the Retry-After estimate. */
  observe(seconds: number): void {
    this.meanS = 0.95 * this.meanS + 0.05 * seconds;
  }

  /** Seconds until the queue as it stands now has drained. */
  drainS(): number {
    return (Math.ceil(this.waiters.size / this.concurrency) + 1) * this.meanS;
  }

  retryAfterS(): number {
    return Math.max(1, Math.min(60, Math.ceil(this.drainS())));
  }

  stats(): { in_flight: number; running: number; waiting: number; waiting_bytes: number; capacity: number; rejected: number; admitted: number } {
    return {
      in_flight: this.running + this.waiters.size,
      running: this.running,
      waiting: this.waiters.size,
      waiting_bytes: this.waitingBytes,
      capacity: this.capacity,
      rejected: this.rejected,
      admitted: this.admitted,
    };
  }

  private grant(): () => void {
    this.running += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running -= 1;
      this.next();
    };
  }

  private next(): void {
    while (this.running < this.concurrency) {
      const head = this.waiters.values().next();
      if (head.done) return;
      head.value.start(); // a waiter past its deadline leaves without the slot; the loop offers it on
    }
  }
}

interface Waiter {
  /** Take the slot; false when the waiter left instead. */
  start: () => boolean;
}

export class OverloadError extends DomainError {
  constructor(readonly retryAfterS: number) {
    super('overloaded', `the grading queue is full; retry after ${retryAfterS}s`);
  }
}

/** The unit's deadline passed while it waited for a slot. */
export class QueueDeadlineError extends Error {
  constructor() {
    super('deadline passed while queued');
  }
}

/** The unit's client went away while it waited for a slot. */
export class QueueCancelledError extends Error {
  constructor() {
    super('cancelled while queued: the client disconnected');
  }
}
