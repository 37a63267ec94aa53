import fs from 'node:fs';
import path from 'node:path';

/** ../shared/benchmarks beside the project, when this machine has it. */
export const SHARED = path.resolve(__dirname, '..', '..', '..', 'shared', 'benchmarks');

export function sharedFile(rel: string): string | undefined {
  const p = path.join(SHARED, rel);
  if (fs.existsSync(p)) return p;
  console.warn(`[skip] ${p} is absent: real-data checks on it are skipped`);
  return undefined;
}

/** Run fn over items with at most n in flight. */
export async function mapLimit<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}
