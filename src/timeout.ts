// A promise raced against a timer. Used where a wait must end (an agent that
// never says hello, Redis that never answers, a client's deadline); the timer
// is cleared either way, so a settled race keeps no process alive.

/** `p`, or the error `onTimeout` makes once `ms` have passed first. What `p` waits for goes on. */
export function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([p, expired]).finally(() => clearTimeout(timer));
}
