import type { Command } from 'commander';
import { createApp } from '../app.js';
import { loadConfig } from '../config.js';
import { dataDirOption, integer, runtimeOption, stayUp, type Finish } from './common.js';

interface ServeOptions {
  host?: string;
  port?: number;
  dataDir?: string;
  runtime?: string;
  queue?: string;
  buildImages?: boolean;
}

/** `verdict serve`: the HTTP service, until SIGINT or SIGTERM. */
export function registerServe(program: Command, finish: Finish): void {
  program
    .command('serve')
    .description('run the grading service (HTTP API)')
    .option('--host <host>', 'address to listen on (default 127.0.0.1 or VERDICT_HOST)')
    .option('--port <port>', 'port to listen on, 0 for any free one (default 8080 or VERDICT_PORT)', integer('a port number, 0 to 65535', 0, 65535))
    .addOption(dataDirOption())
    .addOption(runtimeOption())
    .option('--queue <url>', 'scale-out: enqueue grades on this Redis (redis://H:6379) for `verdict worker`s to grade')
    .option('--build-images', 'build missing sandbox images in the background while serving')
    .action(async (opts: ServeOptions) => {
      const config = loadConfig(process.env, {
        host: opts.host,
        port: opts.port,
        dataDir: opts.dataDir,
        runtime: opts.runtime,
        queueUrl: opts.queue,
        buildImages: opts.buildImages,
      });
      const app = await createApp(config);
      const outcome = stayUp(app.log, 'shutting down', () => app.close());
      await app.server.listen({ host: config.host, port: config.port });
      finish(outcome);
    });
}
