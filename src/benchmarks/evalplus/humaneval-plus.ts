import { evalplusBenchmark } from './benchmark.js';

export const humanevalPlus = evalplusBenchmark({
  name: 'humaneval-plus',
  description: 'EvalPlus HumanEval+ (164 problems, base + plus inputs), differential testing as evalplus does',
  dataset: 'humaneval',
  versionOf: () => undefined,
  rawRows: false,
});
