// The local base image `verdict/base:bookworm`: the cached rootfs, slimmed and given apt sources, `docker import`ed (no registry needed).
import path from 'node:path';
import type Docker from 'dockerode';
import * as tarFs from 'tar-fs';
import type * as tarStream from 'tar-stream';
import { baseImage, LOCAL_BASE_IMAGE, LOCAL_BASE_REPO, LOCAL_BASE_TAG, resolveConfig, usesLocalBase, type ImagesConfig } from './config.js';
import { asNodeStream, followProgress, ImageBuildError, imageExists, withSource, type FullPackOptions } from './docker.js';
import { resolveMirrors, type DebianMirrors } from './mirrors.js';
import { ensureRootfs, SUITE, type RootfsOptions } from './rootfs.js';

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
export async function ensureBase(docker: Docker, config: ImagesConfig, opts: BaseImageOptions): Promise<string> {
  const base = baseImage(config);
  if (usesLocalBase(config)) await ensureBaseImage(docker, { ...opts, config });
  // A registry base is pulled by the builder's FROM when missing.
  return base;
}
