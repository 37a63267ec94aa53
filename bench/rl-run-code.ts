// Bench: verl's sandbox_fusion reward against /run_code. 64 verl-style
// clients (test/helpers/trainers.ts: verl's request, 30 s client timeout =
// compile_timeout + run_timeout + 10 with timeout=10, a 504 retried twice
// 1 s then 2 s apart, Retry-After ignored, a timeout never retried) make
// 1,024 calls of a program that sleeps 1 s and echoes its stdin reversed.
// A call is lost when verl would not score it from the program's real
// result (an API error, a sandbox error, a wrong output). The service runs in
// this process with its defaults (run lane VERDICT_RUN_CODE_CONCURRENCY) and
// cold pools: the first wave starts its containers. Writes
// bench/results/rl-run-code-<stamp>.json.
//
//   npx tsx bench/rl-run-code.ts [--clients 64] [--calls 1024] [--sleep 1] [--run-concurrency N]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { pool, verlCallSandboxApi, verlCaseResult } from '../test/helpers/trainers.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '64' },
    calls: { type: 'string', default: '1024' },
    sleep: { type: 'string', default: '1' },
    timeout: { type: 'string', default: '10' },
    'run-concurrency': { type: 'string' },
  },
});
const clients = Number(values.clients);
const calls = Number(values.calls);
const sleepS = Number(values.sleep);
const timeout = Number(values.timeout);

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-bench-runcode-'));
const config = loadConfig(process.env, {
  dataDir,
  port: 0,
  instance: process.env.VERDICT_INSTANCE ?? 'bench-runcode',
  prewarm: false,
  ...(values['run-concurrency'] ? { runCodeConcurrency: Number(values['run-concurrency']) } : {}),
});
const app = await createApp(config, { log: pino({ level: 'warn' }) });
const url = await app.server.listen({ host: '127.0.0.1', port: 0 });

const code = `import sys, time\ns = sys.stdin.read()\ntime.sleep(${sleepS})\nprint(s[::-1])\n`;

function cpuTicks(): { busy: number; total: number } {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3]! + f[4]!;
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

const load0 = os.loadavg();
const cpu0 = cpuTicks();
const node0 = process.cpuUsage();
const t0 = performance.now();
const lat: number[] = [];
const outcomes = await pool(calls, clients, async (i) => {
  const stdin = `call-${i}-${'x'.repeat(i % 7)}`;
  const started = performance.now();
  const call = await verlCallSandboxApi(url, { code, stdin, timeout });
  const ms = performance.now() - started;
  lat.push(ms);
  return { i, ms, call, result: verlCaseResult(call, [...stdin].reverse().join('')) };
});
const wallS = (performance.now() - t0) / 1000;
const cpu1 = cpuTicks();
const node1 = process.cpuUsage(node0);

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
};
const lost = outcomes.filter((o) => o.result !== true);
const queueMs = outcomes.map((o) => o.call.response?.timings?.queue_ms ?? NaN).filter(Number.isFinite);
const statusCount: Record<string, number> = {};
for (const o of outcomes) for (const s of o.call.statuses) statusCount[s] = (statusCount[s] ?? 0) + 1;
const metrics = (await app.server.inject({ method: 'GET', url: '/metrics' })).body
  .split('\n')
  .filter((l) => /^verdict_(run_code_events_total|admission_wait_seconds_(count|sum)\{lane="run_code"\}|pool_containers)/.test(l));
const result = {
  bench: 'rl-run-code-verl',
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, mem_gb: Math.round(os.totalmem() / 2 ** 30) },
  setup: {
    clients,
    calls,
    program: `sleep ${sleepS} s, print stdin reversed`,
    verl_timeout: timeout,
    client_timeout_s: timeout * 2 + 10,
    client: 'verl sandbox_fusion call_sandbox_api behaviour: 3 attempts on 504 only (sleep 1 s, 2 s), Retry-After ignored, timeout not retried',
    run_code_concurrency: config.runCodeConcurrency,
    run_code_queue: config.runCodeQueue,
    runtime: config.runtime,
    pools: 'cold (no prewarm): the first wave starts its containers',
  },
  lost_rewards: lost.length,
  lost_detail: lost.slice(0, 20).map((o) => ({ i: o.i, result: o.result, error: o.call.error, statuses: o.call.statuses, ms: Math.round(o.ms) })),
  http_statuses: statusCount,
  calls_retried_after_504: outcomes.filter((o) => o.call.statuses[0] === 504).length,
  wall_s: +wallS.toFixed(2),
  calls_per_s: +(calls / wallS).toFixed(1),
  latency_ms: { p50: Math.round(pct(lat, 0.5)), p90: Math.round(pct(lat, 0.9)), p99: Math.round(pct(lat, 0.99)), max: Math.round(Math.max(...lat)) },
  queue_ms: { p50: Math.round(pct(queueMs, 0.5)), p99: Math.round(pct(queueMs, 0.99)), max: Math.round(Math.max(...queueMs)) },
  machine_cpu_busy: +((cpu1.busy - cpu0.busy) / (cpu1.total - cpu0.total)).toFixed(3),
  machine_load_avg_1m: { start: +load0[0]!.toFixed(1), end: +os.loadavg()[0]!.toFixed(1) },
  service_process_cpu_s: +((node1.user + node1.system) / 1e6).toFixed(1),
  server_metrics: metrics,
  notes:
    'lost = verl would not score the call from the program\'s real output (api error after its retries, sandbox error, wrong output). ' +
    'The machine is shared with other work while this runs; machine_cpu_busy is the whole machine.',
};
console.log(JSON.stringify(result, null, 2));
const out = path.join(import.meta.dirname, 'results', `rl-run-code-${result.date.replace(/[:.]/g, '-')}.json`);
fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
console.log('written', out);
await app.close();
fs.rmSync(dataDir, { recursive: true, force: true });
