import { bigcodebench, bigcodebenchHard } from './bigcodebench/benchmark.js';
import { codeforces } from './codeforces/benchmark.js';
import { humaneval } from './humaneval/benchmark.js';
import { humanevalPlus } from './evalplus/humaneval-plus.js';
import { livecodebench } from './livecodebench/benchmark.js';
import { mbpp, mbppSanitized } from './mbpp/benchmark.js';
import { mbppPlus } from './evalplus/mbpp-plus.js';
import { polyglot } from './polyglot/benchmark.js';
import type { AnyBenchmark } from './types.js';
import { usaco } from './usaco/benchmark.js';

export const BENCHMARKS: ReadonlyMap<string, AnyBenchmark> = new Map(
  ([humaneval, humanevalPlus, mbpp, mbppSanitized, mbppPlus, polyglot, bigcodebench, bigcodebenchHard, livecodebench, usaco, codeforces] as AnyBenchmark[]).map((b) => [b.name, b]),
);
