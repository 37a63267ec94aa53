import { ApiError } from '../errors.js';

/**
 * Admission control: at most `concurrency` grades run (the engine's slots) and
 * at most `queue` more wait; work beyond that is refused at once with 429 and
 * a Retry-After estimated from recent grade times, instead of queueing without
 * bound. A batch is admitted whole or not at all.
 */
export class Admission {
  private inFlight = 0;
  private rejected = 0;
  // recent mean seconds per grade, for Retry-After
  private meanS = 0.1;

  constructor(
    readonly concurrency: number,
    readonly queue: number,
  ) {}

  get capacity(): number {
    return this.concurrency + this.queue;
  }

  /** Admit `n` grades or throw a 429 (413 when n can never fit). */
  admit(n: number, field = 'body'): () => void {
    if (n > this.capacity) {
      throw new ApiError(413, 'batch_too_large', `${n} distinct grades exceed the service's capacity of ${this.capacity}; split the batch`, field);
    }
    if (this.inFlight + n > this.capacity) {
      this.rejected += 1;
      throw new OverloadError(this.retryAfterS(n));
    }
    this.inFlight += n;
    let left = n;
    return () => {
      // one release per admitted grade; extra calls are ignored
      if (left <= 0) return;
      left -= 1;
      this.inFlight -= 1;
    };
  }

  /** Feed the time one grade took, for the Retry-After estimate. */
  observe(seconds: number): void {
    this.meanS = 0.95 * this.meanS + 0.05 * seconds;
  }

  retryAfterS(n: number): number {
    const waves = Math.ceil((this.inFlight + n - this.capacity) / this.concurrency);
    return Math.max(1, Math.min(60, Math.ceil(waves * this.meanS)));
  }

  stats(): { in_flight: number; capacity: number; rejected: number } {
    return { in_flight: this.inFlight, capacity: this.capacity, rejected: this.rejected };
  }
}

export class OverloadError extends ApiError {
  constructor(readonly retryAfterS: number) {
    super(429, 'overloaded', `the grading queue is full; retry after ${retryAfterS}s`);
  }
}
