import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { createApp } from '../app.js';
import { BENCHMARKS } from '../benchmarks/registry.js';
import { loadConfig } from '../config.js';
import { classifyFailure, runSelftest } from '../grading/selftest.js';
import { benchmarkArgument, dataDirOption, positiveInt, runtimeOption, type Finish } from './common.js';

interface SelftestOptions {
  version?: string;
  ids?: string;
  limit?: number;
  concurrency?: number;
  out?: string;
  dataDir?: string;
  runtime?: string;
}

/** `verdict selftest <benchmark>`: grade every reference solution, print and optionally save the report. */
export function registerSelftest(program: Command, finish: Finish): void {
  program
    .command('selftest')
    .description("grade a benchmark's reference solutions: each should pass (the ground truth of its image)")
    .addArgument(benchmarkArgument())
    .option('--version <version>', 'imported version (default the latest)')
    .option('--ids <ids>', 'only these problems: a,b,… or a file of ids')
    .option('--limit <n>', 'at most this many problems', positiveInt)
    .option('--concurrency <n>', 'grades at once (default one per core or VERDICT_CONCURRENCY)', positiveInt)
    .option('--out <file>', 'also write the report here (and one line per problem to FILE.jsonl as it goes)')
    .addOption(dataDirOption())
    .addOption(runtimeOption())
    .action(async (name: string, opts: SelftestOptions) => finish(await selftest(name, opts)));
}

async function selftest(name: string, opts: SelftestOptions): Promise<number> {
  const bench = BENCHMARKS.get(name)!; // a choice of the argument
  const config = loadConfig(process.env, { dataDir: opts.dataDir, runtime: opts.runtime });
  const concurrency = opts.concurrency ?? config.concurrency;
  let problemIds: string[] | undefined;
  if (opts.ids) {
    const text = existsSync(opts.ids) ? readFileSync(opts.ids, 'utf8') : opts.ids;
    problemIds = text.split(/[\s,]+/).filter(Boolean);
  }
  const app = await createApp({ ...config, concurrency: Math.max(config.concurrency, concurrency) });
  try {
    const report = await runSelftest(app.grader, app.store, bench, {
      ...(opts.version ? { version: opts.version } : {}),
      ...(problemIds ? { problemIds } : {}),
      ...(opts.limit ? { limit: opts.limit } : {}),
      concurrency,
      onResult: (v, done, total) => {
        // one line per graded problem, so a run cut short still leaves its results
        if (opts.out) {
          const row = { problem_id: v.problem_id, status: v.status, reason: v.reason, cause: v.status === 'pass' ? null : classifyFailure(v), detail: (v.detail ?? '').slice(0, 400), total_ms: v.timings.total_ms };
          appendFileSync(`${opts.out}.jsonl`, JSON.stringify(row) + '\n');
        }
        const what = v.status === 'pass' ? 'pass' : `${v.status} ${v.reason ?? ''} ${(v.detail ?? '').split('\n').slice(-2).join(' ').slice(0, 160)}`;
        process.stderr.write(`[${done}/${total}] ${v.problem_id} ${what} (${(v.timings.total_ms / 1000).toFixed(1)} s)\n`);
      },
    });
    const json = JSON.stringify(report, null, 2) + '\n';
    if (opts.out) {
      await fs.mkdir(path.dirname(path.resolve(opts.out)), { recursive: true });
      await fs.writeFile(opts.out, json);
    }
    console.log(json);
    console.log(`${report.benchmark} ${report.version}: ${report.passed}/${report.total} reference solutions pass (${(report.pass_rate * 100).toFixed(1)} %)`);
    return 0;
  } finally {
    await app.close();
  }
}
