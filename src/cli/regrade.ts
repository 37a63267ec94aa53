import { Option, type Command } from 'commander';
import { loadConfig } from '../config.js';
import { regrade } from './regrade-job.js';
import { InputFormatSchema, type InputFormat } from '../jobs/schemas.js';
import { GradeOptionsSchema } from '../schemas.js';
import { dataDirOption, repeatable, type Finish } from './common.js';

interface RegradeOptions {
  benchmark: string;
  format: InputFormat;
  idField?: string;
  replyField?: string;
  option?: Array<[string, unknown]>;
  out?: string;
  url?: string;
  apiKey?: string;
  dataDir?: string;
  quiet?: boolean;
}

/** `key=value`; the value is JSON when it parses (`timeout_ms=5000`, `strict=false`), else a string. */
function gradeOption(spec: string): [string, unknown] {
  const m = /^([^=]+)=(.*)$/.exec(spec);
  if (!m) throw new Error('expected key=value');
  try {
    return [m[1]!, JSON.parse(m[2]!)];
  } catch {
    return [m[1]!, m[2]!];
  }
}

/** `verdict regrade FILE`: a job on a running service (--url) or on one started for it. */
export function registerRegrade(program: Command, finish: Finish): void {
  program
    .command('regrade')
    .description('regrade a JSONL file of completions (results beside it); rerun to resume; without --url starts an embedded service')
    .argument('<file>', 'JSONL of completions (or chat replies)')
    .requiredOption('-b, --benchmark <name>', 'benchmark the lines answer (required)')
    .addOption(new Option('--format <format>', 'how lines are laid out').choices(InputFormatSchema.options).default('auto'))
    .option('--id-field <field>', 'field naming the problem')
    .option('--reply-field <field>', 'field holding the completion or reply')
    .option('--option <key=value>', 'a grading option (JSON value or string); repeatable', repeatable(gradeOption))
    .option('-o, --out <file>', 'results file (default FILE.results.jsonl)')
    .option('--url <url>', 'a running verdict service to grade on')
    .addOption(new Option('--api-key <key>', 'bearer key of that service').env('VERDICT_API_KEY'))
    .addOption(dataDirOption())
    .option('-q, --quiet', 'no progress bar')
    .action(async (file: string, opts: RegradeOptions) => {
      const given = Object.fromEntries(opts.option ?? []);
      const options = GradeOptionsSchema.parse(given);
      const config = loadConfig(process.env, { dataDir: opts.dataDir });
      const code = await regrade(
        {
          file,
          benchmark: opts.benchmark,
          format: opts.format,
          ...(opts.idField ? { idField: opts.idField } : {}),
          ...(opts.replyField ? { replyField: opts.replyField } : {}),
          ...(Object.keys(given).length ? { options } : {}),
          ...(opts.url ? { url: opts.url } : {}),
          ...(opts.apiKey ? { apiKey: opts.apiKey } : {}),
          ...(opts.out ? { out: opts.out } : {}),
          quiet: opts.quiet === true,
        },
        config,
      );
      finish(code);
    });
}
