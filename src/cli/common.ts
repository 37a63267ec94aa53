// What the files of src/cli/ share: how a command hands back its exit code,
// the options several take, and the parsers that turn a malformed value into
// a usage error (exit 2).
import path from 'node:path';
import { Argument, InvalidArgumentError, Option, type Command } from 'commander';
import type { Logger } from 'pino';
import { BENCHMARKS } from '../benchmarks/registry.js';
import { RUNTIMES } from '../config.js';
import { parseDomains } from '../eval/compare.js';
import { parseWindow } from '../eval/passk.js';

/** A command's result: its exit code, or 'running' for serve and worker, which stay up until a signal. */
export type Outcome = number | 'running';
/** Commander drops what an action returns, so each action hands its outcome to this. */
export type Finish = (outcome: Outcome) => void;
/** Each file of src/cli/ exports one: it adds its command to the program. */
export type Register = (program: Command, finish: Finish) => void;

/**
 * serve and worker stay up: a stray rejection must cost a log line, never the
 * process and the grades in flight; the first SIGINT or SIGTERM closes it
 * gracefully, a second one does not wait.
 */
export function stayUp(log: Logger, stopping: string, close: () => Promise<void>): Outcome {
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));
  const stop = async () => {
    log.info(stopping);
    process.once('SIGINT', () => process.exit(1));
    process.once('SIGTERM', () => process.exit(1));
    await close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  return 'running';
}

/**
 * A value parser whose Error becomes commander's InvalidArgumentError, so
 * the message names the option and the exit code is 2, not a crash's 1.
 */
export function usage<T>(parse: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (e) {
      throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
    }
  };
}

/** A repeatable flag (`--label a --label b`): each value parsed, in order. */
export function repeatable<T>(parse: (value: string) => T): (value: string, previous: T[] | undefined) => T[] {
  const one = usage(parse);
  return (value, previous) => [...(previous ?? []), one(value)];
}

/** A parser of whole numbers from min to max; `expected` says which in the usage error. */
export function integer(expected: string, min = -Infinity, max = Infinity): (value: string) => number {
  return usage((value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`expected ${expected}`);
    return n;
  });
}
export const positiveInt = integer('a positive integer', 1);

// Options several commands take; settings left out fall back to VERDICT_* (loadConfig).
export const dataDirOption = (): Option =>
  new Option('--data-dir <dir>', 'data directory: problems, jobs, caches (default ./data or VERDICT_DATA_DIR)').argParser((d) => path.resolve(d));
export const runtimeOption = (): Option => new Option('--runtime <runtime>', 'container runtime of the sandboxes (default runc or VERDICT_RUNTIME)').choices(RUNTIMES);
export const benchmarkArgument = (): Argument => new Argument('<benchmark>', 'benchmark').choices([...BENCHMARKS.keys()]);

/** `--domain LABEL=bench,bench`, repeatable: benchmarks compared as one group (CMH). */
const domain = usage((spec: string) => parseDomains([spec]));
export const domainOption = (): Option =>
  new Option('--domain <label=benchmarks>', 'a domain, LABEL=bench,bench: its benchmarks compared as one (CMH); repeatable').argParser(
    (spec: string, previous: Record<string, string[]> | undefined) => ({ ...previous, ...domain(spec) }),
  );
/** `--window NAME=2024-08-01..2025-01-31`, repeatable: LiveCodeBench contest_date windows */
export const windowOption = (): Option =>
  new Option('--window <[name=]from..to>', 'a LiveCodeBench window of contest_date, [NAME=]YYYY-MM-DD..YYYY-MM-DD (default: months); repeatable').argParser(repeatable(parseWindow));
