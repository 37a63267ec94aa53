import { describe, expect, it } from 'vitest';
import { Admission, QueueDeadlineError } from '../src/rl/admission.js';

function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe('Admission', () => {
  it('grants slots in FIFO order', async () => {
    const a = new Admission(1, 8);
    const first = await a.acquire();
    const order: number[] = [];
    const waiting = [1, 2, 3].map((i) => a.acquire().then((release) => (order.push(i), release)));
    first();
    for (const p of waiting) (await p)();
    expect(order).toEqual([1, 2, 3]);
    expect(a.stats()).toMatchObject({ running: 0, waiting: 0 });
  });

  it('a slot freed after a waiter\'s deadline, before its timer has run, goes to the next waiter, not to the late one', async () => {
    const a = new Admission(1, 8);
    const hold = await a.acquire();
    const late = a.acquire({ deadline: performance.now() + 5 });
    const next = a.acquire();
    // no timer can run while this tick spins past the deadline; the release below offers the slot first
    spin(20);
    hold();
    await expect(late).rejects.toBeInstanceOf(QueueDeadlineError);
    const release = await next;
    expect(a.stats()).toMatchObject({ running: 1, waiting: 0 });
    release();
    expect(a.stats()).toMatchObject({ running: 0, waiting: 0 });
  });

  it('a waiter whose deadline passes while every slot is busy leaves the queue', async () => {
    const a = new Admission(1, 8);
    const hold = await a.acquire();
    await expect(a.acquire({ deadline: performance.now() + 10 })).rejects.toBeInstanceOf(QueueDeadlineError);
    expect(a.stats()).toMatchObject({ running: 1, waiting: 0 });
    hold();
  });
});
