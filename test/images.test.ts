import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { ensureImages } from '../src/sandbox/images/build.js';
import { ImageBuildError } from '../src/sandbox/images/docker.js';
import { defaultSandboxesRoot } from '../src/sandbox/images/recipe.js';
import { imageStatus } from '../src/sandbox/images/status.js';

// ---------------------------------------------------------------------------
// Integration: needs a Docker engine (and, the first time, a few minutes).

async function dockerUnavailable(docker: Docker): Promise<string | undefined> {
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 3 s')), 3000)),
    ]);
    return undefined;
  } catch (err) {
    return `no Docker engine answers (${err instanceof Error ? err.message : String(err)})`;
  }
}

/** Runs `cmd` in `image` with the engine's usual restrictions; returns output and exit code. */
async function run(docker: Docker, image: string, cmd: string[]): Promise<{ code: number; out: string }> {
  const container = await docker.createContainer({
    Image: image,
    Cmd: cmd,
    User: '10001:10001',
    Tty: true,
    HostConfig: { NetworkMode: 'none', ReadonlyRootfs: true, Tmpfs: { '/work': 'rw,size=16m,uid=10001,gid=10001' } },
  });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const logs = await container.logs({ stdout: true, stderr: true, follow: false });
    return { code: StatusCode, out: logs.toString() };
  } finally {
    await container.remove({ force: true });
  }
}

const docker = new Docker();
const skipReason = await dockerUnavailable(docker);
if (skipReason !== undefined) console.warn(`[images.test] skipping integration tests: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('images (Docker)', () => {
  const root = defaultSandboxesRoot();

  it(
    'ensureImages builds python with python3, numpy, user 10001 and the agent',
    async () => {
      const built = await ensureImages(docker, root, ['python'], {
        log: (line) => {
          if (process.env.VERDICT_TEST_VERBOSE) console.log(line);
        },
      });
      expect(built).toHaveLength(1);
      const ref = built[0]?.ref ?? '';
      expect(ref).toMatch(/^verdict\/python:[0-9a-f]{12}$/);

      const status = await imageStatus(docker, root);
      expect(status.sandboxes.find((s) => s.name === 'python')).toEqual({ name: 'python', ref, present: true });

      const { code, out } = await run(docker, ref, [
        'sh',
        '-c',
        'id -u; id -g; python3 -c "import numpy; print(\'numpy\', numpy.__version__)"; ' +
          'test -r /opt/verdict/agent.py && echo agent-ok; command -v ipcrm; command -v ps; ' +
          'touch /work/x && echo work-ok; touch /etc/x 2>/dev/null || echo rootfs-ro',
      ]);
      expect(code).toBe(0);
      const lines = out.split(/\r?\n/).map((l) => l.trim());
      expect(lines.slice(0, 2)).toEqual(['10001', '10001']);
      expect(out).toMatch(/numpy \d+\.\d+/);
      for (const want of ['agent-ok', '/usr/bin/ipcrm', '/usr/bin/ps', 'work-ok', 'rootfs-ro']) {
        expect(lines).toContain(want);
      }

      // A second call finds the image and builds nothing.
      const again = await ensureImages(docker, root, ['python']);
      expect(again[0]).toMatchObject({ ref, built: false });
    },
    20 * 60_000,
  );

  it(
    'fails with the error and the last output lines when a build step fails',
    async () => {
      const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'verdict-images-bad-'));
      try {
        await fs.mkdir(path.join(tmp, 'agent'));
        await fs.writeFile(path.join(tmp, 'agent/verdict_agent.py'), '');
        await fs.mkdir(path.join(tmp, 'broken'));
        await fs.writeFile(
          path.join(tmp, 'broken/Dockerfile'),
          'ARG BASE\nFROM ${BASE}\nRUN echo marker-before-failure && exit 3\n',
        );
        const err: unknown = await ensureImages(docker, tmp, ['broken']).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(ImageBuildError);
        expect(String(err)).toMatch(/returned a non-zero code: 3/);
        expect(String(err)).toContain('marker-before-failure');
      } finally {
        await fs.rm(tmp, { recursive: true, force: true });
      }
    },
    10 * 60_000,
  );
});
