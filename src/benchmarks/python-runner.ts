import path from 'node:path';
import { projectRoot } from '../paths.js';
import { bundledPython } from './python-bundle.js';

// The Python a benchmark ships into its sandbox (the harness, in-process
// runners for benchmarks whose official harness exec()s the candidate inside
// its own interpreter) lives in the benchmark's folder beside the TypeScript
// that speaks its protocol, and is shipped with every run so the two are
// versioned together. Read from src/ (compiled code runs from dist/). A
// script whose source is split into modules (`# bundle: include` lines:
// the harness, the runners' shared code in python-common/) ships bundled
// into the one file (python-bundle.ts); a script without includes ships as is.

/** `folder` is the benchmark's folder under src/benchmarks/ (e.g. `usaco`). */
export function runnerCode(folder: string, file: string): string {
  return bundledPython(path.join(projectRoot(), 'src', 'benchmarks', folder, file));
}

/**
 * A /work size from a few buckets: the warm pool keys containers by their
 * profile, so sizes that follow each problem would defeat reuse.
 */
export function workBucket(bytes: number): number {
  for (const b of [64 << 20, 256 << 20, 1024 << 20]) if (bytes <= b) return b;
  return Math.ceil(bytes / (1024 << 20)) * (1024 << 20);
}
