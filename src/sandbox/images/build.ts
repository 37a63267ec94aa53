// Docker builds of the sandbox images: build context, one build per tag at a time, the missing ones a few at once.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import * as tarFs from 'tar-fs';
import type * as tarStream from 'tar-stream';
import { ensureBase, ensureBaseImage } from './base.js';
import { baseImage, resolveConfig, usesLocalBase, type ImagesConfig, type ImagesConfigInput } from './config.js';
import { asNodeStream, followProgress, ImageBuildError, imageExists, withSource, type FullPackOptions } from './docker.js';
import { AGENT_DIR, checkSandbox, imageRef, isJunk, listSandboxes } from './recipe.js';

/** Where the host CA bundle lands inside every build context. */
export const CONTEXT_CA_PATH = 'host-ca/ca-certificates.crt';
export const DEFAULT_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/**
 * The build context for sandbox `name`: a tar of `<root>/agent/` and
 * `<root>/<name>/` plus the host CA bundle as `host-ca/ca-certificates.crt`
 * (only the `host-ca/` directory when there is no bundle).
 */
export async function buildContext(
  root: string,
  name: string,
  caBundle: string | undefined,
): Promise<tarStream.Pack> {
  await checkSandbox(root, name);
  let ca: Buffer | undefined;
  const caPath = caBundle ?? DEFAULT_CA_BUNDLE;
  try {
    ca = await fs.readFile(caPath);
  } catch (err) {
    // An explicitly configured bundle must exist; the default is best effort.
    if (caBundle !== undefined) throw new Error(`CA bundle ${caBundle}: ${String(err)}`);
  }
  const packOptions: FullPackOptions = {
    entries: [AGENT_DIR, name],
    sort: true,
    ignore: (abs: string) => isJunk(path.basename(abs)),
    finalize: false,
    finish: (pack: tarStream.Pack) => {
      pack.entry({ name: path.posix.dirname(CONTEXT_CA_PATH), type: 'directory', mode: 0o755 });
      if (ca !== undefined) pack.entry({ name: CONTEXT_CA_PATH, type: 'file', mode: 0o644 }, ca);
      pack.finalize();
    },
  };
  return tarFs.pack(root, packOptions);
}

export interface BuildOptions {
  /** Defaults to `imagesConfigFromEnv()`. */
  config?: ImagesConfigInput;
  /** Receives build (and base import) output line by line. */
  log?: (line: string) => void;
  /** Build without the layer cache (ensureImages sets it with `force`). */
  noCache?: boolean;
  /** Network for RUN steps (default: the engine's default bridge). */
  networkMode?: string;
  /** Re-import the local base first. */
  forceBase?: boolean;
  /** Aborts the running request (import or build). */
  signal?: AbortSignal;
}

export interface BuiltImage {
  name: string;
  ref: string;
  /** False when the image existed and nothing was built. */
  built: boolean;
  seconds: number;
}

const buildInFlight = new Map<string, Promise<BuiltImage>>();

/** Builds sandbox `name` (always) and tags it with its `imageRef`. */
export async function buildImage(
  docker: Docker,
  root: string,
  name: string,
  opts: BuildOptions = {},
): Promise<BuiltImage> {
  const config = resolveConfig(opts.config);
  const base = baseImage(config);
  const ref = await imageRef(root, name, base);
  const running = buildInFlight.get(ref);
  if (running) return running;
  const job = runBuild(docker, root, name, ref, config, opts).finally(() => buildInFlight.delete(ref));
  buildInFlight.set(ref, job);
  return job;
}

async function runBuild(
  docker: Docker,
  root: string,
  name: string,
  ref: string,
  config: ImagesConfig,
  opts: BuildOptions,
): Promise<BuiltImage> {
  const started = Date.now();
  const base = await ensureBase(docker, config, {
    config,
    log: opts.log,
    force: opts.forceBase,
    signal: opts.signal,
  });
  const hash = ref.slice(ref.lastIndexOf(':') + 1);
  opts.log?.(`building ${ref} from ${base}`);
  const context = await buildContext(root, name, config.caBundle);
  const what = `docker build of ${ref} (${name}/Dockerfile)`;
  const buildOptions: Docker.ImageBuildOptions = {
    t: ref,
    dockerfile: `${name}/Dockerfile`,
    buildargs: { BASE: base },
    labels: { 'verdict.sandbox': name, 'verdict.recipe': hash, 'verdict.base': base },
    rm: true,
    forcerm: true,
    pull: false,
    nocache: opts.noCache === true,
    ...((opts.networkMode ?? config.buildNetwork) !== undefined ? { networkmode: opts.networkMode ?? config.buildNetwork } : {}),
  };
  const output = await withSource(context, what, opts.signal, async (abortSignal) => {
    const stream = await docker.buildImage(asNodeStream(context), { ...buildOptions, abortSignal });
    return followProgress(stream, what, opts.log);
  });
  if (!(await imageExists(docker, ref))) {
    throw new ImageBuildError(`${what} ended without creating the image`, output);
  }
  return { name, ref, built: true, seconds: (Date.now() - started) / 1000 };
}

export interface EnsureOptions extends BuildOptions {
  /** Rebuild (without the layer cache) even when the tag exists. */
  force?: boolean;
  /** builds at once (default VERDICT_BUILD_CONCURRENCY or 3): a cold machine spends most of a build in apt downloads and unpacking */
  concurrency?: number;
}

/**
 * Builds each sandbox in `names` (all when undefined) whose tag is missing,
 * or all of them with `force`, a few at once, the biggest recipes first (the
 * BigCodeBench image alone is most of a cold build). Results in `names` order.
 */
export async function ensureImages(
  docker: Docker,
  root: string,
  names: readonly string[] | undefined,
  opts: EnsureOptions = {},
): Promise<BuiltImage[]> {
  const config = resolveConfig(opts.config);
  const base = baseImage(config);
  const wanted = names === undefined || names.length === 0 ? await listSandboxes(root) : [...new Set(names)];
  for (const n of wanted) await checkSandbox(root, n);
  const results = new Map<string, BuiltImage>();
  const todo: string[] = [];
  for (const name of wanted) {
    const ref = await imageRef(root, name, base);
    if (!opts.force && (await imageExists(docker, ref))) results.set(name, { name, ref, built: false, seconds: 0 });
    else todo.push(name);
  }
  if (todo.length) {
    // the base first, once, before builds race for it
    if (usesLocalBase(config)) await ensureBaseImage(docker, { config, log: opts.log, force: opts.forceBase, signal: opts.signal });
    const weight = new Map(await Promise.all(todo.map(async (n) => [n, await recipeWeight(root, n)] as const)));
    todo.sort((a, b) => weight.get(b)! - weight.get(a)!);
    const concurrency = Math.max(1, opts.concurrency ?? (Number(process.env.VERDICT_BUILD_CONCURRENCY) || 3));
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, todo.length) }, async () => {
        while (next < todo.length) {
          const name = todo[next++]!;
          results.set(name, await buildImage(docker, root, name, { ...opts, config, forceBase: false, noCache: opts.noCache ?? opts.force === true }));
        }
      }),
    );
  }
  return wanted.map((n) => results.get(n)!);
}

/** A recipe's size as a stand-in for its build time: the Dockerfile's package lists. */
async function recipeWeight(root: string, name: string): Promise<number> {
  try {
    return (await fs.stat(path.join(root, name, 'Dockerfile'))).size;
  } catch {
    return 0;
  }
}
