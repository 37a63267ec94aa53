import type { Command } from 'commander';
import { openapiYaml } from '../openapi.js';
import { VERSION } from '../version.js';
import type { Finish } from './common.js';

/** `verdict openapi`: what `npm run openapi` writes to openapi.yaml. */
export function registerOpenapi(program: Command, finish: Finish): void {
  program
    .command('openapi')
    .description('print the OpenAPI document (YAML)')
    .action(() => {
      process.stdout.write(openapiYaml(VERSION));
      finish(0);
    });
}
