import type { Command } from 'commander';
import { compareRuns, formatComparison } from '../eval/compare.js';
import { readResults } from '../eval/results.js';
import { domainOption, integer, positiveInt, type Finish } from './common.js';

interface CompareOptions {
  domain?: Record<string, string[]>;
  json?: boolean;
  seed?: number;
  reps?: number;
}

/** `verdict compare BASE RL`: Δpass@1 per benchmark and domain. */
export function registerCompare(program: Command, finish: Finish): void {
  program
    .command('compare')
    .description('Δpass@1 per benchmark with 95% CIs and p-values; CMH per domain and overall')
    .argument('<base>', 'results file of the base run')
    .argument('<rl>', 'results file of the run compared with it')
    .addOption(domainOption())
    .option('--json', 'print JSON, not a table')
    .option('--seed <n>', 'seed of the bootstrap and permutations (default 7)', integer('an integer'))
    .option('--reps <n>', 'resamples (default 10000)', positiveInt)
    .action(async (a: string, b: string, opts: CompareOptions) => {
      const c = compareRuns(await readResults(a), await readResults(b), {
        domains: opts.domain ?? {},
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
        ...(opts.reps !== undefined ? { reps: opts.reps } : {}),
      });
      console.log(opts.json ? JSON.stringify(c, null, 2) : formatComparison(c));
      finish(0);
    });
}
