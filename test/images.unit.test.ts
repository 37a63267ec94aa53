import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tarStream from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { excludedFromBase } from '../src/sandbox/images/base.js';
import { buildContext, CONTEXT_CA_PATH } from '../src/sandbox/images/build.js';
import { baseImage, imagesConfigFromEnv, LOCAL_BASE_IMAGE } from '../src/sandbox/images/config.js';
import { mirrorsFromSources } from '../src/sandbox/images/mirrors.js';
import { imageRef, listSandboxes } from '../src/sandbox/images/recipe.js';

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
