/**
 * Sandbox images: build, tag and inspect the Docker images the engine runs
 * completions in. Knows nothing about benchmarks.
 *
 * Layout (the `root` argument everywhere below is the sandboxes directory):
 *
 *   <root>/agent/            not an image: the in-container agent; every
 *                            image copies agent/verdict_agent.py to
 *                            /opt/verdict/agent.py
 *   <root>/<name>/Dockerfile one image per folder, `ARG BASE` + `FROM ${BASE}`
 *
 * Image tags are content addressed: `verdict/<name>:<12 hex>` where the hex is
 * a sha256 over the files of `<name>/`, `agent/` and the base reference, so a
 * change to a recipe or the agent yields a new tag and old tags simply stop
 * being used.
 *
 * The base is either a registry image the user configured
 * (`VERDICT_BASE_IMAGE`, e.g. `debian:bookworm-slim`) or, by default, the
 * local `verdict/base:bookworm`, which `ensureBaseImage` creates with
 * debootstrap + `docker import` so no registry is needed.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import * as tarFs from 'tar-fs';
import type * as tarStream from 'tar-stream';
import { z } from 'zod';

// ---------------------------------------------------------------------------
// Constants

/** The folder under the sandboxes root that holds the agent, not an image. */
export const AGENT_DIR = 'agent';
/** Where the host CA bundle lands inside every build context. */
export const CONTEXT_CA_PATH = 'host-ca/ca-certificates.crt';
/** The default local base image, made by `ensureBaseImage`. */
export const LOCAL_BASE_REPO = 'verdict/base';
export const LOCAL_BASE_TAG = 'bookworm';
export const LOCAL_BASE_IMAGE = `${LOCAL_BASE_REPO}:${LOCAL_BASE_TAG}`;
export const DEFAULT_CACHE_DIR = '/var/cache/verdict';
export const DEFAULT_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
export const DEFAULT_DEBIAN_MIRROR = 'http://deb.debian.org/debian';
export const DEFAULT_DEBIAN_SECURITY_MIRROR = 'http://deb.debian.org/debian-security';
const HOST_DEBIAN_SOURCES = '/etc/apt/sources.list.d/debian.sources';
const SUITE = 'bookworm';
/** Bump when the way images are built changes in a way the files don't show. */
const RECIPE_VERSION = 'verdict-images-v1';
// eslint-disable-next-line no-control-regex
const ANSI_SGR = /\u001b\[[0-9;]*m/g;
/** Lines of build output kept for error messages. */
const TAIL_LINES = 40;

/** A Docker repository path component, as the engine accepts it. */
const SANDBOX_NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
/** Loose image reference check: [registry[:port]/]path[:tag][@digest]. */
const IMAGE_REFERENCE = /^[a-zA-Z0-9][a-zA-Z0-9._\-/:]*(@sha256:[a-f0-9]{64})?$/;

/** Editor and interpreter droppings that are never part of a recipe. */
function isJunk(baseName: string): boolean {
  return (
    baseName === '__pycache__' ||
    baseName === '.DS_Store' ||
    baseName.endsWith('.pyc') ||
    baseName.endsWith('.swp') ||
    baseName.endsWith('~')
  );
}

// ---------------------------------------------------------------------------
// Configuration

const optionalNonEmpty = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

export const ImagesConfigSchema = z.object({
  /** Registry base image used as is; unset means the local debootstrap base. */
  baseImage: z
    .string()
    .regex(IMAGE_REFERENCE, 'not a docker image reference')
    .optional(),
  /** Debian mirror for debootstrap and the base image's apt sources. */
  debianMirror: z.url({ protocol: /^(https?|file)$/ }).optional(),
  /** Mirror for bookworm-security inside the base image. */
  debianSecurityMirror: z.url({ protocol: /^https?$/ }).optional(),
  /** CA bundle injected into every build context; unset = the host default. */
  caBundle: z.string().min(1).optional(),
  /** Where the debootstrapped rootfs is cached. */
  cacheDir: z.string().min(1).default(DEFAULT_CACHE_DIR),
  /** Network for RUN steps of image builds (e.g. `host` where the engine's bridge has no route out); unset = the engine's default bridge. */
  buildNetwork: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/).optional(),
});
export type ImagesConfig = z.infer<typeof ImagesConfigSchema>;
export type ImagesConfigInput = z.input<typeof ImagesConfigSchema>;

const ImagesEnvSchema = z.object({
  VERDICT_BASE_IMAGE: optionalNonEmpty,
  VERDICT_DEBIAN_MIRROR: optionalNonEmpty,
  VERDICT_DEBIAN_SECURITY_MIRROR: optionalNonEmpty,
  VERDICT_CA_BUNDLE: optionalNonEmpty,
  VERDICT_CACHE_DIR: optionalNonEmpty,
  VERDICT_BUILD_NETWORK: optionalNonEmpty,
});

/** Validated image config from environment variables (`VERDICT_*`). */
export function imagesConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ImagesConfig {
  const e = ImagesEnvSchema.parse(env);
  const parsed = ImagesConfigSchema.safeParse({
    baseImage: e.VERDICT_BASE_IMAGE,
    debianMirror: e.VERDICT_DEBIAN_MIRROR,
    debianSecurityMirror: e.VERDICT_DEBIAN_SECURITY_MIRROR,
    caBundle: e.VERDICT_CA_BUNDLE,
    cacheDir: e.VERDICT_CACHE_DIR,
    buildNetwork: e.VERDICT_BUILD_NETWORK,
  });
  if (!parsed.success) {
    const names: Record<string, string> = {
      baseImage: 'VERDICT_BASE_IMAGE',
      debianMirror: 'VERDICT_DEBIAN_MIRROR',
      debianSecurityMirror: 'VERDICT_DEBIAN_SECURITY_MIRROR',
      caBundle: 'VERDICT_CA_BUNDLE',
      cacheDir: 'VERDICT_CACHE_DIR',
      buildNetwork: 'VERDICT_BUILD_NETWORK',
    };
    const msg = parsed.error.issues
      .map((i) => `${names[String(i.path[0])] ?? String(i.path[0])}: ${i.message}`)
      .join('; ');
    throw new Error(`invalid image configuration: ${msg}`);
  }
  return parsed.data;
}

function resolveConfig(config: ImagesConfigInput | undefined): ImagesConfig {
  return config === undefined ? imagesConfigFromEnv() : ImagesConfigSchema.parse(config);
}

/** The reference used for `ARG BASE` of every sandbox Dockerfile. */
export function baseImage(config: Pick<ImagesConfigInput, 'baseImage'>): string {
  return config.baseImage ?? LOCAL_BASE_IMAGE;
}

/** True when the base is the local debootstrap image rather than a registry one. */
export function usesLocalBase(config: Pick<ImagesConfigInput, 'baseImage'>): boolean {
  return config.baseImage === undefined || config.baseImage === LOCAL_BASE_IMAGE;
}

/** The repository's `sandboxes/` directory (works from src/ and dist/). */
export function defaultSandboxesRoot(): string {
  return fileURLToPath(new URL('../../sandboxes', import.meta.url));
}

// ---------------------------------------------------------------------------
// Listing and content-addressed tags

/** Names of the image folders under `root` (those with a Dockerfile), sorted. */
export async function listSandboxes(root: string): Promise<string[]> {
  const entries = await fs.readdir(root, { withFileTypes: true });
  const names: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || e.name === AGENT_DIR || e.name.startsWith('.')) continue;
    if (await isFile(path.join(root, e.name, 'Dockerfile'))) names.push(e.name);
  }
  return names.sort();
}

function checkName(name: string): void {
  if (name === AGENT_DIR) throw new Error(`"${AGENT_DIR}" holds the agent and is not an image`);
  if (!SANDBOX_NAME.test(name)) {
    throw new Error(
      `invalid sandbox name "${name}": use lowercase letters and digits, separated by single "." or "_" or by "-"`,
    );
  }
}

async function checkSandbox(root: string, name: string): Promise<void> {
  checkName(name);
  if (!(await isFile(path.join(root, name, 'Dockerfile')))) {
    throw new Error(`no sandbox "${name}": ${path.join(root, name, 'Dockerfile')} does not exist`);
  }
  if (!(await isDir(path.join(root, AGENT_DIR)))) {
    throw new Error(`agent folder missing: ${path.join(root, AGENT_DIR)}`);
  }
}

interface TreeFile {
  rel: string; // posix path relative to root
  kind: 'file' | 'symlink';
  executable: boolean;
  abs: string;
}

/** All files under root/dir, sorted by relative path, junk excluded. */
async function walk(root: string, dir: string): Promise<TreeFile[]> {
  const out: TreeFile[] = [];
  async function rec(relDir: string): Promise<void> {
    const entries = await fs.readdir(path.join(root, relDir), { withFileTypes: true });
    for (const e of entries) {
      if (isJunk(e.name)) continue;
      const rel = `${relDir}/${e.name}`;
      const abs = path.join(root, rel);
      if (e.isDirectory()) await rec(rel);
      else if (e.isSymbolicLink()) out.push({ rel, kind: 'symlink', executable: false, abs });
      else if (e.isFile()) {
        const st = await fs.stat(abs);
        out.push({ rel, kind: 'file', executable: (st.mode & 0o111) !== 0, abs });
      }
    }
  }
  await rec(dir);
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

/** Hex sha256 over the recipe (`<name>/`), the agent and the base reference. */
export async function recipeHash(root: string, name: string, base: string): Promise<string> {
  await checkSandbox(root, name);
  const h = createHash('sha256');
  const field = (s: string | Buffer): void => {
    const b = typeof s === 'string' ? Buffer.from(s) : s;
    h.update(`${b.length}:`);
    h.update(b);
  };
  field(RECIPE_VERSION);
  field(`base=${base}`);
  const files = [...(await walk(root, AGENT_DIR)), ...(await walk(root, name))];
  for (const f of files) {
    field(`${f.kind}${f.executable ? '+x' : ''} ${f.rel}`);
    field(f.kind === 'symlink' ? await fs.readlink(f.abs) : await fs.readFile(f.abs));
  }
  return h.digest('hex');
}

/** Deterministic tag `verdict/<name>:<12 hex>` for sandbox `name` on `base`. */
export async function imageRef(root: string, name: string, base: string): Promise<string> {
  return `verdict/${name}:${(await recipeHash(root, name, base)).slice(0, 12)}`;
}

/** `imageRef` per sandbox name, computed once per process (recipes do not change under a running service). */
export function imageResolver(root: string, base: string = baseImage(imagesConfigFromEnv())): (name: string) => Promise<string> {
  const refs = new Map<string, Promise<string>>();
  return (name) => {
    let r = refs.get(name);
    if (!r) {
      r = imageRef(root, name, base);
      refs.set(name, r);
    }
    return r;
  };
}

// ---------------------------------------------------------------------------
// Docker helpers

function statusCodeOf(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'statusCode' in err) {
    const code = (err as { statusCode: unknown }).statusCode;
    return typeof code === 'number' ? code : undefined;
  }
  return undefined;
}

/** Whether `ref` exists in the engine (404 = no; other errors propagate). */
export async function imageExists(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch (err) {
    if (statusCodeOf(err) === 404) return false;
    throw err;
  }
}

const ProgressEventSchema = z.looseObject({
  stream: z.string().optional(),
  status: z.string().optional(),
  progress: z.string().optional(),
  id: z.string().optional(),
  error: z.string().optional(),
  errorDetail: z.looseObject({ message: z.string().optional() }).optional(),
  aux: z.unknown().optional(),
});

/** Keeps the last N lines of some output. */
class Tail {
  private readonly lines: string[] = [];
  constructor(private readonly max = TAIL_LINES) {}
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.max) this.lines.shift();
  }
  toString(): string {
    return this.lines.join('\n');
  }
}

export class ImageBuildError extends Error {
  constructor(
    message: string,
    /** The last lines of output before the failure. */
    readonly outputTail: string,
  ) {
    super(outputTail ? `${message}\n--- last output ---\n${outputTail}` : message);
    this.name = 'ImageBuildError';
  }
}

/**
 * Reads a Docker JSON-lines progress stream (build, import) to its end,
 * forwarding output lines to `log`, and returns the last lines. Rejects with
 * an ImageBuildError holding them when the stream reports
 * `error`/`errorDetail` or breaks.
 */
async function followProgress(
  stream: NodeJS.ReadableStream,
  what: string,
  log: ((line: string) => void) | undefined,
): Promise<string> {
  const tail = new Tail();
  let failure: string | undefined;
  let pending = '';
  let partialLine = '';
  const decoder = new StringDecoder('utf8');

  const emit = (raw: string): void => {
    // The classic builder colours RUN stderr; keep logs and errors plain.
    const line = raw.replace(ANSI_SGR, '');
    if (line.trim() === '') return;
    tail.push(line);
    log?.(line);
  };
  const onText = (text: string): void => {
    partialLine += text;
    let nl: number;
    while ((nl = partialLine.indexOf('\n')) >= 0) {
      const line = partialLine.slice(0, nl).replace(/\r$/, '');
      partialLine = partialLine.slice(nl + 1);
      if (line.trim() !== '') emit(line);
    }
  };
  const onJsonLine = (raw: string): void => {
    const line = raw.trim();
    if (line === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      onText(`${line}\n`);
      return;
    }
    const ev = ProgressEventSchema.safeParse(value);
    if (!ev.success) return;
    const e = ev.data;
    if (e.error !== undefined || e.errorDetail !== undefined) {
      failure ??= e.errorDetail?.message ?? e.error ?? 'unknown error';
      return;
    }
    if (e.stream !== undefined) onText(e.stream);
    // Progress bars (e.g. pull/import byte counts) are noise; keep statuses.
    else if (e.status !== undefined && e.progress === undefined) {
      onText(`${e.id !== undefined ? `${e.id}: ` : ''}${e.status}\n`);
    }
  };

  await new Promise<void>((resolve, reject) => {
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      if (err) reject(err);
      else resolve();
    };
    stream.on('data', (chunk: Buffer | string) => {
      pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        onJsonLine(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
    });
    stream.on('error', (err: Error) => finish(err));
    stream.on('end', () => finish());
    stream.on('close', () => finish());
  }).catch((err: unknown) => {
    throw new ImageBuildError(`${what} failed: ${String(err)}`, tail.toString());
  });
  onJsonLine(pending + decoder.end());
  if (partialLine.trim() !== '') emit(partialLine);
  if (failure !== undefined) {
    throw new ImageBuildError(`${what} failed: ${failure.trim()}`, tail.toString());
  }
  return tail.toString();
}

/**
 * Runs `work(signal)` while `source` (a tar stream feeding the request) is
 * being read: a packing error aborts the request and rejects, as does an
 * abort of the caller's `outer` signal.
 */
async function withSource<T>(
  source: NodeJS.EventEmitter,
  what: string,
  outer: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const ac = new AbortController();
  const onOuterAbort = (): void => ac.abort(outer?.reason);
  if (outer?.aborted) ac.abort(outer.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  try {
    return await new Promise<T>((resolve, reject) => {
      // Stays attached: a late error must not become an uncaught 'error' event.
      source.on('error', (err: Error) => {
        reject(new ImageBuildError(`${what}: packing failed: ${err.message}`, ''));
        ac.abort(err);
      });
      ac.signal.addEventListener('abort', () => reject(new Error(`${what}: aborted`)), { once: true });
      work(ac.signal).then(resolve, reject);
    });
  } finally {
    outer?.removeEventListener('abort', onOuterAbort);
  }
}

/**
 * tar-stream 3 packs are streamx readables: they pipe like Node streams (all
 * docker-modem does with them) but their typings lack a few Readable members.
 */
function asNodeStream(pack: tarStream.Pack): NodeJS.ReadableStream {
  return pack as unknown as NodeJS.ReadableStream;
}

/** Options of tar-fs `pack` that its type definitions leave out. */
type FullPackOptions = tarFs.PackOptions & { umask?: number; sort?: boolean };

// ---------------------------------------------------------------------------
// Debian mirrors and the debootstrapped rootfs

export interface DebianMirrors {
  mirror: string;
  security: string;
}

/**
 * Mirrors from the text of a deb822 `debian.sources` file: `mirror` is the
 * first `URIs:` entry, `security` the first URI of a stanza whose suites
 * include `-security` (else derived from `mirror`).
 */
export function mirrorsFromSources(text: string | undefined): DebianMirrors {
  let mirror: string | undefined;
  let security: string | undefined;
  if (text !== undefined) {
    const stanzas = text.split(/\n\s*\n/);
    for (const stanza of stanzas) {
      const fields = new Map<string, string>();
      for (const raw of stanza.split('\n')) {
        const line = raw.trim();
        if (line === '' || line.startsWith('#')) continue;
        const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
        if (m?.[1] !== undefined && m[2] !== undefined) fields.set(m[1].toLowerCase(), m[2]);
      }
      const uri = fields.get('uris')?.split(/\s+/)[0];
      if (uri === undefined || !/^https?:\/\//.test(uri)) continue;
      const suites = fields.get('suites') ?? '';
      if (/-security\b/.test(suites)) security ??= uri;
      else mirror ??= uri;
    }
  }
  mirror = (mirror ?? DEFAULT_DEBIAN_MIRROR).replace(/\/+$/, '');
  if (security === undefined) {
    security = /\/debian$/.test(mirror) ? `${mirror}-security` : DEFAULT_DEBIAN_SECURITY_MIRROR;
  }
  return { mirror, security: security.replace(/\/+$/, '') };
}

/**
 * `mirror` is what debootstrap fetches from (may be a file: URI on the host);
 * `apt` are the mirrors written into the image, which must be http(s).
 */
async function resolveMirrors(config: ImagesConfig): Promise<{ mirror: string; apt: DebianMirrors }> {
  let text: string | undefined;
  try {
    text = await fs.readFile(HOST_DEBIAN_SOURCES, 'utf8');
  } catch {
    text = undefined;
  }
  const host = mirrorsFromSources(text);
  const configured = config.debianMirror?.replace(/\/+$/, '');
  const mirror = configured ?? host.mirror;
  const aptMirror = configured !== undefined && /^https?:/.test(configured) ? configured : host.mirror;
  const derived = /\/debian$/.test(aptMirror) ? `${aptMirror}-security` : DEFAULT_DEBIAN_SECURITY_MIRROR;
  const security =
    config.debianSecurityMirror?.replace(/\/+$/, '') ?? (configured === undefined ? host.security : derived);
  return { mirror, apt: { mirror: aptMirror, security } };
}

/** A finished debootstrap: debootstrap deletes `<dir>/debootstrap` last. */
async function isCompleteRootfs(dir: string): Promise<boolean> {
  return (
    (await isDir(dir)) &&
    !(await exists(path.join(dir, 'debootstrap'))) &&
    (await isFile(path.join(dir, 'usr/bin/apt-get'))) &&
    (await isFile(path.join(dir, 'etc/debian_version'))) &&
    (await isFile(path.join(dir, 'var/lib/dpkg/status')))
  );
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A directory lock between processes that share the rootfs cache. */
async function withDirLock<T>(
  lockDir: string,
  log: ((line: string) => void) | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + 60 * 60 * 1000;
  let announced = false;
  for (;;) {
    try {
      await fs.mkdir(lockDir);
      await fs.writeFile(path.join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let owner: number | undefined;
    try {
      owner = Number.parseInt(await fs.readFile(path.join(lockDir, 'pid'), 'utf8'), 10);
    } catch {
      owner = undefined;
    }
    let stale = false;
    if (owner !== undefined && Number.isFinite(owner)) stale = !pidAlive(owner);
    else {
      // No pid yet: the owner may be between mkdir and writeFile.
      const st = await fs.stat(lockDir).catch(() => undefined);
      stale = st !== undefined && Date.now() - st.mtimeMs > 60_000;
    }
    if (stale) {
      await fs.rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for lock ${lockDir}`);
    if (!announced) {
      log?.(`waiting for another process (pid ${owner ?? '?'}) holding ${lockDir}`);
      announced = true;
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lockDir, { recursive: true, force: true });
  }
}

async function runDebootstrap(
  dir: string,
  mirror: string,
  log: ((line: string) => void) | undefined,
): Promise<void> {
  const envPath = [process.env.PATH ?? '', '/usr/sbin', '/sbin', '/usr/bin', '/bin']
    .filter((p) => p !== '')
    .join(':');
  const args = ['--variant=minbase', SUITE, dir, mirror];
  log?.(`debootstrap ${args.join(' ')}`);
  const tail = new Tail();
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('debootstrap', args, {
      env: { ...process.env, PATH: envPath, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onData = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim() === '') continue;
        tail.push(line);
        log?.(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT'
          ? new Error('debootstrap not found: install it (apt-get install debootstrap) or set VERDICT_BASE_IMAGE')
          : err,
      );
    });
    child.on('close', (c) => resolve(c));
  });
  if (code !== 0) {
    throw new ImageBuildError(`debootstrap ${SUITE} into ${dir} exited with ${String(code)}`, tail.toString());
  }
}

export interface RootfsOptions {
  /** Defaults to `imagesConfigFromEnv()`. */
  config?: ImagesConfigInput;
  /** Receives progress and tool output line by line. */
  log?: (line: string) => void;
}

const rootfsInFlight = new Map<string, Promise<string>>();

/**
 * A complete debootstrapped bookworm rootfs in the cache
 * (`<cacheDir>/rootfs-bookworm`), made when missing. Debootstraps into
 * `<dir>.tmp` and renames, so a finished cache entry is always complete; a
 * completed `<dir>.tmp` left by an interrupted run is adopted.
 */
export async function ensureRootfs(opts: RootfsOptions = {}): Promise<string> {
  const config = resolveConfig(opts.config);
  const dir = path.join(config.cacheDir, `rootfs-${SUITE}`);
  if (await isCompleteRootfs(dir)) return dir;
  const running = rootfsInFlight.get(dir);
  if (running) return running;
  const job = makeRootfs(config, dir, opts.log).finally(() => rootfsInFlight.delete(dir));
  rootfsInFlight.set(dir, job);
  return job;
}

async function makeRootfs(
  config: ImagesConfig,
  dir: string,
  log: ((line: string) => void) | undefined,
): Promise<string> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(
      `creating ${LOCAL_BASE_IMAGE} needs root (debootstrap into ${dir}); ` +
        'run `verdict images build` as root once, or set VERDICT_BASE_IMAGE to a registry image',
    );
  }
  await fs.mkdir(config.cacheDir, { recursive: true });
  return withDirLock(`${dir}.lock`, log, async () => {
    if (await isCompleteRootfs(dir)) return dir;
    const tmp = `${dir}.tmp`;
    if (await exists(dir)) await fs.rm(dir, { recursive: true, force: true });
    if (await isCompleteRootfs(tmp)) {
      log?.(`adopting completed rootfs ${tmp}`);
    } else {
      await fs.rm(tmp, { recursive: true, force: true });
      const { mirror } = await resolveMirrors(config);
      await runDebootstrap(tmp, mirror, log);
      if (!(await isCompleteRootfs(tmp))) {
        throw new Error(`debootstrap finished but ${tmp} does not look like a complete rootfs`);
      }
    }
    await fs.rename(tmp, dir);
    return dir;
  });
}

// ---------------------------------------------------------------------------
// The local base image

/** Files written over the rootfs in the base image (path → content, mode). */
function baseOverlay(mirrors: DebianMirrors): Map<string, { content: string; mode: number }> {
  const keyring = '/usr/share/keyrings/debian-archive-keyring.gpg';
  return new Map([
    [
      'etc/apt/sources.list.d/debian.sources',
      {
        mode: 0o644,
        content:
          `Types: deb\nURIs: ${mirrors.mirror}\nSuites: ${SUITE} ${SUITE}-updates\n` +
          `Components: main\nSigned-By: ${keyring}\n\n` +
          `Types: deb\nURIs: ${mirrors.security}\nSuites: ${SUITE}-security\n` +
          `Components: main\nSigned-By: ${keyring}\n`,
      },
    ],
    // As in the official images: no .deb caches, no translations, slim docs.
    [
      'etc/apt/apt.conf.d/docker-clean',
      {
        mode: 0o644,
        content:
          'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\n' +
          'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\n' +
          'Dir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n',
      },
    ],
    ['etc/apt/apt.conf.d/docker-no-languages', { mode: 0o644, content: 'Acquire::Languages "none";\n' }],
    [
      'etc/apt/apt.conf.d/docker-autoremove-suggests',
      { mode: 0o644, content: 'Apt::AutoRemove::SuggestsImportant "false";\n' },
    ],
    [
      'etc/dpkg/dpkg.cfg.d/docker',
      {
        mode: 0o644,
        content:
          [
            'path-exclude /usr/share/doc/*',
            'path-include /usr/share/doc/*/copyright',
            'path-exclude /usr/share/man/*',
            'path-exclude /usr/share/groff/*',
            'path-exclude /usr/share/info/*',
            'path-exclude /usr/share/lintian/*',
            'path-exclude /usr/share/linda/*',
            'path-exclude /usr/share/locale/*',
            'path-include /usr/share/locale/locale.alias',
          ].join('\n') + '\n',
      },
    ],
    // No daemons get started by package installs inside a container.
    ['usr/sbin/policy-rc.d', { mode: 0o755, content: '#!/bin/sh\nexit 101\n' }],
  ]);
}

/**
 * Whether a rootfs path (posix, relative) is left out of the base image:
 * device nodes, host-specific files, apt caches/lists and, as in the slim
 * images, docs, man pages and translations.
 */
export function excludedFromBase(rel: string): boolean {
  const p = rel.split('/');
  const [a, b, c, d] = p;
  if (p.length >= 2 && (a === 'dev' || a === 'proc' || a === 'sys' || a === 'tmp')) return true;
  if (a === 'var' && b === 'tmp' && p.length >= 3) return true;
  if (rel === 'etc/hostname' || rel === 'etc/resolv.conf' || rel === 'etc/apt/sources.list') return true;
  if (a === 'var' && b === 'cache' && c === 'apt') {
    if (p.length === 4 && d !== undefined && d.endsWith('.bin')) return true;
    if (d === 'archives' && p.length >= 5 && rel.endsWith('.deb')) return true;
  }
  if (a === 'var' && b === 'lib' && c === 'apt' && d === 'lists' && p.length >= 5) {
    return !(p.length === 5 && p[4] === 'partial');
  }
  if (a === 'usr' && b === 'share' && p.length >= 4) {
    if (c === 'doc') return p.length >= 5 && !(p.length === 5 && p[4] === 'copyright');
    if (c === 'man' || c === 'groff' || c === 'info' || c === 'lintian' || c === 'linda') return true;
    if (c === 'locale') return d !== 'locale.alias';
  }
  return false;
}

export interface BaseImageOptions extends RootfsOptions {
  /**
   * Re-import even when the image exists (from the cached rootfs; delete
   * `<cacheDir>/rootfs-bookworm` to debootstrap afresh).
   */
  force?: boolean | undefined;
  /** Aborts the import request. */
  signal?: AbortSignal | undefined;
}

const baseInFlight = new Map<string, Promise<string>>();

/**
 * Makes sure `verdict/base:bookworm` exists: debootstraps (or reuses the
 * cached) bookworm minbase rootfs, packs it with tar-fs and `docker import`s
 * it with working apt sources (bookworm, -updates, -security), PATH and CMD.
 * Needs root the first time (debootstrap; reading the rootfs). Returns the
 * reference.
 */
export async function ensureBaseImage(docker: Docker, opts: BaseImageOptions = {}): Promise<string> {
  const ref = LOCAL_BASE_IMAGE;
  if (!opts.force && (await imageExists(docker, ref))) return ref;
  const running = baseInFlight.get(ref);
  if (running) return running;
  const job = importBase(docker, opts).finally(() => baseInFlight.delete(ref));
  baseInFlight.set(ref, job);
  return job;
}

async function importBase(docker: Docker, opts: BaseImageOptions): Promise<string> {
  const config = resolveConfig(opts.config);
  const log = opts.log;
  const rootfs = await ensureRootfs({ config, log });
  const mirrors = (await resolveMirrors(config)).apt;
  const overlay = baseOverlay(mirrors);
  log?.(`importing ${rootfs} as ${LOCAL_BASE_IMAGE} (apt: ${mirrors.mirror}, ${mirrors.security})`);

  const packOptions: FullPackOptions = {
    umask: 0, // keep modes as they are (e.g. /tmp 1777), not masked by ours
    sort: true,
    ignore: (abs: string) => {
      const rel = path.relative(rootfs, abs).split(path.sep).join('/');
      return excludedFromBase(rel) || overlay.has(rel);
    },
    finalize: false,
    finish: (pack: tarStream.Pack) => {
      for (const [name, f] of overlay) {
        pack.entry({ name, mode: f.mode, uid: 0, gid: 0, type: 'file' }, f.content);
      }
      pack.finalize();
    },
  };
  const tar = tarFs.pack(rootfs, packOptions);
  const changes = [
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'CMD ["bash"]',
    `LABEL verdict.base=${SUITE}`,
  ];
  const what = `docker import of ${LOCAL_BASE_IMAGE}`;
  const output = await withSource(tar, what, opts.signal, async (abortSignal) => {
    const stream = await docker.importImage(asNodeStream(tar), {
      repo: LOCAL_BASE_REPO,
      tag: LOCAL_BASE_TAG,
      changes,
      message: `verdict: debootstrap --variant=minbase ${SUITE}`,
      abortSignal,
    });
    return followProgress(stream, what, log);
  });
  if (!(await imageExists(docker, LOCAL_BASE_IMAGE))) {
    throw new ImageBuildError(`${what} ended without creating the image`, output);
  }
  return LOCAL_BASE_IMAGE;
}

/** Makes sure the configured base is available (creates the local one). */
async function ensureBase(docker: Docker, config: ImagesConfig, opts: BaseImageOptions): Promise<string> {
  const base = baseImage(config);
  if (usesLocalBase(config)) await ensureBaseImage(docker, { ...opts, config });
  // A registry base is pulled by the builder's FROM when missing.
  return base;
}

// ---------------------------------------------------------------------------
// Sandbox images

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

export interface SandboxImageStatus {
  name: string;
  ref: string;
  present: boolean;
}

export interface ImageStatus {
  base: { ref: string; local: boolean; present: boolean };
  sandboxes: SandboxImageStatus[];
  /** Names of sandboxes whose image is missing. */
  missing: string[];
  /** What a user runs to build the missing images; undefined when none are. */
  buildCommand: string | undefined;
}

/** Which sandbox images exist, and the command that builds the missing ones. */
export async function imageStatus(
  docker: Docker,
  root: string,
  opts: { config?: ImagesConfigInput } = {},
): Promise<ImageStatus> {
  const config = resolveConfig(opts.config);
  const base = baseImage(config);
  const sandboxes: SandboxImageStatus[] = [];
  for (const name of await listSandboxes(root)) {
    const ref = await imageRef(root, name, base);
    sandboxes.push({ name, ref, present: await imageExists(docker, ref) });
  }
  const missing = sandboxes.filter((s) => !s.present).map((s) => s.name);
  return {
    base: { ref: base, local: usesLocalBase(config), present: await imageExists(docker, base) },
    sandboxes,
    missing,
    buildCommand: missing.length > 0 ? `npm run verdict -- images build ${missing.join(' ')}` : undefined,
  };
}

// ---------------------------------------------------------------------------
// fs helpers

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isFile();
  } catch {
    return false;
  }
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isDirectory();
  } catch {
    return false;
  }
}
