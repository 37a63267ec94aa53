// Bench (issue 16): where the CPU of a HumanEval grade goes. Grades the 164
// canonical solutions (result cache off) through /v1/grade/batch and splits
// the CPU time spent meanwhile between the service's own Node process, the
// sandbox containers (their cgroups: agent, judge, candidate), the Docker
// daemons (dockerd, containerd, shims) and the rest of the machine. Per grade
// figures are what a 2-core machine's throughput is bounded by.
//
//   npx tsx bench/grade-cpu.ts [--rounds 2] [--data HumanEval.jsonl.gz]
// Writes bench/results/grade-cpu-<stamp>.json.
import Docker from 'dockerode';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createApp } from '../src/app.js';
import { humaneval } from '../src/benchmarks/humaneval/benchmark.js';
import { loadConfig } from '../src/config.js';
import { INSTANCE_LABEL } from '../src/sandbox/container-spec.js';
import { loadavg, writeResult } from './lib.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '2' }, data: { type: 'string' } } });
const rounds = Number(values.rounds);
const file = values.data ?? path.resolve(import.meta.dirname, '..', '..', 'shared', 'benchmarks', 'humaneval', 'HumanEval.jsonl.gz');
const TICK = 100; // USER_HZ: /proc/<pid>/stat and /proc/stat count in 1/100 s

const { problems } = await humaneval.read(file, {});
const instance = 'bench-cpu';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-bench-cpu-'));
const config = loadConfig(process.env, { dataDir, port: 0, cacheEntries: 0, instance });
const app = await createApp(config, { log: pino({ level: 'warn' }) });
app.store.importVersion({ name: 'humaneval', version: 'bench', source: file, sha256: '-' }, problems);
const address = await app.server.listen({ host: '127.0.0.1', port: 0 });
const docker = new Docker();

/** CPU ms of every process whose command name matches, from /proc. */
function procCpuMs(match: (comm: string) => boolean): number {
  let ms = 0;
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (!match(comm)) continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ms += ((Number(f[11]) + Number(f[12])) * 1000) / TICK; // utime + stime
    } catch {
      /* gone */
    }
  }
  return ms;
}

/** CPU ms of this instance's containers (cgroup v1 cpuacct; v2 cpu.stat), living ones only. */
async function containersCpuMs(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const c of await docker.listContainers({ filters: { label: [`${INSTANCE_LABEL}=${instance}`] } })) {
    for (const p of [`/sys/fs/cgroup/cpu,cpuacct/docker/${c.Id}/cpuacct.usage`, `/sys/fs/cgroup/cpuacct/docker/${c.Id}/cpuacct.usage`]) {
      if (fs.existsSync(p)) {
        out.set(c.Id, Number(fs.readFileSync(p, 'utf8')) / 1e6);
        break;
      }
    }
    const v2 = `/sys/fs/cgroup/system.slice/docker-${c.Id}.scope/cpu.stat`;
    if (!out.has(c.Id) && fs.existsSync(v2)) out.set(c.Id, Number(/usage_usec (\d+)/.exec(fs.readFileSync(v2, 'utf8'))![1]) / 1000);
  }
  return out;
}

function machineCpuMs(): number {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  return ((f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!) * 1000) / TICK; // user nice system irq softirq steal
}

const daemons = (c: string) => c === 'dockerd' || c === 'containerd' || c.startsWith('containerd-shim');
const items = problems.map((p) => ({ problem_id: p.id, completion: (p.hidden as { canonical_solution: string }).canonical_solution }));
// warm up: containers started, harness compiled once
await fetch(`${address}/v1/grade/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ benchmark: 'humaneval', format: 'json', items: items.slice(0, 8) }) });

const load = [loadavg()];
const runs = [];
for (let r = 0; r < rounds; r++) {
  // containers are replaced now and then (max uses): count every one seen, alive at either end
  const c0 = await containersCpuMs();
  const n0 = process.cpuUsage();
  const d0 = procCpuMs(daemons);
  const m0 = machineCpuMs();
  const t0 = performance.now();
  const res = await fetch(`${address}/v1/grade/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ benchmark: 'humaneval', format: 'json', items }) });
  const body = (await res.json()) as { results: Array<{ status: string }> };
  const wall = performance.now() - t0;
  const c1 = await containersCpuMs();
  const n1 = process.cpuUsage(n0);
  const d1 = procCpuMs(daemons);
  const m1 = machineCpuMs();
  let containers = 0;
  for (const [id, v] of c1) containers += v - (c0.get(id) ?? 0);
  const node = (n1.user + n1.system) / 1000;
  const machine = m1 - m0;
  const n = items.length;
  const per = (x: number) => +(x / n).toFixed(1);
  runs.push({
    passed: body.results.filter((x) => x.status === 'pass').length,
    grades_per_s: +((n * 1000) / wall).toFixed(2),
    cpu_ms_per_grade: { machine: per(machine), service_node: per(node), containers: per(containers), docker_daemons: per(d1 - d0), rest: per(machine - node - containers - (d1 - d0)) },
  });
  console.log(JSON.stringify(runs.at(-1)));
}
load.push(loadavg());
await app.close();
writeResult('grade-cpu', { date: new Date().toISOString(), cpus: os.availableParallelism(), concurrency: config.concurrency, loadavg: load, runs });
