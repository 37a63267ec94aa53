import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtures } from './fixtures/humaneval.js';
import { testApp } from './helpers/app.js';
import { dockerAvailable, ensurePythonImage } from './helpers/docker.js';
import { ti } from './helpers/instance.js';

// The Python client as users get it: `pip install ./clients/python` into a
// fresh venv, then its own unittest suite (clients/python/tests, copied away
// from the source so only the installed package can be imported) against a
// live service on a real port. The suite calls the TRL reward function and
// verl's compute_score exactly as those trainers do (pickled, keyword lists,
// conversational completions, the batch reward manager's signature).

const hasDocker = await dockerAvailable();
const CLIENT = path.resolve(import.meta.dirname, '..', 'clients', 'python');

function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.on('close', (code) => resolve({ code, out }));
  });
}

describe.skipIf(!hasDocker)('Python client (installed with pip) against a live service', () => {
  let app: Awaited<ReturnType<typeof testApp>>;
  let url: string;
  let tmp: string;
  let python: string;
  beforeAll(async () => {
    await ensurePythonImage();
    const fx = writeFixtures();
    app = await testApp([{ benchmark: 'humaneval', file: fx.humaneval }], { instance: ti('test-pyclient'), cacheEntries: 1000 });
    url = await app.server.listen({ host: '127.0.0.1', port: 0 });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-pyclient-'));
    const venv = path.join(tmp, 'venv');
    const made = await run('python3', ['-m', 'venv', venv], { cwd: tmp });
    expect(made.code, made.out).toBe(0);
    python = path.join(venv, 'bin', 'python');
    const env = { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PYTHONDONTWRITEBYTECODE: '1' };
    // Offline first: the venv's own setuptools builds it when it can (setuptools >= 70.1, or with wheel);
    // otherwise the ordinary install, whose build isolation fetches setuptools from the configured index.
    // (from a copy: an in-tree build would leave build/ and *.egg-info in the checkout)
    const src = path.join(tmp, 'src');
    fs.cpSync(CLIENT, src, { recursive: true, filter: (f) => !/(^|\/)(build|[^/]*\.egg-info|__pycache__)$/.test(f) });
    let inst = await run(python, ['-m', 'pip', 'install', '--no-build-isolation', '--no-index', src], { cwd: tmp, env });
    if (inst.code !== 0) inst = await run(python, ['-m', 'pip', 'install', src], { cwd: tmp, env });
    expect(inst.code, inst.out).toBe(0);
    fs.cpSync(path.join(CLIENT, 'tests'), path.join(tmp, 'suite', 'tests'), { recursive: true });
  }, 900_000);
  afterAll(async () => {
    await app?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('imports the installed package, not the source tree', async () => {
    const r = await run(python, ['-c', 'import verdict_client; print(verdict_client.__file__)'], { cwd: tmp, env: { ...process.env, PYTHONPATH: '' } });
    expect(r.code, r.out).toBe(0);
    expect(r.out.trim()).toContain(path.join(tmp, 'venv'));
    expect(r.out).toContain('site-packages');
  });

  it('installs from a git URL too (pip install git+…#subdirectory=clients/python)', async (ctx) => {
    const root = await run('git', ['rev-parse', '--show-toplevel'], { cwd: CLIENT });
    const head = await run('git', ['rev-parse', 'HEAD'], { cwd: CLIENT });
    // a checkout without git history (a tarball) has no URL to install from
    if (root.code !== 0 || head.code !== 0) return ctx.skip();
    const venv = path.join(tmp, 'venv-git');
    expect((await run('python3', ['-m', 'venv', venv], { cwd: tmp })).code).toBe(0);
    const py = path.join(venv, 'bin', 'python');
    const urlOf = `git+file://${root.out.trim()}@${head.out.trim()}#subdirectory=clients/python`;
    const inst = await run(py, ['-m', 'pip', 'install', urlOf], { cwd: tmp, env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1' } });
    expect(inst.code, inst.out).toBe(0);
    const r = await run(py, ['-c', 'import pickle, verdict_client as v; print(pickle.loads(pickle.dumps(v.trl_reward_func("http://x"))).__name__)'], { cwd: tmp });
    expect(r.out.trim(), r.out).toBe('verdict_reward');
  }, 600_000);

  it('passes its unittest suite', async () => {
    const suite = path.join(tmp, 'suite');
    const { code, out } = await run(python, ['-m', 'unittest', 'discover', '-v', '-s', path.join(suite, 'tests'), '-t', suite], {
      cwd: suite,
      env: { ...process.env, VERDICT_URL: url, PYTHONDONTWRITEBYTECODE: '1', PYTHONPATH: '' },
    });
    expect(code, out).toBe(0);
    // every test ran (none skipped for want of a service)
    expect(out).toMatch(/Ran 11 tests/);
    expect(out).not.toContain('skipped');
  }, 300_000);
});
