import type { Command } from 'commander';
import { computeMetrics, type MetricsOptions } from '../eval/passk.js';
import { readResults } from '../eval/results.js';
import { windowOption, type Finish } from './common.js';

/** `verdict metrics RUN`: pass@k of a results file, as JSON. */
export function registerMetrics(program: Command, finish: Finish): void {
  program
    .command('metrics')
    .description('pass@k per benchmark and overall (JSON); LiveCodeBench per window of contest_date')
    .argument('<run>', 'results file (what regrade writes)')
    .addOption(windowOption())
    .action(async (run: string, opts: { window?: MetricsOptions['windows'] }) => {
      console.log(JSON.stringify(computeMetrics(await readResults(run), opts.window ? { windows: opts.window } : {}), null, 2));
      finish(0);
    });
}
