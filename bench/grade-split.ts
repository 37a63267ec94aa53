// Bench (issue 16): where a HumanEval grade's CPU goes inside its container,
// per process, for two images side by side in one run (e.g. before and after
// a change to the agent or the harness). One warm container per image; the
// 164 canonical solutions are graded one after another (put, the harness
// step, reset, as the pool does) and the CPU of each process is read from
// the host's /proc: the agent's own (PID 1), its reaped children (the
// judges; and, without a fork server, their candidates), the fork server's
// own and its reaped children (the candidates it forked).
//
//   npx tsx bench/grade-split.ts --before verdict/python:<tag> --after verdict/python:<tag> [--data HumanEval.jsonl.gz]
// Writes bench/results/grade-split-<stamp>.json. The harness is this
// checkout's for both; an image whose agent has no fork server spawns.
import Docker from 'dockerode';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { harnessPlan } from '../src/benchmarks/python-harness/harness.js';
import { readMaybeGzip } from '../src/benchmarks/files.js';
import { SandboxContainer } from '../src/sandbox/container.js';
import { loadavg, writeResult } from './lib.js';

const { values } = parseArgs({ options: { before: { type: 'string' }, after: { type: 'string' }, data: { type: 'string' } } });
if (!values.before || !values.after) throw new Error('--before IMAGE and --after IMAGE are required');
const file = values.data ?? path.resolve(import.meta.dirname, '..', '..', 'shared', 'benchmarks', 'humaneval', 'HumanEval.jsonl.gz');
interface Row { prompt: string; canonical_solution: string; test: string; entry_point: string }
const problems = (await readMaybeGzip(file)).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);
const TICK_MS = 10; // USER_HZ 100

const docker = new Docker();
const log = pino({ level: 'silent' });
const profile = (image: string) => ({ image, runtime: 'runc' as const, memoryBytes: 512 << 20, cpus: 1, pidsLimit: 64, workBytes: 64 << 20, tmpBytes: 64 << 20 });

/** own and reaped-children CPU of a host pid, in ms */
function cpu(pid: number): { self: number; children: number } {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ').map(Number);
  return { self: (f[11]! + f[12]!) * TICK_MS, children: (f[13]! + f[14]!) * TICK_MS };
}
function forkServer(agentPid: number): number | undefined {
  const kids = fs.readFileSync(`/proc/${agentPid}/task/${agentPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return kids.find((p) => {
    try {
      return /^Uid:\t10003\t/m.test(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
    } catch {
      return false;
    }
  });
}

async function measure(image: string) {
  const prof = profile(image);
  const box = await SandboxContainer.start(docker, prof, { instance: 'bench-grade-split', log });
  try {
    const agent = (await box.container.inspect()).State.Pid;
    const grade = async (i: number) => {
      const p = problems[i % problems.length]!;
      const plan = harnessPlan(prof, { mode: 'humaneval', prompt: p.prompt, completion: p.canonical_solution, test: p.test, entry_point: p.entry_point, timeout_s: 3 }, { wallMs: 20_000, captureBytes: 1 << 20 });
      await box.put(plan.files);
      const r = await box.exec(plan.steps[0]!);
      if (!await box.reset()) throw new Error('reset not ok');
      return r.stdout.toString().includes('"status":"pass"');
    };
    for (let i = 0; i < 3; i++) await grade(i); // warm: the first grade starts the fork server
    const server = forkServer(agent);
    const a0 = cpu(agent);
    const s0 = server ? cpu(server) : { self: 0, children: 0 };
    const t0 = performance.now();
    let passed = 0;
    for (let i = 0; i < problems.length; i++) if (await grade(i)) passed++;
    const wall = performance.now() - t0;
    const a1 = cpu(agent);
    const s1 = server ? cpu(server) : { self: 0, children: 0 };
    const per = (x: number) => +(x / problems.length).toFixed(1);
    const parts = {
      agent: per(a1.self - a0.self),
      judges: per(a1.children - a0.children),
      fork_server: per(s1.self - s0.self),
      candidates_forked: per(s1.children - s0.children),
    };
    return { image, fork_server: server !== undefined, passed, wall_ms_per_grade: per(wall), cpu_ms_per_grade: { ...parts, total: +Object.values(parts).reduce((a, b) => a + b, 0).toFixed(1) } };
  } finally {
    await box.destroy();
  }
}

const load = [loadavg()];
const before = await measure(values.before);
load.push(loadavg());
const after = await measure(values.after);
load.push(loadavg());
const result = {
  date: new Date().toISOString(),
  problems: problems.length,
  loadavg: load,
  before,
  after,
  ratio_cpu: +(before.cpu_ms_per_grade.total / after.cpu_ms_per_grade.total).toFixed(2),
  notes: 'one warm container per image, grades one after another; CPU from /proc of the agent (PID 1), its reaped children (judges, and their candidates without a fork server) and the fork server (own, and its reaped children: the candidates)',
};
console.log(JSON.stringify(result, null, 2));
console.log(`written ${writeResult('grade-split', result)}`);
