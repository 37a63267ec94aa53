// The debootstrapped Debian rootfs the local base image is made from, cached on disk and shared between processes.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LOCAL_BASE_IMAGE, resolveConfig, type ImagesConfig, type ImagesConfigInput } from './config.js';
import { ImageBuildError, Tail } from './docker.js';
import { exists, isDir, isFile } from './fs.js';
import { resolveMirrors } from './mirrors.js';

/** The Debian release of the rootfs and so of the local base image. */
export const SUITE = 'bookworm';

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
