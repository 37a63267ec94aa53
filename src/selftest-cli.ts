import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { AnyBenchmark } from './benchmarks/types.js';
import type { Config } from './config.js';
import { createApp } from './app.js';
import { classifyFailure, runSelftest } from './grading/selftest.js';

/** `verdict selftest <benchmark>`: grade every reference solution, print and optionally save the report. */
export async function selftestCommand(
  config: Config,
  bench: AnyBenchmark,
  values: { version?: string; ids?: string; limit?: string; concurrency?: string; out?: string },
): Promise<number> {
  const int = (v: string | undefined, flag: string): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag}: expected a positive integer, got '${v}'`);
    return n;
  };
  const limit = int(values.limit, 'limit');
  const concurrency = int(values.concurrency, 'concurrency') ?? config.concurrency;
  let problemIds: string[] | undefined;
  if (values.ids) {
    const text = existsSync(values.ids) ? readFileSync(values.ids, 'utf8') : values.ids;
    problemIds = text.split(/[\s,]+/).filter(Boolean);
  }
  const app = await createApp({ ...config, concurrency: Math.max(config.concurrency, concurrency) });
  try {
    const report = await runSelftest(app.grader, app.store, bench, {
      ...(values.version ? { version: values.version } : {}),
      ...(problemIds ? { problemIds } : {}),
      ...(limit ? { limit } : {}),
      concurrency,
      onResult: (v, done, total) => {
        // one line per graded problem, so a run cut short still leaves its results
        if (values.out) {
          const row = { problem_id: v.problem_id, status: v.status, reason: v.reason, cause: v.status === 'pass' ? null : classifyFailure(v), detail: (v.detail ?? '').slice(0, 400), total_ms: v.timings.total_ms };
          appendFileSync(`${values.out}.jsonl`, JSON.stringify(row) + '\n');
        }
        const what = v.status === 'pass' ? 'pass' : `${v.status} ${v.reason ?? ''} ${(v.detail ?? '').split('\n').slice(-2).join(' ').slice(0, 160)}`;
        process.stderr.write(`[${done}/${total}] ${v.problem_id} ${what} (${(v.timings.total_ms / 1000).toFixed(1)} s)\n`);
      },
    });
    const json = JSON.stringify(report, null, 2) + '\n';
    if (values.out) {
      await fs.mkdir(path.dirname(path.resolve(values.out)), { recursive: true });
      await fs.writeFile(values.out, json);
    }
    console.log(json);
    console.log(`${report.benchmark} ${report.version}: ${report.passed}/${report.total} reference solutions pass (${(report.pass_rate * 100).toFixed(1)} %)`);
    return 0;
  } finally {
    await app.close();
  }
}
