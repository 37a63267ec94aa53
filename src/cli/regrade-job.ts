import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createApp, type App } from '../app.js';
import { readMaybeGzip } from '../benchmarks/files.js';
import type { Config } from '../config.js';
import type { GradeOptions } from '../schemas.js';
import type { InputFormat, Job, JobCreate } from '../jobs/schemas.js';

// `verdict regrade FILE`: a job on a running service (--url) or on one started
// in this process, a progress bar, and the results written beside the input.
// The job id is kept in OUT.job, so running the command again after an
// interruption resumes the same job instead of starting over.

export interface RegradeArgs {
  file: string;
  benchmark: string;
  format: InputFormat;
  idField?: string;
  replyField?: string;
  options?: GradeOptions;
  url?: string;
  apiKey?: string;
  out?: string;
  quiet?: boolean;
}

export function defaultOut(file: string): string {
  const base = file.replace(/\.gz$/, '').replace(/\.jsonl?$/, '');
  return `${base}.results.jsonl`;
}

interface State {
  url: string | null;
  job: string;
  input: string;
  size: number;
}

class Client {
  constructor(
    readonly base: string,
    private readonly key?: string,
  ) {}

  async call(method: string, p: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.key) headers.authorization = `Bearer ${this.key}`;
    return fetch(this.base + p, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  }

  async json<T>(method: string, p: string, body?: unknown): Promise<T> {
    const r = await this.call(method, p, body);
    const text = await r.text();
    if (!r.ok) {
      let msg = text;
      try {
        msg = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        /* not JSON */
      }
      throw new Error(`${method} ${p}: HTTP ${r.status}: ${msg}`);
    }
    return JSON.parse(text) as T;
  }
}

function fmtTime(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '--';
  const m = Math.floor(s / 60);
  return m ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}

export function progressLine(job: Job, width = 30): string {
  const frac = job.total ? job.done / job.total : 1;
  const fill = Math.round(frac * width);
  const rate = job.done ? ((job.passes / job.done) * 100).toFixed(1) : '0.0';
  return (
    `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${job.done}/${job.total} ${(frac * 100).toFixed(1)}%` +
    `  pass ${job.passes} (${rate}%)  infra ${job.infra_errors}  bad lines ${job.bad_line_count}  eta ${fmtTime(job.eta_s)}`
  );
}

/** Returns the exit code: 0 when the job finished and its results were written. */
export async function regrade(args: RegradeArgs, config: Config): Promise<number> {
  const out = args.out ?? defaultOut(args.file);
  const stateFile = `${out}.job`;
  const input = path.resolve(args.file);
  const size = fs.statSync(input).size;
  let app: App | undefined;
  let client: Client;
  if (args.url) {
    client = new Client(args.url.replace(/\/$/, ''), args.apiKey);
  } else {
    app = await createApp({ ...config, logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel });
    const addr = await app.server.listen({ host: '127.0.0.1', port: 0 });
    client = new Client(addr, config.apiKeys[0]);
  }
  const log = (s: string) => {
    if (!args.quiet) process.stderr.write(s + '\n');
  };
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
  };
  process.once('SIGINT', onSigint);
  try {
    let job: Job | undefined;
    const prev = readState(stateFile);
    if (prev && prev.input === input && prev.size === size && prev.url === (args.url ?? null)) {
      const r = await client.call('GET', `/v1/jobs/${prev.job}`);
      if (r.ok) {
        job = (await r.json()) as Job;
        if (job.state === 'cancelled') job = undefined;
        else log(`resuming job ${job.id} (${job.done}/${job.total} done)`);
      }
    }
    if (!job) {
      const body: Partial<JobCreate> & { benchmark: string } = { benchmark: args.benchmark, format: args.format, label: path.basename(input) };
      if (args.idField) body.id_field = args.idField;
      if (args.replyField) body.reply_field = args.replyField;
      if (args.options) body.options = args.options;
      // the embedded service reads the file itself; a remote one gets it uploaded
      if (app) body.path = input;
      else body.jsonl = (await readMaybeGzip(input)).toString('utf8');
      job = await client.json<Job>('POST', '/v1/jobs', body);
      fs.writeFileSync(stateFile, JSON.stringify({ url: args.url ?? null, job: job.id, input, size } satisfies State));
      log(`job ${job.id}: ${job.total} samples from ${job.lines} lines`);
    }
    for (const b of job.bad_lines.slice(0, 20)) log(`  line ${b.line}: ${b.message}`);
    if (job.bad_line_count > 20) log(`  … ${job.bad_line_count - 20} more bad lines (all are in the results file)`);
    const tty = process.stderr.isTTY && !args.quiet;
    let lastPrint = 0;
    while (job.state === 'running' && !interrupted) {
      await new Promise((r) => setTimeout(r, tty ? 300 : 1000));
      job = await client.json<Job>('GET', `/v1/jobs/${job.id}`);
      if (tty) process.stderr.write('\r' + progressLine(job) + '\x1b[K');
      else if (Date.now() - lastPrint > 10_000) {
        log(progressLine(job));
        lastPrint = Date.now();
      }
    }
    if (tty) process.stderr.write('\r' + progressLine(job) + '\x1b[K\n');
    if (interrupted) {
      log(`interrupted: run the same command again to resume job ${job.id}`);
      return 130;
    }
    if (job.state === 'cancelled') {
      log(`job ${job.id} was cancelled; writing the results it has`);
    }
    const r = await client.call('GET', `/v1/jobs/${job.id}/results`);
    if (!r.ok || !r.body) throw new Error(`GET results: HTTP ${r.status}`);
    const tmp = `${out}.tmp`;
    await pipeline(Readable.fromWeb(r.body as import('node:stream/web').ReadableStream), fs.createWriteStream(tmp));
    fs.renameSync(tmp, out);
    fs.rmSync(stateFile, { force: true });
    log(`${job.done} results (${job.passes} pass, ${job.fails} fail, ${job.infra_errors} infra_error) and ${job.bad_line_count} bad lines → ${out}`);
    return job.state === 'done' ? 0 : 1;
  } finally {
    process.removeListener('SIGINT', onSigint);
    // graceful: grades in flight are recorded, the rest resume next time
    await app?.close();
  }
}

function readState(file: string): State | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as State;
  } catch {
    return undefined;
  }
}
