import { bigcodebench, bigcodebenchHard } from './bigcodebench.js';
import { codeforces } from './codeforces.js';
import { humaneval } from './humaneval.js';
import { humanevalPlus } from './humaneval-plus.js';
import { livecodebench } from './livecodebench.js';
import { mbpp, mbppSanitized } from './mbpp.js';
import { mbppPlus } from './mbpp-plus.js';
import { polyglot } from './polyglot.js';
import type { AnyBenchmark } from './types.js';
import { usaco } from './usaco.js';

export const BENCHMARKS: ReadonlyMap<string, AnyBenchmark> = new Map(
  ([humaneval, humanevalPlus, mbpp, mbppSanitized, mbppPlus, polyglot, bigcodebench, bigcodebenchHard, livecodebench, usaco, codeforces] as AnyBenchmark[]).map((b) => [b.name, b]),
);
