// Bench (issue 16): the agent's spawn path, side by side in one run. Two warm
// containers, one of an image whose agent sets up each program with a Python
// preexec_fn (--before, an image built before sandboxes/agent/verdict_launch.c)
// and one whose agent execs the static launcher (--after); the same steps
// alternate between them. Reported per step: the round trip as the service
// sees it (SandboxContainer.exec) and the wall time the agent measured.
//
//   npx tsx bench/spawn-path.ts --before verdict/judge:d24c89fc8753 --after verdict/judge:2ea635267b6c [--reps 200]
// Writes bench/results/spawn-path-<stamp>.json.
import Docker from 'dockerode';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { SandboxContainer } from '../src/sandbox/container.js';
import type { Step } from '../src/sandbox/types.js';
import { loadavg, pct, writeResult } from './lib.js';

const { values } = parseArgs({
  options: {
    before: { type: 'string' },
    after: { type: 'string' },
    reps: { type: 'string', default: '200' },
  },
});
if (!values.before || !values.after) throw new Error('--before IMAGE and --after IMAGE are required');
const reps = Number(values.reps);
const log = pino({ level: 'silent' });
const docker = new Docker();
const profile = (image: string) => ({ image, runtime: 'runc' as const, memoryBytes: 512 << 20, cpus: 1, pidsLimit: 64, workBytes: 64 << 20, tmpBytes: 64 << 20 });
const limits = { wallMs: 5000, cpuMs: 5000, addressSpaceBytes: 1 << 30, stackBytes: 64 << 20, fileSizeBytes: 16 << 20 };
const steps: Record<string, Step> = {
  'true': { argv: ['/bin/true'], limits },
  'python3 -c pass': { argv: ['python3', '-c', 'pass'], limits },
  'cat 1 MB stdin': { argv: ['cat'], limits, stdin: Buffer.alloc(1 << 20, 97) },
  'true as judge': { argv: ['/bin/true'], limits, identity: 'judge' },
};

const sides = { before: values.before, after: values.after };
const containers = Object.fromEntries(
  await Promise.all(Object.entries(sides).map(async ([k, image]) => [k, await SandboxContainer.start(docker, profile(image), { instance: 'bench-spawn', log })] as const)),
) as Record<keyof typeof sides, SandboxContainer>;
const load = [loadavg()];
const results: Record<string, Record<string, { rtt_p50_ms: number; rtt_p90_ms: number; wall_p50_ms: number }>> = {};
try {
  for (const [name, step] of Object.entries(steps)) {
    const rtt: Record<string, number[]> = { before: [], after: [] };
    const wall: Record<string, number[]> = { before: [], after: [] };
    for (let i = 0; i < reps; i++) {
      for (const side of (i % 2 ? ['after', 'before'] : ['before', 'after']) as (keyof typeof sides)[]) {
        const t = performance.now();
        const r = await containers[side].exec(step);
        rtt[side]!.push(performance.now() - t);
        if (r.spawnError || r.exitCode !== 0) throw new Error(`${side} ${name}: ${r.spawnError ?? `exit ${r.exitCode}`} ${r.stderr.toString()}`);
        wall[side]!.push(r.wallMs);
      }
    }
    results[name] = Object.fromEntries(
      (['before', 'after'] as const).map((s) => [s, { rtt_p50_ms: +pct(rtt[s]!, 0.5).toFixed(2), rtt_p90_ms: +pct(rtt[s]!, 0.9).toFixed(2), wall_p50_ms: +pct(wall[s]!, 0.5).toFixed(2) }]),
    );
    console.log(name, JSON.stringify(results[name]));
  }
} finally {
  await Promise.all(Object.values(containers).map((c) => c.destroy()));
}
load.push(loadavg());
writeResult('spawn-path', { date: new Date().toISOString(), images: sides, reps, loadavg: load, results });
