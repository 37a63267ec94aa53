import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCHMARKS } from '../src/benchmarks/registry.js';
import type { JobResult } from '../src/jobs/schemas.js';
import { ProblemStore } from '../src/store/store.js';
import { HUMANEVAL_MINI, writeFixtures } from './fixtures/humaneval.js';
import { testApp } from './helpers/app.js';
import { dockerAvailable, ensurePythonImage, SANDBOXES } from './helpers/docker.js';
import { ti } from './helpers/instance.js';

const hasDocker = await dockerAvailable();
const ROOT = path.resolve(__dirname, '..');
const N = 60;

function cli(args: string[], dataDir: string, onStderr?: (text: string, kill: (sig: NodeJS.Signals) => void) => void) {
  const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, VERDICT_DATA_DIR: dataDir, VERDICT_INSTANCE: ti('test-regrade-cli'), VERDICT_PREWARM: 'false', VERDICT_CONCURRENCY: '2', VERDICT_WARM: '1', VERDICT_SANDBOXES_DIR: SANDBOXES },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  p.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    onStderr?.(stderr, (sig) => p.kill(sig));
  });
  return new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => p.on('exit', (code) => resolve({ code, stderr, stdout })));
}

const readResults = (file: string) => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as JobResult);

describe.skipIf(!hasDocker)('verdict regrade / compare / report', () => {
  let dataDir: string;
  let input: string;
  const expected = Array.from({ length: N }, (_, i) => (i % 4 === 3 ? 'fail' : 'pass'));

  beforeAll(async () => {
    await ensurePythonImage();
    const fx = writeFixtures();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-cli-'));
    const store = new ProblemStore(dataDir);
    const { version, problems } = await BENCHMARKS.get('humaneval')!.read(fx.humaneval, {});
    store.importVersion({ name: 'humaneval', version, source: fx.humaneval, sha256: 'test' }, problems);
    store.close();
    input = path.join(fx.dir, 'run.jsonl');
    const lines = expected.map((want, i) =>
      JSON.stringify({ task_id: `Mini/${i % 3}`, completion: want === 'pass' ? HUMANEVAL_MINI[i % 3]!.canonical_solution : '    return None\n' }),
    );
    fs.writeFileSync(input, lines.join('\n') + '\n{"task_id": ["x"], "completion": ""}\n');
  }, 900_000);

  it('resumes an interrupted regrade and writes every result beside the input', async () => {
    const out = input.replace(/\.jsonl$/, '.results.jsonl');
    // interrupt as soon as the job exists (grades in flight are recorded on the way out)
    let sent = false;
    const first = await cli(['regrade', input, '--benchmark', 'humaneval'], dataDir, (text, kill) => {
      if (!sent && /job \S+: 60 samples from 61 lines/.test(text)) {
        sent = true;
        kill('SIGINT');
      }
    });
    expect(first.stderr).toContain('line 61: field task_id');
    expect(first.code, first.stderr).toBe(130);
    expect(first.stderr).toContain('interrupted: run the same command again to resume');
    expect(fs.existsSync(`${out}.job`)).toBe(true);
    expect(fs.existsSync(out)).toBe(false);
    const second = await cli(['regrade', input, '--benchmark', 'humaneval'], dataDir);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/resuming job \S+ \(\d+\/60 done\)/);
    const rs = readResults(out);
    expect(rs.map((r) => r.line)).toEqual(Array.from({ length: N + 1 }, (_, i) => i + 1));
    expect(rs.slice(0, N).map((r) => r.status)).toEqual(expected);
    expect(rs[N]!.status).toBe('invalid');
    expect(fs.existsSync(`${out}.job`)).toBe(false);

    // compare the run with itself: no effect
    const cmp = await cli(['compare', out, out, '--domain', 'in-domain=humaneval', '--json'], dataDir);
    expect(cmp.code, cmp.stderr).toBe(0);
    const c = JSON.parse(cmp.stdout) as { benchmarks: Array<{ delta: number; p: number }>; domains: Array<{ domain: string; cmh: { p: number } }> };
    expect(c.benchmarks[0]).toMatchObject({ delta: 0, p: 1 });
    expect(c.domains[0]).toMatchObject({ domain: 'in-domain', cmh: { p: 1 } });

    const html = path.join(path.dirname(out), 'report.html');
    const rep = await cli(['report', out, out, '--label', 'base', '--label', 'rl', '-o', html], dataDir);
    expect(rep.code, rep.stderr).toBe(0);
    const page = fs.readFileSync(html, 'utf8');
    expect(page).toContain('class="chart passk"');
    expect(page).toContain('class="chart delta"');
    expect(page).toContain('class="chart reasons"');
  }, 300_000);

  describe('against a running service (--url)', () => {
    let app: Awaited<ReturnType<typeof testApp>>;
    let url: string;
    beforeAll(async () => {
      app = await testApp([{ benchmark: 'humaneval', file: writeFixtures().humaneval }], { instance: ti('test-regrade-url') });
      url = await app.server.listen({ host: '127.0.0.1', port: 0 });
    });
    afterAll(async () => {
      await app?.close();
    });

    it('uploads the file and writes the results to --out', async () => {
      const out = path.join(path.dirname(input), 'remote.jsonl');
      const r = await cli(['regrade', input, '--benchmark', 'humaneval', '--url', url, '--out', out], dataDir);
      expect(r.code, r.stderr).toBe(0);
      const rs = readResults(out);
      expect(rs).toHaveLength(N + 1);
      expect(rs.slice(0, N).map((x) => x.status)).toEqual(expected);
    }, 300_000);
  });
});
