import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { regrade } from '../jobs/regrade.js';
import { InputFormatSchema } from '../jobs/schemas.js';
import { GradeOptionsSchema } from '../schemas.js';
import { compareRuns, formatComparison, parseDomains } from './compare.js';
import { computeMetrics } from './passk.js';
import { renderReport } from './report.js';
import { readResults } from './results.js';

export const EVAL_USAGE = `  verdict regrade FILE --benchmark B [--format auto|verdict|evalplus|livecodebench|replies]
          [--id-field F] [--reply-field F] [--option key=value ...] [--out FILE] [--url URL] [--api-key K]
          regrade a JSONL file (results beside it); rerun to resume; without --url starts an embedded service
  verdict compare BASE RL [--domain LABEL=bench,bench ...] [--json]
          Δpass@1 per benchmark with 95% CIs and p-values; CMH per domain and overall
  verdict report RUN [RUN2] [--label L ...] [--domain LABEL=bench,...] [--out report.html] [--title T]
          self-contained HTML report (two runs: the second is compared with the first); --window as for metrics
  verdict metrics RUN [--window NAME=2024-08-01..2025-01-31 ...]
          pass@k per benchmark and overall (JSON); LiveCodeBench windows of contest_date (default: months)`;

/** `late=2024-08-01..2025-01-31` → a named inclusive date window */
export function parseWindows(specs: readonly string[]): Array<{ name: string; start: string; end: string }> | undefined {
  if (!specs.length) return undefined;
  return specs.map((s) => {
    const m = /^(?:([^=]+)=)?(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(s);
    if (!m) throw new Error(`--window ${s}: expected [NAME=]YYYY-MM-DD..YYYY-MM-DD`);
    return { name: m[1] ?? `${m[2]}..${m[3]}`, start: m[2]!, end: m[3]! };
  });
}

export const EVAL_COMMANDS = new Set(['regrade', 'compare', 'report', 'metrics']);

function optionValue(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

export async function evalCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      benchmark: { type: 'string', short: 'b' },
      format: { type: 'string' },
      'id-field': { type: 'string' },
      'reply-field': { type: 'string' },
      option: { type: 'string', multiple: true },
      out: { type: 'string', short: 'o' },
      url: { type: 'string' },
      'api-key': { type: 'string' },
      'data-dir': { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      domain: { type: 'string', multiple: true },
      label: { type: 'string', multiple: true },
      title: { type: 'string' },
      json: { type: 'boolean' },
      seed: { type: 'string' },
      window: { type: 'string', multiple: true },
      reps: { type: 'string' },
    },
  });
  const [cmd, ...files] = positionals;
  const domains = parseDomains(values.domain ?? []);
  const windows = parseWindows(values.window ?? []);
  switch (cmd) {
    case 'regrade': {
      const file = files[0];
      if (!file || !values.benchmark) {
        console.error('usage:\n' + EVAL_USAGE);
        return 2;
      }
      const format = InputFormatSchema.safeParse(values.format ?? 'auto');
      if (!format.success) throw new Error(`--format: one of ${InputFormatSchema.options.join(', ')}`);
      const opts: Record<string, unknown> = {};
      for (const o of values.option ?? []) {
        const m = /^([^=]+)=(.*)$/.exec(o);
        if (!m) throw new Error(`--option ${o}: expected key=value`);
        opts[m[1]!] = optionValue(m[2]!);
      }
      const options = GradeOptionsSchema.parse(opts);
      const config = loadConfig(process.env, { dataDir: values['data-dir'] && path.resolve(values['data-dir']) });
      return regrade(
        {
          file,
          benchmark: values.benchmark,
          format: format.data,
          ...(values['id-field'] ? { idField: values['id-field'] } : {}),
          ...(values['reply-field'] ? { replyField: values['reply-field'] } : {}),
          ...(Object.keys(opts).length ? { options } : {}),
          ...(values.url ? { url: values.url } : {}),
          ...((values['api-key'] ?? process.env.VERDICT_API_KEY) ? { apiKey: values['api-key'] ?? process.env.VERDICT_API_KEY } : {}),
          ...(values.out ? { out: values.out } : {}),
          quiet: values.quiet === true,
        },
        config,
      );
    }
    case 'compare': {
      const [a, b] = files;
      if (!a || !b) {
        console.error('usage: verdict compare BASE RL [--domain LABEL=bench,bench ...] [--json]');
        return 2;
      }
      const c = compareRuns(await readResults(a), await readResults(b), {
        domains,
        ...(values.seed ? { seed: Number(values.seed) } : {}),
        ...(values.reps ? { reps: Number(values.reps) } : {}),
      });
      console.log(values.json ? JSON.stringify(c, null, 2) : formatComparison(c));
      return 0;
    }
    case 'metrics': {
      if (!files[0]) {
        console.error('usage: verdict metrics RUN');
        return 2;
      }
      console.log(JSON.stringify(computeMetrics(await readResults(files[0]), windows ? { windows } : {}), null, 2));
      return 0;
    }
    case 'report': {
      if (!files.length || files.length > 2) {
        console.error('usage: verdict report RUN [RUN2] [--label L ...] [--out report.html]');
        return 2;
      }
      const labels = values.label ?? [];
      const runs = [];
      for (const [i, f] of files.entries()) runs.push({ label: labels[i] ?? path.basename(f).replace(/\.results\.jsonl$|\.jsonl$/, ''), results: await readResults(f) });
      const comparison = runs.length === 2 ? compareRuns(runs[0]!.results, runs[1]!.results, { domains }) : undefined;
      const out = values.out ?? 'report.html';
      fs.writeFileSync(
        out,
        renderReport(runs, { ...(comparison ? { comparison } : {}), ...(values.title ? { title: values.title } : {}), ...(windows ? { windows } : {}) }),
      );
      console.error(`report → ${out}`);
      return 0;
    }
    default:
      console.error(EVAL_USAGE);
      return 2;
  }
}
