import Docker from 'dockerode';
import type { Logger } from 'pino';
import type { AnyBenchmark, PlanProfile } from './benchmarks/types.js';
import type { Config } from './config.js';
import { gradingFingerprint } from './grading/fingerprint.js';
import { Grader } from './grading/grader.js';
import { SharedGrades } from './grading/shared-grades.js';
import { Metrics, type Gauges } from './metrics.js';
import { SandboxEngine, type Sessions } from './sandbox/engine.js';
import { DockerHosts, parseDockerHosts } from './sandbox/hosts.js';
import { listSandboxes } from './sandbox/images/recipe.js';
import type { ContainerProfile } from './sandbox/types.js';
import { ResultCache } from './store/result-cache.js';
import type { ProblemStore } from './store/store.js';

// The composition root of the grading parts, built from the configuration:
// `verdict serve` (src/app.ts) and `verdict worker` (src/queue/worker-app.ts)
// both build their sandboxes, metrics, grader and warm pools here, so the two
// processes grade alike. Each adds only what is its own: the HTTP API, the
// queue, image builds.

/** How a process reaches its sandboxes: one Docker engine (serve) or several (worker). */
export type Sandboxes = Sessions & { prewarm(profile: ContainerProfile): void };

/** The parts every grading process has. */
export interface Grading<S extends Sandboxes> {
  store: ProblemStore;
  sandboxes: S;
  benchmarks: ReadonlyMap<string, AnyBenchmark>;
  metrics: Metrics;
  grader: Grader;
}

/**
 * Metrics and grader over the given store and sandboxes. `gauges`: what the
 * sandboxes report to /metrics (the queue and running counts differ with a
 * queue of workers).
 */
export function composeGrading<S extends Sandboxes>(
  config: Config,
  parts: {
    sandboxes: S;
    gauges: Gauges;
    imageRef: (name: string) => Promise<string>;
    log: Logger;
    benchmarks: ReadonlyMap<string, AnyBenchmark>;
    store: ProblemStore;
  },
): Grading<S> {
  const { store, sandboxes, benchmarks, log } = parts;
  // what each benchmark's verdicts depend on, as the files are now (cache keys, provenance)
  for (const name of [...benchmarks.keys(), 'inline']) gradingFingerprint(name);
  const metrics = new Metrics(parts.gauges);
  const grader = new Grader({
    store,
    engine: sandboxes,
    benchmarks,
    imageRef: parts.imageRef,
    runtime: config.runtime,
    retries: config.retries,
    metrics,
    log: log.child({ module: 'grader' }),
  });
  return { store, sandboxes, benchmarks, metrics, grader };
}

/** `serve`'s sandboxes: the one Docker engine it drives. */
export function localEngine(config: Config, log: Logger, docker?: Docker): SandboxEngine {
  return new SandboxEngine({
    docker: docker ?? new Docker(),
    log: log.child({ module: 'sandbox' }),
    instance: config.instance,
    concurrency: config.concurrency,
    runConcurrency: config.runCodeConcurrency,
    warm: config.warm,
    maxUses: config.maxUses,
  });
}

/** A worker's sandboxes: its Docker hosts (VERDICT_DOCKER_HOSTS, else DOCKER_HOST, else the local socket). */
export function workerHosts(config: Config, log: Logger, docker?: (endpoint: string) => Docker): DockerHosts {
  const specs = parseDockerHosts(config.dockerHosts ?? process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock', config.concurrency);
  return new DockerHosts({
    hosts: specs,
    log: log.child({ module: 'hosts' }),
    // a worker's containers are its own: a restarted worker removes only those
    instance: `worker-${config.workerName}`,
    warm: config.warm,
    maxUses: config.maxUses,
    ...(docker ? { docker } : {}),
  });
}

/** The result cache and single-flight of identical grades (serve only: workers grade what they are given). */
export function composeSharedGrades(config: Config, store: ProblemStore, metrics: Metrics, contentAddress: (name: string) => Promise<string>): SharedGrades {
  let imagesKey: Promise<string> | undefined;
  return new SharedGrades({
    ...(config.cacheEntries > 0 ? { cache: new ResultCache(store.db, config.cacheEntries) } : {}),
    // every sandbox recipe's content address: a rebuilt image never serves an old cached verdict
    imagesKey: () =>
      (imagesKey ??= listSandboxes(config.sandboxesDir)
        .then((names) => Promise.all(names.map(contentAddress)))
        .then((refs) => refs.sort().join(','))),
    runtime: config.runtime,
    metrics,
  });
}

/**
 * The pools worth warming: the profile each served benchmark declares for its
 * default options (`warmProfile`), each distinct profile once. A benchmark
 * not served, or whose containers depend on the problem, warms nothing.
 */
export function warmProfiles(benchmarks: ReadonlyMap<string, AnyBenchmark>, served: Iterable<string>): PlanProfile[] {
  const out = new Map<string, PlanProfile>();
  for (const name of new Set(served)) {
    const bench = benchmarks.get(name);
    if (!bench?.warmProfile) continue;
    const defaults = bench.options.safeParse({});
    if (!defaults.success) continue;
    const p = bench.warmProfile(defaults.data);
    out.set(JSON.stringify(p), p);
  }
  return [...out.values()];
}

/**
 * Start warm containers for the served benchmarks' pools (config.prewarm), so
 * their first grades do not wait for a container start. An image that cannot
 * be resolved now (still building, no recipe) is skipped: warming is only a
 * head start. Resolves to the pools warmed, as logged.
 */
export async function prewarm(
  config: Config,
  g: { sandboxes: Sandboxes; benchmarks: ReadonlyMap<string, AnyBenchmark> },
  opts: { served: Iterable<string>; imageRef: (name: string) => Promise<string>; log: Logger },
): Promise<ContainerProfile[]> {
  if (!config.prewarm) return [];
  const warmed: ContainerProfile[] = [];
  for (const p of warmProfiles(g.benchmarks, opts.served)) {
    let image: string;
    try {
      image = await opts.imageRef(p.image);
    } catch (e) {
      opts.log.info({ sandbox: p.image, err: e instanceof Error ? e.message : String(e) }, 'pool not prewarmed: its image is not ready');
      continue;
    }
    const profile: ContainerProfile = { ...p, image, runtime: config.runtime };
    g.sandboxes.prewarm(profile);
    warmed.push(profile);
  }
  opts.log.info({ pools: warmed.map((p) => `${p.image} ${Math.round(p.memoryBytes / (1 << 20))} MB`) }, warmed.length ? 'prewarming the served benchmarks\' pools' : 'no pool to prewarm');
  return warmed;
}
