// Bench: LiveCodeBench and USACO fixture problems graded through the service
// (grader → warm sandbox → runner → comparison) versus the same runner run
// bare on the host (`python3 runner spec.json`, no container), sequentially,
// in one run. Writes bench/results/livecodebench-usaco-<stamp>.json.
//
//   npx tsx bench/livecodebench-usaco.ts [--rounds 15]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createApp } from '../src/app.js';
import { BENCHMARKS } from '../src/benchmarks/registry.js';
import { loadConfig } from '../src/config.js';
import { ProblemStore } from '../src/store/store.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '15' } } });
const rounds = Number(values.rounds);
const root = path.resolve(import.meta.dirname, '..');
const fixtures = { livecodebench: path.join(root, 'test/fixtures/livecodebench'), usaco: path.join(root, 'test/fixtures/usaco') };

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-bench-'));
const config = loadConfig(process.env, { dataDir, port: 0, concurrency: 1, warm: 1, instance: 'bench-lcb' });
// imported before start-up: the service warms the pools of the benchmarks it serves
const store = new ProblemStore(dataDir);
for (const [name, file] of Object.entries(fixtures)) {
  const bench = BENCHMARKS.get(name)!;
  const { problems } = await bench.read(file, {});
  store.importVersion({ name, version: 'bench', source: file, sha256: '-' }, problems);
}
store.close();
const app = await createApp(config, { log: pino({ level: 'warn' }) });

const cases: Array<[string, string, string]> = [
  ['livecodebench', 'fx002_d', "t = int(input())\nfor _ in range(t):\n    print('Yes' if int(input()) % 2 == 0 else 'No')"],
  ['livecodebench', 'pair-with-sum', 'class Solution:\n    def pairSum(self, nums, k):\n        return [x for x in nums if k - x in nums][:2]'],
  ['usaco', '9001_bronze_sum_two', 'a, b = map(int, input().split())\nprint(a + b)'],
];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results = [];
for (const [benchmark, id, code] of cases) {
  const service: number[] = [];
  const bare: number[] = [];
  let status = '';
  const bench = BENCHMARKS.get(benchmark)!;
  const problem = app.store.problem(benchmark, 'bench', id)!;
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    const r = await app.server.inject({
      method: 'POST',
      url: '/v1/grade',
      payload: { benchmark, problem_id: id, completion: '```python\n' + code + '\n```', options: { version: 'bench', cache: false } },
    });
    service.push(performance.now() - t);
    status = (r.json() as { status: string }).status;
    // the same runner and spec, bare
    if (bench.kind !== 'plan') throw new Error(`${benchmark} is not graded by a run plan`);
    const plan = bench.plan(problem, { code }, bench.options.parse({}), undefined);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-bare-'));
    for (const f of plan.files) {
      fs.mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
      fs.writeFileSync(path.join(dir, f.path), f.content);
    }
    const spec = path.join(dir, 'spec.json');
    // inputs were planned at /work/...: point them here
    fs.writeFileSync(spec, fs.readFileSync(spec, 'utf8').replaceAll('/work/', dir + '/'));
    const t2 = performance.now();
    execFileSync('python3', ['-I', ...plan.steps[0]!.argv.slice(2)], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    bare.push(performance.now() - t2);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const row = { benchmark, id, status, service_ms_median: median(service), bare_ms_median: median(bare), ratio: median(service) / median(bare) };
  console.log(JSON.stringify(row));
  results.push(row);
}
await app.close();
const out = path.join(root, 'bench', 'results', `livecodebench-usaco-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
fs.writeFileSync(out, JSON.stringify({ rounds, host_cpus: os.cpus().length, note: 'sequential; bare = same runner and spec as a host subprocess', results }, null, 2));
console.log(`wrote ${out}`);
