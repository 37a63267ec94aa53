import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../paths.js';

// In-process Python runners (src/benchmarks/python/*.py) for benchmarks whose
// official harness exec()s the candidate inside its own interpreter; shipped
// with every run so they are versioned with the TypeScript that reads them.

const cache = new Map<string, string>();
export function runnerCode(file: string): string {
  let src = cache.get(file);
  if (src === undefined) {
    src = fs.readFileSync(path.join(projectRoot(), 'src', 'benchmarks', 'python', file), 'utf8');
    cache.set(file, src);
  }
  return src;
}

/**
 * A /work size from a few buckets: the warm pool keys containers by their
 * profile, so sizes that follow each problem would defeat reuse.
 */
export function workBucket(bytes: number): number {
  for (const b of [64 << 20, 256 << 20, 1024 << 20]) if (bytes <= b) return b;
  return Math.ceil(bytes / (1024 << 20)) * (1024 << 20);
}
