import { evalplusBenchmark } from './benchmark.js';

export const mbppPlus = evalplusBenchmark({
  name: 'mbpp-plus',
  description:
    'EvalPlus MBPP+ (v0.2.0: 378 problems, v0.1.0: 399), differential testing with the MBPP special oracles and input deserialisation as evalplus does',
  dataset: 'mbpp',
  // MbppPlus.jsonl.gz carries no version in its name; the releases differ in size
  versionOf: (rows) => (rows === 378 ? 'v0.2.0' : rows === 399 ? 'v0.1.0' : undefined),
  rawRows: true,
});
