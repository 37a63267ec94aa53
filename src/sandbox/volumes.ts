/**
 * Fills named Docker volumes with caches built from trusted files (e.g. a
 * compiler cache of a benchmark's test framework). Grade containers mount them
 * read-only (ContainerProfile.volumes), so code under test can read a cache but
 * never poison it for later grades. Knows nothing about benchmarks.
 */
import type Docker from 'dockerode';
import tar from 'tar-stream';
import { withTimeout } from '../timeout.js';
import { SANDBOX_UID } from './container-spec.js';
import { ensureImages } from './images/build.js';
import type { FileEntry, VolumeFill } from './types.js';

export interface FillResult {
  volume: string;
  exitCode: number;
  seconds: number;
  /** the end of the run's output */
  log: string;
}

async function pack(files: FileEntry[]): Promise<Buffer> {
  const p = tar.pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    p.on('end', resolve);
    p.on('error', reject);
  });
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!dirs.has(d)) {
        dirs.add(d);
        p.entry({ name: d, type: 'directory', mode: 0o755, uid: SANDBOX_UID, gid: SANDBOX_UID });
      }
    }
    p.entry({ name: f.path, mode: f.mode ?? 0o644, uid: SANDBOX_UID, gid: SANDBOX_UID }, f.content);
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** Runs one fill to completion (the container is removed either way). */
export async function fillVolume(docker: Docker, imageRef: string, fill: VolumeFill, timeoutMs = 30 * 60_000): Promise<FillResult> {
  const started = Date.now();
  const container = await docker.createContainer({
    Image: imageRef,
    Cmd: fill.argv,
    User: `${SANDBOX_UID}:${SANDBOX_UID}`,
    WorkingDir: '/work',
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/tmp', 'LANG=C.UTF-8', ...Object.entries(fill.env ?? {}).map(([k, v]) => `${k}=${v}`)],
    NetworkDisabled: true,
    Labels: { 'verdict.volume-fill': fill.volume },
    HostConfig: {
      NetworkMode: 'none',
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Mounts: [{ Type: 'volume', Source: fill.volume, Target: fill.target, ReadOnly: false }],
      Tmpfs: { '/tmp': `rw,exec,nosuid,nodev,size=${512 << 20},uid=${SANDBOX_UID},gid=${SANDBOX_UID},mode=0700` },
      AutoRemove: false,
    },
  });
  try {
    // into the container's own layer: /work is the image's directory, owned by the sandbox user
    await container.putArchive(await pack(fill.files), { path: '/work' });
    await container.start();
    const waited = await withTimeout<{ StatusCode: number }>(container.wait(), timeoutMs, () => new Error(`filling volume ${fill.volume} took over ${timeoutMs} ms`));
    const logs = (await container.logs({ stdout: true, stderr: true, tail: 40 })) as unknown as Buffer;
    // strip the 8-byte multiplexing headers
    const text = demux(logs);
    return { volume: fill.volume, exitCode: waited.StatusCode, seconds: (Date.now() - started) / 1000, log: text };
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

function demux(buf: Buffer): string {
  const out: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const len = buf.readUInt32BE(i + 4);
    out.push(buf.subarray(i + 8, i + 8 + len));
    i += 8 + len;
  }
  return Buffer.concat(out).toString('utf8');
}

/**
 * Builds the images the fills need (when missing) and runs the fills one after
 * another. A failed fill throws: its grades would be right but slow.
 */
export async function fillVolumes(docker: Docker, sandboxesDir: string, fills: VolumeFill[], log?: (line: string) => void): Promise<FillResult[]> {
  const results: FillResult[] = [];
  for (const fill of fills) {
    const [image] = await ensureImages(docker, sandboxesDir, [fill.image], { log });
    log?.(`filling volume ${fill.volume} in ${image!.ref}`);
    const r = await fillVolume(docker, image!.ref, fill);
    if (r.exitCode !== 0) throw new Error(`filling volume ${fill.volume} failed (exit ${r.exitCode}):\n${r.log}`);
    log?.(`filled volume ${fill.volume} in ${r.seconds.toFixed(1)} s`);
    results.push(r);
  }
  return results;
}
