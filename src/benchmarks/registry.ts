import { bigcodebench, bigcodebenchHard } from './bigcodebench/benchmark.js';
import { codeforces } from './codeforces/benchmark.js';
import { humaneval } from './humaneval/benchmark.js';
import { humanevalPlus } from './evalplus/humaneval-plus.js';
import { livecodebench } from './livecodebench/benchmark.js';
import { mbpp, mbppSanitized } from './mbpp/benchmark.js';
import { mbppPlus } from './evalplus/mbpp-plus.js';
import { polyglot } from './polyglot/benchmark.js';
import { LANGUAGES, LANGUAGE_SPECS } from './polyglot/languages.js';
import type { AnyBenchmark } from './types.js';
import { usaco } from './usaco/benchmark.js';

// Every benchmark the service grades, once: the benchmark, its module under
// src/benchmarks/ (where the grading fingerprint starts: src/grading/fingerprint.ts)
// and the sandbox images it grades in (what a fresh machine must build before
// it is ready: src/benchmarks/images.ts). Adding a benchmark is a folder and a
// line here.

interface Registered {
  benchmark: AnyBenchmark;
  module: string;
  images: readonly string[];
}

const PYTHON = ['python'] as const;

const REGISTERED: readonly Registered[] = [
  { benchmark: humaneval, module: 'humaneval/benchmark', images: PYTHON },
  { benchmark: humanevalPlus, module: 'evalplus/humaneval-plus', images: PYTHON },
  { benchmark: mbpp, module: 'mbpp/benchmark', images: PYTHON },
  { benchmark: mbppSanitized, module: 'mbpp/benchmark', images: PYTHON },
  { benchmark: mbppPlus, module: 'evalplus/mbpp-plus', images: PYTHON },
  { benchmark: polyglot, module: 'polyglot/benchmark', images: LANGUAGES.map((l) => LANGUAGE_SPECS[l].image) },
  { benchmark: bigcodebench, module: 'bigcodebench/benchmark', images: ['bigcodebench'] },
  { benchmark: bigcodebenchHard, module: 'bigcodebench/benchmark', images: ['bigcodebench'] },
  { benchmark: livecodebench, module: 'livecodebench/benchmark', images: PYTHON },
  { benchmark: usaco, module: 'usaco/benchmark', images: PYTHON },
  { benchmark: codeforces, module: 'codeforces/benchmark', images: ['judge'] },
];

export const BENCHMARKS: ReadonlyMap<string, AnyBenchmark> = new Map(REGISTERED.map((r) => [r.benchmark.name, r.benchmark]));
/** benchmark name → its module, relative to src/benchmarks/, without extension */
export const BENCHMARK_MODULES: Readonly<Record<string, string>> = Object.fromEntries(REGISTERED.map((r) => [r.benchmark.name, r.module]));
/** benchmark name → the sandbox images it grades in */
export const BENCHMARK_IMAGES: Readonly<Record<string, readonly string[]>> = Object.fromEntries(REGISTERED.map((r) => [r.benchmark.name, r.images]));
