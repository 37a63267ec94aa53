import type Docker from 'dockerode';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { BENCHMARKS } from '../benchmarks/registry.js';
import type { AnyBenchmark } from '../benchmarks/types.js';
import type { Config } from '../config.js';
import { healthRoutes, hostsHealth } from '../routes/health.js';
import { metricsRoutes } from '../routes/metrics.js';
import type { DockerHosts } from '../sandbox/hosts.js';
import { composeGrading, prewarm, workerHosts } from '../compose.js';
import { imageResolver } from '../sandbox/images/recipe.js';
import { imageStatus } from '../sandbox/images/status.js';
import { ProblemStore } from '../store/store.js';
import { GradeWorker } from './worker.js';

// `verdict worker`: a queue consumer, its Docker hosts, a Grader, and a small
// HTTP server for /healthz and /metrics. Its store holds only calibrations
// (reference outputs computed on this worker's hosts); problems come from the
// queue's shelf.

export interface WorkerApp {
  hosts: DockerHosts;
  worker: GradeWorker;
  server?: FastifyInstance;
  log: Logger;
  close(): Promise<void>;
}

export async function createWorker(
  config: Config,
  opts: { log?: Logger; benchmarks?: ReadonlyMap<string, AnyBenchmark>; docker?: (endpoint: string) => Docker } = {},
): Promise<WorkerApp> {
  if (!config.queueUrl) throw new Error('worker: no queue: pass --queue redis://host:6379 (or VERDICT_QUEUE_URL)');
  const log = opts.log ?? pino({ level: config.logLevel });
  const hosts = workerHosts(config, log, opts.docker);
  await hosts.start();
  const benchmarks = opts.benchmarks ?? BENCHMARKS;
  const resolveImage = imageResolver(config.sandboxesDir);
  // a worker's store holds only its calibrations: problems come from the queue
  const store = new ProblemStore(config.dataDir);
  const { metrics, grader } = composeGrading(config, {
    store,
    sandboxes: hosts,
    benchmarks,
    imageRef: resolveImage,
    log,
    gauges: {
      queue: () => hosts.stats().reduce((n, h) => n + h.queued, 0),
      running: () => hosts.stats().reduce((n, h) => n + h.running, 0),
      pools: () => hosts.engines().flatMap(({ endpoint, engine }) => engine.stats().pools.map((p) => ({ host: endpoint, ...p }))),
    },
  });
  const worker = new GradeWorker({
    url: config.queueUrl,
    prefix: config.queuePrefix,
    name: config.workerName,
    concurrency: hosts.capacity,
    grader,
    benchmarks,
    runCode: { engine: hosts, imageRef: resolveImage, runtime: config.runtime, log: log.child({ module: 'run_code' }) },
    lockMs: config.workerLockMs,
    retries: config.workerRetries,
    log: log.child({ module: 'worker' }),
  });
  await worker.waitUntilReady();

  // Missing images answer infra_error (image_missing) until built: say so now.
  for (const { endpoint, engine } of hosts.engines()) {
    void imageStatus(engine.docker, config.sandboxesDir)
      .then((st) => {
        if (st.missing.length) log.warn({ host: endpoint, missing: st.missing }, `sandbox images missing on this host; build them with DOCKER_HOST=${endpoint} verdict images build`);
      })
      .catch(() => undefined);
  }
  // A worker grades whatever the queue brings (its store has no problems to
  // say which): every benchmark it can grade counts as served.
  await prewarm(config, { sandboxes: hosts, benchmarks }, { served: benchmarks.keys(), imageRef: resolveImage, log });
  worker.start();

  let server: FastifyInstance | undefined;
  if (config.workerPort) {
    server = Fastify({ loggerInstance: log.child({ module: 'http' }) as FastifyBaseLogger });
    healthRoutes(server, hostsHealth(hosts, () => ({ worker: config.workerName, graded: worker.graded, capacity: hosts.capacity })));
    metricsRoutes(server, metrics);
    await server.listen({ host: config.host, port: config.workerPort });
  }
  log.info({ name: config.workerName, hosts: hosts.stats().map((h) => `${h.endpoint} (${h.state}, ${h.capacity})`) }, 'worker taking jobs');

  return {
    hosts,
    worker,
    ...(server ? { server } : {}),
    log,
    async close() {
      await server?.close();
      await worker.close();
      await hosts.close();
      store.close();
    },
  };
}
