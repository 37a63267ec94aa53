import type Docker from 'dockerode';
import pino, { type Logger } from 'pino';
import { BENCHMARKS } from './benchmarks/registry.js';
import type { AnyBenchmark } from './benchmarks/types.js';
import type { Config } from './config.js';
import type { SandboxEngine } from './sandbox/engine.js';
import type { Metrics } from './metrics.js';
import { composeGrading, composeSharedGrades, localEngine, prewarm } from './compose.js';
import { imageResolver } from './sandbox/images/recipe.js';
import { ImageBuilder } from './sandbox/image-builder.js';
import { buildOrder } from './benchmarks/images.js';
import path from 'node:path';
import { buildServer } from './server.js';
import { ProblemStore } from './store/store.js';
import { Admission } from './rl/admission.js';
import { RewardService } from './rl/reward-service.js';
import { JobStore } from './store/jobs.js';
import { JobRunner } from './jobs/runner.js';
import type { FastifyInstance } from 'fastify';
import type { GradeService, Grader } from './grading/grader.js';
import { QueueClient } from './queue/client.js';
import { engineHealth, queueHealth } from './routes/health.js';
import { runCode } from './rl/run-code.js';
import { RunCodeLane } from './rl/run-code-lane.js';

export interface App {
  server: FastifyInstance;
  store: ProblemStore;
  engine: SandboxEngine;
  /** grades here, or (with a queue) resolves requests for the queue */
  grader: Grader;
  /** what the routes grade with: `grader`, or the queue of workers */
  grading: GradeService;
  queue?: QueueClient;
  /** background builds of missing images (config.buildImages) */
  images?: ImageBuilder;
  reward: RewardService;
  metrics: Metrics;
  jobs: JobRunner;
  log: Logger;
  close(): Promise<void>;
}

/** Wire store, engine, grader and HTTP server from a validated config. */
export async function createApp(
  config: Config,
  opts: { log?: Logger; docker?: Docker; benchmarks?: ReadonlyMap<string, AnyBenchmark> } = {},
): Promise<App> {
  const log = opts.log ?? pino({ level: config.logLevel });
  const store = new ProblemStore(config.dataDir);
  const engine = localEngine(config, log, opts.docker);
  const benchmarks = opts.benchmarks ?? BENCHMARKS;
  // Grading with a queue needs no local images.
  const images =
    config.buildImages && !config.queueUrl
      ? new ImageBuilder({
          docker: engine.docker,
          root: config.sandboxesDir,
          order: buildOrder(store.versions().map((v) => v.name)),
          log: log.child({ module: 'images' }),
          statusFile: imageBuildsFile(config.dataDir),
        })
      : undefined;
  const contentAddress = imageResolver(config.sandboxesDir);
  const resolveImage = images ? images.guard(contentAddress) : contentAddress;
  const { metrics, grader } = composeGrading(config, {
    store,
    sandboxes: engine,
    benchmarks,
    imageRef: resolveImage,
    log,
    gauges: {
      // with a queue: grades sent to workers and not answered yet
      queue: () => (queue ? queue.pending : engine.stats().queued),
      running: () => engine.stats().running,
      pools: () => engine.stats().pools,
    },
  });
  // Scale-out: requests are resolved here and graded by `verdict worker`s.
  const queue: QueueClient | undefined = config.queueUrl
    ? new QueueClient({ url: config.queueUrl, prefix: config.queuePrefix, resolver: grader, waitMs: config.queueWaitMs, retries: config.workerRetries, log: log.child({ module: 'queue' }) })
    : undefined;
  const grading: GradeService = queue ?? grader;
  const admission = new Admission(config.concurrency, config.queue, config.queueBytes);
  const runCodeDeps = { engine, imageRef: resolveImage, runtime: config.runtime, log: log.child({ module: 'run_code' }) };
  const runCodeLane = new RunCodeLane({
    admission: new Admission(config.runCodeConcurrency, config.runCodeQueue, config.queueBytes),
    run: queue ? (req) => queue.runCode(req) : (req, o) => runCode(runCodeDeps, req, o),
    metrics,
    log: log.child({ module: 'run_code' }),
  });
  // one result cache and single-flight for the RL routes and jobs: whoever asks first grades
  const shared = composeSharedGrades(config, store, metrics, contentAddress);
  const reward = new RewardService({
    grader: grading,
    admission,
    shared,
    metrics,
    log: log.child({ module: 'reward' }),
  });
  const jobStore = new JobStore(store.db);
  const jobs = new JobRunner({
    jobs: jobStore,
    grader: grading,
    shared,
    benchmarks,
    log: log.child({ module: 'jobs' }),
    concurrency: config.concurrency,
    // an open service is a local one: any path; a keyed one reads only under VERDICT_JOB_INPUT_DIR
    inputDir: config.jobInputDir ?? (config.apiKeys.length ? null : undefined),
  });
  const server = buildServer({
    log,
    store,
    health: queue ? queueHealth(queue) : engineHealth(engine, config.sandboxesDir, images),
    grader: grading,
    metrics,
    benchmarks,
    apiKeys: config.apiKeys,
    bodyLimitBytes: config.bodyLimitBytes,
    sandboxesDir: config.sandboxesDir,
    rl: {
      reward,
      admission,
      runCodeLane,
    },
    jobs: { runner: jobs, store: jobStore },
  });
  if (queue) {
    log.info({ prefix: config.queuePrefix }, 'grading on workers through the queue');
  } else if (await engine.ping()) {
    const stale = await engine.removeStale().catch(() => 0);
    if (stale) log.info({ stale }, 'removed containers left by a previous run');
    await images?.start().catch((e: Error) => log.error({ err: e.message }, 'image builds could not start'));
    // the benchmarks this store serves; an image still queued or building is not warmed
    await prewarm(config, { sandboxes: engine, benchmarks }, { served: store.versions().map((v) => v.name), imageRef: resolveImage, log });
  } else {
    log.warn('Docker engine unreachable: grades will return infra_error until it answers');
  }
  jobs.start();
  return {
    server,
    store,
    engine,
    grader,
    grading,
    ...(queue ? { queue } : {}),
    ...(images ? { images } : {}),
    reward,
    metrics,
    jobs,
    log,
    async close() {
      await server.close();
      await jobs.close();
      await images?.close();
      await engine.close();
      await queue?.close();
      store.close();
    },
  };
}

/** Where a serving process keeps its image builds' progress for `verdict images status`. */
export function imageBuildsFile(dataDir: string): string {
  return path.join(dataDir, 'image-builds.json');
}
