import { afterEach, describe, expect, it, vi } from 'vitest';
import { withTimeout } from '../src/timeout.js';

// src/timeout.ts, the race every bounded wait uses (agent hello, Redis,
// a grade's client deadline, a volume fill).

class Late extends Error {}

describe('withTimeout', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("settles as the promise does when it is first, and clears its timer", async () => {
    vi.useFakeTimers();
    await expect(withTimeout(Promise.resolve(7), 1000, () => new Late())).resolves.toBe(7);
    await expect(withTimeout(Promise.reject(new Error('own')), 1000, () => new Late())).rejects.toThrow('own');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects with the error onTimeout makes once the time has passed', async () => {
    vi.useFakeTimers();
    const made = vi.fn(() => new Late('too late'));
    const never = new Promise<number>(() => undefined);
    const raced = withTimeout(never, 1000, made);
    const seen = expect(raced).rejects.toBeInstanceOf(Late);
    await vi.advanceTimersByTimeAsync(999);
    expect(made).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await seen;
    expect(made).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
