// The `verdict` command line, without Docker: help and usage errors of every
// command, in process (runCli) and, for the exit codes themselves, as a child.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/program.js';

const ROOT = path.resolve(__dirname, '..');

/** runCli with what commander writes captured; actions are not reached by these calls. */
async function inProcess(...argv: string[]) {
  let out = '';
  let err = '';
  const outcome = await runCli(argv, { writeOut: (s) => (out += s), writeErr: (s) => (err += s), outputError: (s, write) => write(s) });
  return { outcome, out, err };
}

/** the real entry point, for its exit code */
function child(...argv: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...argv], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Every command with the flags scripts, tests and the docs pass it.
const COMMANDS: Record<string, string[]> = {
  serve: ['--host', '--port', '--data-dir', '--runtime', '--queue', '--build-images'],
  worker: ['--queue', '--docker-hosts', '--name', '--concurrency', '--data-dir', '--runtime'],
  import: ['<benchmark>', '<path>', '--version', '--ids', '--release', '--start-date', '--end-date', '--data-dir'],
  selftest: ['<benchmark>', '--version', '--ids', '--limit', '--concurrency', '--out', '--data-dir', '--runtime'],
  'images build': ['[names...]', '--force', '--verbose'],
  'images status': ['--data-dir'],
  openapi: [],
  regrade: ['<file>', '--benchmark', '--format', '--id-field', '--reply-field', '--option', '--out', '--url', '--api-key', '--data-dir', '--quiet'],
  compare: ['<base>', '<rl>', '--domain', '--json', '--seed', '--reps'],
  report: ['<run>', '[run2]', '--label', '--domain', '--out', '--title', '--window'],
  metrics: ['<run>', '--window'],
};

describe('verdict --help', () => {
  it('lists every command', async () => {
    const r = await inProcess('--help');
    expect(r.outcome).toBe(0);
    for (const cmd of ['serve', 'worker', 'import', 'selftest', 'images', 'openapi', 'regrade', 'compare', 'report', 'metrics']) expect(r.out).toMatch(new RegExp(`^  ${cmd} `, 'm'));
  });

  for (const [cmd, flags] of Object.entries(COMMANDS)) {
    it(`${cmd} --help names its usage and options`, async () => {
      const r = await inProcess(...cmd.split(' '), '--help');
      expect(r.outcome).toBe(0);
      expect(r.err).toBe('');
      const usage = r.out.split('\n')[0]!;
      expect(usage).toMatch(new RegExp(`^Usage: verdict ${cmd} `));
      for (const flag of flags) expect(flag.startsWith('-') ? r.out : usage).toContain(flag);
    });
  }

  it('help <command> is <command> --help', async () => {
    const a = await inProcess('help', 'compare');
    expect(a.outcome).toBe(0);
    expect(a.out).toBe((await inProcess('compare', '--help')).out);
    const b = await inProcess('images', 'help', 'status');
    expect(b.outcome).toBe(0);
    expect(b.out).toBe((await inProcess('images', 'status', '-h')).out);
  });
});

describe('usage errors exit 2 and name what is wrong', () => {
  const cases: Array<[string[], RegExp]> = [
    [['regrade', 'run.jsonl', '--benchmark', 'humaneval', '--bogus'], /unknown option '--bogus'/],
    [['regrade', 'run.jsonl'], /required option '-b, --benchmark <name>' not specified/],
    [['regrade', '-b', 'humaneval'], /missing required argument 'file'/],
    [['regrade', 'run.jsonl', '-b', 'humaneval', '--format', 'csv'], /'--format <format>' argument 'csv' is invalid/],
    [['regrade', 'run.jsonl', '-b', 'humaneval', '--option', 'timeout_ms'], /'--option <key=value>' argument 'timeout_ms' is invalid\. expected key=value/],
    [['compare', 'base.jsonl'], /missing required argument 'rl'/],
    [['compare', 'a', 'b', '--domain', 'nolabel'], /'--domain <label=benchmarks>' argument 'nolabel' is invalid/],
    [['report', 'a', 'b', 'c'], /too many arguments for 'report'/],
    [['metrics', 'run', '--window', '2024-01'], /'--window <\[name=\]from\.\.to>' argument '2024-01' is invalid/],
    [['import', 'nosuch', 'file.jsonl'], /value 'nosuch' is invalid for argument 'benchmark'\. Allowed choices are humaneval,/],
    [['selftest', 'humaneval', '--limit', '0'], /'--limit <n>' argument '0' is invalid\. expected a positive integer/],
    [['serve', '--runtime', 'kata'], /'--runtime <runtime>' argument 'kata' is invalid\. Allowed choices are runc, runsc/],
    [['serve', '--port', '70000'], /'--port <port>' argument '70000' is invalid/],
    [['serve', '--nope'], /unknown option '--nope'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ];
  for (const [argv, message] of cases) {
    it(argv.join(' '), async () => {
      const r = await inProcess(...argv);
      expect(r.outcome).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).toContain('(add --help for usage)');
      expect(r.out).toBe('');
    });
  }

  it('images without build or status shows its subcommands', async () => {
    const r = await inProcess('images');
    expect(r.outcome).toBe(2);
    expect(r.err).toMatch(/^  build \[options\] \[names\.\.\.\] /m);
    expect(r.err).toMatch(/^  status \[options\] /m);
  });
});

describe('the verdict process', () => {
  it('regrade --help exits 0 with its usage', () => {
    const r = child('regrade', '--help');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Usage: verdict regrade \[options\] <file>/);
    expect(r.stdout).toContain('--option <key=value>');
  });

  it('an unknown option exits 2 naming it', () => {
    const r = child('compare', 'a.jsonl', 'b.jsonl', '--jsn');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: unknown option '--jsn'");
    expect(r.stdout).toBe('');
  });

  it('a missing argument exits 2 naming it', () => {
    const r = child('metrics');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: missing required argument 'run'");
  });

  it('no command prints the overview and exits 1', () => {
    const r = child();
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Usage: verdict \[options\] \[command\]/);
    expect(r.stdout).toContain('regrade [options] <file>');
  });

  it('a failing command exits 1 with its error', () => {
    const r = child('metrics', path.join(ROOT, 'no-such-results.jsonl'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^verdict: .*no-such-results\.jsonl/);
  });

  it('openapi prints the committed openapi.yaml', () => {
    const r = child('openapi');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(fs.readFileSync(path.join(ROOT, 'openapi.yaml'), 'utf8'));
  });
});
