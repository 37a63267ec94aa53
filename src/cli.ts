#!/usr/bin/env node
// The `verdict` command (package.json bin, `npm run verdict`); the commands are in src/cli/.
import { runCli } from './cli/program.js';

runCli(process.argv.slice(2)).then(
  (outcome) => {
    // exit even with handles left open (an embedded service, Docker sockets); serve and worker stay up
    if (outcome !== 'running') process.exit(outcome);
  },
  (e: unknown) => {
    console.error(`verdict: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
