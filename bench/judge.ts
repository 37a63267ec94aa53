// Bench: one C++ problem with 50 tests graded by the service (HTTP → grader →
// judge core: compile once, 50 runs in one warm container, comparison in the
// service) versus the bare minimum on the host (one g++ with the same flags,
// then 50 runs of the binary as plain subprocesses, compared in-process), in
// one run, alternating, several rounds. Writes bench/results/judge-<stamp>.json.
//
//   npx tsx bench/judge.ts [--rounds 5] [--tests 50]
//
// Two sources: one with <cstdio>/<vector> only (the like-for-like figure), and
// one with <bits/stdc++.h>, for which the judge image has a precompiled header
// and the host has none (reported separately, not the headline).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createApp } from '../src/app.js';
import { codeforces } from '../src/benchmarks/codeforces/benchmark.js';
import { loadConfig } from '../src/config.js';
import { compareOutput } from '../src/judge/compare.js';
import { judgeProfile } from '../src/grading/executor.js';
import { baseImage, imagesConfigFromEnv } from '../src/sandbox/images/config.js';
import { imageRef } from '../src/sandbox/images/recipe.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, tests: { type: 'string', default: '50' } } });
const rounds = Number(values.rounds);
const nTests = Number(values.tests);

// sum of n numbers (n up to 20000 per test): a few ms per run, like most CF tests
function makeTests(): Array<{ input: string; output: string }> {
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
  return Array.from({ length: nTests }, (_v, i) => {
    const n = 1000 + ((i * 397) % 19000);
    const xs = Array.from({ length: n }, () => (rnd() % 2000001) - 1000000);
    return { input: `${n}\n${xs.join(' ')}\n`, output: `${xs.reduce((a, b) => a + b, 0)}\n` };
  });
}

const SOURCES = {
  cstdio: `#include <cstdio>
#include <vector>
int main() { int n; if (scanf("%d", &n) != 1) return 1; std::vector<long long> a(n); long long s = 0;
  for (auto &x : a) { scanf("%lld", &x); s += x; } printf("%lld\\n", s); }
`,
  'bits-stdc++': `#include <bits/stdc++.h>
using namespace std;
int main() { ios::sync_with_stdio(false); cin.tie(nullptr); int n; cin >> n; vector<long long> a(n); long long s = 0;
  for (auto &x : a) { cin >> x; s += x; } cout << s << "\\n"; }
`,
};

const tests = makeTests();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-bench-'));
const rowFile = path.join(dataDir, 'problem.jsonl');
fs.writeFileSync(rowFile, JSON.stringify({ id: 'bench/A', contest_id: 1, description: 'sum', time_limit: 2, memory_limit: 256, input_mode: 'stdio', official_tests: tests, generated_checker: null, executable: true }) + '\n');
const { problems } = await codeforces.read(rowFile, {});
const config = loadConfig(process.env, { dataDir, port: 0, concurrency: 1, warm: 1, instance: 'bench-judge' });
const app = await createApp(config, { log: pino({ level: 'warn' }) });
app.store.importVersion({ name: 'codeforces', version: 'bench', source: rowFile, sha256: '-' }, problems);
const address = await app.server.listen({ host: '127.0.0.1', port: 0 });

async function viaService(code: string): Promise<{ ms: number; pass: boolean; sandboxMs: number }> {
  const t = performance.now();
  const res = await fetch(`${address}/v1/grade`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ benchmark: 'codeforces', problem_id: 'bench/A', completion: '```cpp\n' + code + '```\n', options: { run_all: true, cache: false } }),
  });
  const v = (await res.json()) as { status: string; tests: unknown[]; timings: { sandbox_ms: number } };
  if (v.tests.length !== nTests) throw new Error(`service ran ${v.tests.length} tests`);
  return { ms: performance.now() - t, pass: v.status === 'pass', sandboxMs: v.timings.sandbox_ms };
}

function runBare(bin: string, input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, [], { stdio: ['pipe', 'pipe', 'ignore'] });
    const out: Buffer[] = [];
    p.stdout.on('data', (c: Buffer) => out.push(c));
    p.on('error', reject);
    p.on('close', () => resolve(Buffer.concat(out).toString('utf8')));
    p.stdin.end(input);
  });
}

async function bare(code: string): Promise<{ ms: number; pass: boolean; compileMs: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-bare-'));
  const t = performance.now();
  fs.writeFileSync(path.join(dir, 'main.cpp'), code);
  execFileSync('g++', ['-DONLINE_JUDGE', '-O2', '-std=c++17', '-pipe', '-s', '-o', 'main', 'main.cpp'], { cwd: dir });
  const compileMs = performance.now() - t;
  let pass = true;
  for (const tc of tests) {
    const out = await runBare(path.join(dir, 'main'), tc.input);
    if (!compareOutput({ kind: 'openr1' }, tc.output, out).ok) pass = false;
  }
  const ms = performance.now() - t;
  fs.rmSync(dir, { recursive: true, force: true });
  return { ms, pass, compileMs };
}

// The same compile + 50 runs as one shell script in a warm judge container:
// what the sandbox itself costs on this machine, without the per-test protocol.
async function bareInSandbox(code: string): Promise<{ ms: number; pass: boolean }> {
  const image = await imageRef(path.join(import.meta.dirname, '..', 'sandboxes'), 'judge', baseImage(imagesConfigFromEnv()));
  const t = performance.now();
  const r = await app.engine.session(judgeProfile(image, 256), async (s) => {
    await s.put([{ path: 'main.cpp', content: code }, ...tests.map((tc, i) => ({ path: `t/${i}.in`, content: tc.input }))]);
    return s.exec({
      argv: ['sh', '-c', `g++ -DONLINE_JUDGE -O2 -std=c++17 -pipe -s -o main main.cpp && for i in $(seq 0 ${nTests - 1}); do ./main < t/$i.in > t/$i.out; done && cat t/*.out | wc -l`],
      limits: { wallMs: 600_000 },
    });
  });
  return { ms: performance.now() - t, pass: r.exitCode === 0 && r.stdout.toString().trim() === String(nTests) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results: Record<string, unknown> = {};
try {
  await viaService(SOURCES.cstdio); // warm container and image
  for (const [name, code] of Object.entries(SOURCES)) {
    const svc: number[] = [];
    const sbx: number[] = [];
    const raw: number[] = [];
    const comp: number[] = [];
    const inSbx: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const s = await viaService(code);
      const b = await bare(code);
      const c = await bareInSandbox(code);
      if (!c.pass) throw new Error(`${name}: bare-in-sandbox failed`);
      inSbx.push(c.ms);
      if (!s.pass || !b.pass) throw new Error(`${name}: service pass=${s.pass}, bare pass=${b.pass}`);
      svc.push(s.ms);
      sbx.push(s.sandboxMs);
      raw.push(b.ms);
      comp.push(b.compileMs);
    }
    results[name] = {
      service_ms: svc.map(Math.round),
      service_sandbox_ms: sbx.map(Math.round),
      bare_ms: raw.map(Math.round),
      bare_compile_ms: comp.map(Math.round),
      median_service_ms: Math.round(median(svc)),
      median_bare_ms: Math.round(median(raw)),
      bare_in_sandbox_ms: inSbx.map(Math.round),
      median_bare_in_sandbox_ms: Math.round(median(inSbx)),
      ratio: Math.round((median(svc) / median(raw)) * 100) / 100,
      ratio_vs_bare_in_sandbox: Math.round((median(svc) / median(inSbx)) * 100) / 100,
    };
    console.log(name, JSON.stringify(results[name]));
  }
} finally {
  await app.close();
}

const out = {
  bench: 'judge',
  when: new Date().toISOString(),
  machine: { cpus: os.cpus().length, load: os.loadavg().map((l) => Math.round(l * 100) / 100), gxx: execFileSync('g++', ['-dumpfullversion']).toString().trim() },
  tests: nTests,
  rounds,
  note: 'bare_in_sandbox = the same compile and 50 runs as one shell loop in a warm judge container (no per-test protocol). service = POST /v1/grade (run_all, 50 tests, one warm container, compile in it); bare = host g++ with the same flags + 50 subprocess runs compared in-process. cstdio is like-for-like; bits-stdc++ gets the judge image\'s precompiled header, the host has none.',
  results,
};
fs.mkdirSync(path.join(import.meta.dirname, 'results'), { recursive: true });
const file = path.join(import.meta.dirname, 'results', `judge-${out.when.replace(/[:.]/g, '-')}.json`);
fs.writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
console.log(`wrote ${file}`);
