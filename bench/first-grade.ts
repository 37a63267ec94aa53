// Time to first grade on a fresh machine: `npm run up` in a fresh clone, with
// an empty npm cache, an empty image cache and a Docker engine of its own with
// no images, until HumanEval/0's canonical solution passes over HTTP.
//
//   npx tsx bench/first-grade.ts        (root; writes bench/results/first-grade-*.json)
//
// Not measured here: installing docker.io itself (this machine has it; the
// apt history of a fresh machine says how long it took, reported beside).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SecondDockerd } from '../test/helpers/dockerd.js';

const repo = path.resolve(new URL('..', import.meta.url).pathname);
const shared = path.resolve(repo, '..', 'shared', 'benchmarks');
const port = 18000 + (process.pid % 1000);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-first-grade-'));
const clone = path.join(work, 'verdict');
const CANONICAL = '    for idx, elem in enumerate(numbers):\n        for idx2, elem2 in enumerate(numbers):\n            if idx != idx2:\n                distance = abs(elem - elem2)\n                if distance < threshold:\n                    return True\n\n    return False\n';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(shared, 'humaneval'))) throw new Error(`no HumanEval at ${shared}`);
  const engine = new SecondDockerd('fg', 231);
  await engine.start();
  execFileSync('git', ['clone', '-q', repo, clone]);
  const commit = execFileSync('git', ['-C', clone, 'rev-parse', '--short', 'HEAD']).toString().trim();
  const env = {
    ...process.env,
    DOCKER_HOST: engine.endpoint,
    VERDICT_CACHE_DIR: path.join(work, 'cache'),
    npm_config_cache: path.join(work, 'npm-cache'),
    VERDICT_BUILD_NETWORK: 'host', // the bench engine's bridge has no NAT
    VERDICT_DATA_DIR: path.join(work, 'data'),
    VERDICT_PORT: String(port),
    VERDICT_INSTANCE: 'first-grade',
    VERDICT_BENCHMARKS_DIR: shared,
    VERDICT_LOG_LEVEL: 'warn',
  };
  const load0 = os.loadavg()[0];
  const t0 = Date.now();
  const phases: Array<{ at_s: number; line: string }> = [];
  const up = spawn('bash', ['scripts/up.sh'], { cwd: clone, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const log = fs.createWriteStream(path.join(work, 'up.log'));
  for (const s of [up.stdout, up.stderr]) {
    s.pipe(log, { end: false });
    s.on('data', (b: Buffer) => {
      for (const line of b.toString().split('\n')) {
        if (/^\[(prepare|ensure-docker|up)\]|^imported |^python\t/.test(line)) phases.push({ at_s: (Date.now() - t0) / 1000, line: line.slice(0, 200) });
      }
    });
  }
  let firstGrade: number | undefined;
  let listening: number | undefined;
  let verdict: unknown;
  const limit = t0 + 30 * 60_000;
  while (Date.now() < limit && up.exitCode === null) {
    await sleep(1000);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/v1/grade`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ benchmark: 'humaneval', problem_id: 'HumanEval/0', completion: CANONICAL }),
      });
      listening ??= (Date.now() - t0) / 1000;
      verdict = await r.json();
      if ((verdict as { status?: string }).status === 'pass') {
        firstGrade = (Date.now() - t0) / 1000;
        break;
      }
    } catch {
      /* not listening yet */
    }
  }
  const health = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.json(), () => undefined);
  try {
    process.kill(-up.pid!, 'SIGTERM');
  } catch {
    /* gone */
  }
  await sleep(3000);
  await engine.destroy().catch(() => undefined);
  const result = {
    bench: 'first-grade',
    commit,
    date: new Date().toISOString(),
    machine: { cores: os.availableParallelism(), load_at_start: load0, load_at_end: os.loadavg()[0] },
    seconds_to_listening: listening,
    seconds_to_first_pass: firstGrade,
    first_verdict: verdict,
    phases,
    health_at_first_grade: health,
    not_included: 'apt-get install docker.io (not repeated here: see the apt history of a fresh machine)',
  };
  const out = path.join(repo, 'bench', 'results', `first-grade-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(`first pass after ${firstGrade ?? 'never'} s (listening after ${listening} s); ${out}`);
  fs.rmSync(work, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
