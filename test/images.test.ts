import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import * as tarStream from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  baseImage,
  buildContext,
  CONTEXT_CA_PATH,
  defaultSandboxesRoot,
  ensureImages,
  excludedFromBase,
  ImageBuildError,
  imageRef,
  imagesConfigFromEnv,
  imageStatus,
  listSandboxes,
  LOCAL_BASE_IMAGE,
  mirrorsFromSources,
} from '../src/sandbox/images.js';

const BASE = 'debian:bookworm-slim';

/** A throwaway sandboxes tree: agent/, two images, one folder without a Dockerfile. */
async function fakeTree(): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'verdict-images-'));
  const files: Record<string, string> = {
    'agent/verdict_agent.py': 'print("agent")\n',
    'python/Dockerfile': 'ARG BASE=debian:bookworm-slim\nFROM ${BASE}\nCOPY agent/verdict_agent.py /opt/verdict/agent.py\n',
    'python/extra/requirements.txt': 'numpy\n',
    'node/Dockerfile': 'ARG BASE\nFROM ${BASE}\n',
    'notes/README.md': 'not an image\n',
  };
  for (const [rel, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fs.writeFile(path.join(root, rel), content);
  }
  return root;
}

async function tarNames(pack: NodeJS.ReadableStream | tarStream.Pack): Promise<Map<string, Buffer>> {
  const extract = tarStream.extract();
  const out = new Map<string, Buffer>();
  const done = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c);
      out.set(entry.header.name, Buffer.concat(chunks));
    }
  })();
  pack.pipe(extract);
  await done;
  return out;
}

describe('listSandboxes / imageRef', () => {
  let root: string;
  beforeAll(async () => {
    root = await fakeTree();
  });
  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('lists folders with a Dockerfile and ignores agent/', async () => {
    expect(await listSandboxes(root)).toEqual(['node', 'python']);
  });

  it('is deterministic and shaped verdict/<name>:<12 hex>', async () => {
    const a = await imageRef(root, 'python', BASE);
    expect(a).toMatch(/^verdict\/python:[0-9a-f]{12}$/);
    expect(await imageRef(root, 'python', BASE)).toBe(a);
  });

  it('changes with the recipe, the agent and the base, not with other sandboxes', async () => {
    const before = await imageRef(root, 'python', BASE);
    const seen = new Set([before]);
    const expectNew = async (): Promise<void> => {
      const ref = await imageRef(root, 'python', BASE);
      expect(seen.has(ref)).toBe(false);
      seen.add(ref);
    };

    await fs.appendFile(path.join(root, 'python/Dockerfile'), 'RUN true\n');
    await expectNew();
    await fs.appendFile(path.join(root, 'python/extra/requirements.txt'), 'scipy\n');
    await expectNew();
    await fs.writeFile(path.join(root, 'python/new-file'), '');
    await expectNew();
    await fs.rename(path.join(root, 'python/new-file'), path.join(root, 'python/renamed-file'));
    await expectNew();
    await fs.appendFile(path.join(root, 'agent/verdict_agent.py'), '# v2\n');
    await expectNew();
    expect(seen.has(await imageRef(root, 'python', 'verdict/base:bookworm'))).toBe(false);

    const now = await imageRef(root, 'python', BASE);
    await fs.appendFile(path.join(root, 'node/Dockerfile'), 'RUN true\n');
    await fs.mkdir(path.join(root, 'python/__pycache__'));
    await fs.writeFile(path.join(root, 'python/__pycache__/x.pyc'), 'junk');
    expect(await imageRef(root, 'python', BASE)).toBe(now);
  });

  it('rejects unknown, invalid and agent names', async () => {
    await expect(imageRef(root, 'nope', BASE)).rejects.toThrow(/no sandbox "nope"/);
    await expect(imageRef(root, 'agent', BASE)).rejects.toThrow(/not an image/);
    await expect(imageRef(root, '../python', BASE)).rejects.toThrow(/invalid sandbox name/);
  });

  it('builds a context of agent/, <name>/ and the CA bundle only', async () => {
    const ca = path.join(root, 'ca.crt');
    await fs.writeFile(ca, '-----BEGIN CERTIFICATE-----\n');
    const names = await tarNames(await buildContext(root, 'python', ca));
    expect(names.has('agent/verdict_agent.py')).toBe(true);
    expect(names.has('python/Dockerfile')).toBe(true);
    expect(names.has('python/extra/requirements.txt')).toBe(true);
    expect(names.get(CONTEXT_CA_PATH)?.toString()).toBe('-----BEGIN CERTIFICATE-----\n');
    expect([...names.keys()].some((n) => n.startsWith('node') || n.startsWith('notes'))).toBe(false);
    expect([...names.keys()].some((n) => n.includes('__pycache__'))).toBe(false);
  });
});

describe('configuration', () => {
  it('uses a configured registry base as is, else the local base', () => {
    expect(baseImage(imagesConfigFromEnv({ VERDICT_BASE_IMAGE: 'debian:bookworm-slim' }))).toBe(
      'debian:bookworm-slim',
    );
    expect(baseImage(imagesConfigFromEnv({}))).toBe(LOCAL_BASE_IMAGE);
    expect(baseImage(imagesConfigFromEnv({ VERDICT_BASE_IMAGE: '' }))).toBe(LOCAL_BASE_IMAGE);
    expect(() => imagesConfigFromEnv({ VERDICT_BASE_IMAGE: 'not an image' })).toThrow(/VERDICT_BASE_IMAGE/);
    expect(() => imagesConfigFromEnv({ VERDICT_DEBIAN_MIRROR: 'ftp:/x' })).toThrow(/VERDICT_DEBIAN_MIRROR/);
  });

  it('reads mirrors from deb822 sources', () => {
    const text = [
      'Types: deb',
      '# http://snapshot.debian.org/archive/debian/20250520T000000Z',
      'URIs: http://mirror.example/debian',
      'Suites: bookworm bookworm-updates',
      '',
      'Types: deb',
      'URIs: http://mirror.example/debian-security',
      'Suites: bookworm-security',
    ].join('\n');
    expect(mirrorsFromSources(text)).toEqual({
      mirror: 'http://mirror.example/debian',
      security: 'http://mirror.example/debian-security',
    });
    expect(mirrorsFromSources(undefined)).toEqual({
      mirror: 'http://deb.debian.org/debian',
      security: 'http://deb.debian.org/debian-security',
    });
  });

  it('leaves host and cache files out of the base image', () => {
    for (const p of ['dev/null', 'etc/hostname', 'var/cache/apt/archives/bash.deb', 'usr/share/man/man1/ls.1.gz'])
      expect(excludedFromBase(p)).toBe(true);
    for (const p of ['dev', 'tmp', 'usr/bin/apt-get', 'usr/share/doc/bash/copyright', 'var/lib/apt/lists/partial'])
      expect(excludedFromBase(p)).toBe(false);
  });
});

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
