// Bench (issue 16): where a HumanEval grade's CPU goes inside its container,
// per process, for two images side by side in one run (e.g. before and after
// a change to the agent or the harness). One warm container per image; the
// 164 canonical solutions are graded one after another (put, the harness
// step, reset, as the pool does) and the CPU of each process is read from
// the host's /proc: the agent's own (PID 1), its reaped children (the
// judges; and, without a fork server, their candidates), a judge server's
// own and reaped children, the fork server's own and its reaped children
// (the candidates it forked).
//
//   npx tsx bench/grade-split.ts --before verdict/python:<tag> --after verdict/python:<tag> [--rounds N] [--data HumanEval.jsonl.gz]
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

const { values } = parseArgs({ options: { before: { type: 'string' }, after: { type: 'string' }, data: { type: 'string' }, rounds: { type: 'string' } } });
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
/** the agent's child running as `uid` (10003: the fork server; 10002: the judge server) */
function childAs(agentPid: number, uid: number): number | undefined {
  const kids = fs.readFileSync(`/proc/${agentPid}/task/${agentPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return kids.find((p) => {
    try {
      return new RegExp(`^Uid:\t${uid}\t`, 'm').test(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
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
    const server = childAs(agent, 10003);
    const judge = childAs(agent, 10002); // a judge server, when the image has one
    const none = { self: 0, children: 0 };
    const a0 = cpu(agent);
    const s0 = server ? cpu(server) : none;
    const j0 = judge ? cpu(judge) : none;
    const t0 = performance.now();
    let passed = 0;
    for (let i = 0; i < problems.length; i++) if (await grade(i)) passed++;
    const wall = performance.now() - t0;
    const a1 = cpu(agent);
    const s1 = server ? cpu(server) : none;
    const j1 = judge ? cpu(judge) : none;
    if (judge && childAs(agent, 10002) !== judge) throw new Error('the judge server was replaced during the run: its CPU is partly lost');
    const per = (x: number) => +(x / problems.length).toFixed(1);
    const parts = {
      agent: per(a1.self - a0.self),
      judges: per(a1.children - a0.children + j1.self - j0.self + j1.children - j0.children),
      fork_server: per(s1.self - s0.self),
      candidates_forked: per(s1.children - s0.children),
    };
    return { image, fork_server: server !== undefined, judge_server: judge !== undefined, passed, wall_ms_per_grade: per(wall), cpu_ms_per_grade: { ...parts, total: +Object.values(parts).reduce((a, b) => a + b, 0).toFixed(1) } };
  } finally {
    await box.destroy();
  }
}

// rounds alternate the two images, so drift in the machine's load hits both alike
const rounds = Number(values.rounds ?? 1);
const load = [loadavg()];
const befores: Awaited<ReturnType<typeof measure>>[] = [];
const afters: typeof befores = [];
for (let i = 0; i < rounds; i++) {
  befores.push(await measure(values.before));
  load.push(loadavg());
  afters.push(await measure(values.after));
  load.push(loadavg());
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pick = (ms: typeof befores) => ms.find((m) => m.cpu_ms_per_grade.total === median(ms.map((x) => x.cpu_ms_per_grade.total)))!;
const before = { ...pick(befores), rounds_total_ms: befores.map((m) => m.cpu_ms_per_grade.total) };
const after = { ...pick(afters), rounds_total_ms: afters.map((m) => m.cpu_ms_per_grade.total) };
const result = {
  date: new Date().toISOString(),
  problems: problems.length,
  loadavg: load,
  before,
  after,
  ratio_cpu: +(before.cpu_ms_per_grade.total / after.cpu_ms_per_grade.total).toFixed(2),
  notes: 'median round of each image shown; one warm container per image and round, grades one after another; CPU from /proc of the agent (PID 1), its reaped children (judges, and their candidates without a fork server) and the fork server (own, and its reaped children: the candidates)',
};
console.log(JSON.stringify(result, null, 2));
console.log(`written ${writeResult('grade-split', result)}`);
