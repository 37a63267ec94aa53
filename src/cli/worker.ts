import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { createWorker } from '../queue/worker-app.js';
import { dataDirOption, positiveInt, runtimeOption, stayUp, type Finish } from './common.js';

interface WorkerOptions {
  queue?: string;
  dockerHosts?: string;
  name?: string;
  concurrency?: number;
  dataDir?: string;
  runtime?: string;
}

/** `verdict worker`: grades the jobs `verdict serve --queue` enqueues, until SIGINT or SIGTERM. */
export function registerWorker(program: Command, finish: Finish): void {
  program
    .command('worker')
    .description('grade the jobs of a queue (scale-out: see docs/scale-out.md)')
    .option('--queue <url>', 'the Redis `verdict serve --queue` enqueues on (redis://H:6379; or VERDICT_QUEUE_URL)')
    .option('--docker-hosts <hosts>', 'Docker engines to drive, ENDPOINT[=CAPACITY],… (default DOCKER_HOST or the local socket)')
    .option('--name <name>', "this worker's name in the queue, unique per Docker host (default the host name)")
    .option('--concurrency <n>', 'grades at once (default one per core or VERDICT_CONCURRENCY)', positiveInt)
    .addOption(dataDirOption())
    .addOption(runtimeOption())
    .action(async (opts: WorkerOptions) => {
      const config = loadConfig(process.env, {
        queueUrl: opts.queue,
        dockerHosts: opts.dockerHosts,
        workerName: opts.name,
        concurrency: opts.concurrency,
        dataDir: opts.dataDir,
        runtime: opts.runtime,
      });
      const w = await createWorker(config);
      // the worker finishes the jobs in hand before it exits
      finish(stayUp(w.log, 'worker stopping: finishing the jobs in hand', () => w.close()));
    });
}
