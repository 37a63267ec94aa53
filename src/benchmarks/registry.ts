import { bigcodebench, bigcodebenchHard } from './bigcodebench.js';
import { humaneval } from './humaneval.js';
import { humanevalPlus } from './humaneval-plus.js';
import type { AnyBenchmark } from './types.js';

export const BENCHMARKS: ReadonlyMap<string, AnyBenchmark> = new Map(
  ([humaneval, humanevalPlus, bigcodebench, bigcodebenchHard] as AnyBenchmark[]).map((b) => [b.name, b]),
);
