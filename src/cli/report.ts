import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { compareRuns } from '../eval/compare.js';
import type { MetricsOptions } from '../eval/passk.js';
import { renderReport } from '../eval/report.js';
import { readResults } from '../eval/results.js';
import { domainOption, repeatable, windowOption, type Finish } from './common.js';

interface ReportOptions {
  label?: string[];
  domain?: Record<string, string[]>;
  out: string;
  title?: string;
  window?: MetricsOptions['windows'];
}

/** `verdict report RUN [RUN2]`: a self-contained HTML page of one run, or of two compared. */
export function registerReport(program: Command, finish: Finish): void {
  program
    .command('report')
    .description('self-contained HTML report (two runs: the second is compared with the first)')
    .argument('<run>', 'results file (what regrade writes)')
    .argument('[run2]', 'a second results file, compared with the first')
    .option('--label <label>', 'name of each run in the order given (default its file name); repeatable', repeatable(String))
    .addOption(domainOption())
    .option('-o, --out <file>', 'where to write the page', 'report.html')
    .option('--title <title>', 'title of the page')
    .addOption(windowOption())
    .action(async (run: string, run2: string | undefined, opts: ReportOptions) => {
      const labels = opts.label ?? [];
      const runs = [];
      for (const [i, f] of [run, ...(run2 ? [run2] : [])].entries()) runs.push({ label: labels[i] ?? path.basename(f).replace(/\.results\.jsonl$|\.jsonl$/, ''), results: await readResults(f) });
      const comparison = runs.length === 2 ? compareRuns(runs[0]!.results, runs[1]!.results, { domains: opts.domain ?? {} }) : undefined;
      fs.writeFileSync(
        opts.out,
        renderReport(runs, { ...(comparison ? { comparison } : {}), ...(opts.title ? { title: opts.title } : {}), ...(opts.window ? { windows: opts.window } : {}) }),
      );
      console.error(`report → ${opts.out}`);
      finish(0);
    });
}
