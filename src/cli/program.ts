// The `verdict` program: one file of src/cli/ per command, each adding itself.
// First: zod registers schemas as their modules load, and openapi.yaml lists
// its components in that order, the order of src/openapi.ts's imports.
import { registerOpenapi } from './openapi.js';
import { Command, CommanderError, type OutputConfiguration } from 'commander';
import { VERSION } from '../version.js';
import type { Finish, Outcome, Register } from './common.js';
import { registerCompare } from './compare.js';
import { registerImages } from './images.js';
import { registerImport } from './import.js';
import { registerMetrics } from './metrics.js';
import { registerRegrade } from './regrade.js';
import { registerReport } from './report.js';
import { registerSelftest } from './selftest.js';
import { registerServe } from './serve.js';
import { registerWorker } from './worker.js';

const COMMANDS: Register[] = [registerServe, registerWorker, registerImport, registerSelftest, registerImages, registerOpenapi, registerRegrade, registerCompare, registerReport, registerMetrics];

/** The program; `output` redirects what commander itself writes (help, usage errors), e.g. in tests. */
export function buildProgram(finish: Finish, output?: OutputConfiguration): Command {
  const program = new Command('verdict')
    .description(`verdict ${VERSION}: sandboxed grading of code completions`)
    // program options only before the command, so `import … --version V` stays the import's
    .enablePositionalOptions()
    .version(VERSION, '-V, --version', 'print the version')
    // throw, not exit, so that runCli picks the exit code (usage errors: 2)
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', '\nSettings also come from VERDICT_* environment variables (see README).');
  // before the commands: they copy the program's settings as they are made
  if (output) program.configureOutput(output);
  for (const register of COMMANDS) register(program, finish);
  return program;
}

/** Runs argv's command: its exit code, or 'running' for a command that stays up. */
export async function runCli(argv: readonly string[], output?: OutputConfiguration): Promise<Outcome> {
  let outcome: Outcome = 0;
  const program = buildProgram((o) => (outcome = o), output);
  if (argv.length === 0) {
    // the overview, exit 1, as before commander
    program.outputHelp();
    return 1;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    // commander has written its message; help and --version exit 0, a usage error 2
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  return outcome;
}
