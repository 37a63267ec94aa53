// How fast a program's output crosses from the agent to the service (Docker's
// attach stream), which sizes the agent's answer deadline (src/sandbox/container.ts:
// MIN_TRANSFER_BYTES_PER_S). A program in the python sandbox prints N MB at once;
// the time the exec took on the host minus the wall time the agent measured is
// the carrying (plus one frame round trip). Load is recorded beside.
//
//   npx tsx bench/output-transfer.ts      (writes bench/results/output-transfer-*.json)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SandboxEngine } from '../src/sandbox/engine.js';
import { ensurePythonImage, profile, quietLog } from '../test/helpers/docker.js';

const MB = 1 << 20;
const SIZES_MB = [1, 16, 32, 60];
const ROUNDS = 3;

async function main(): Promise<void> {
  const image = await ensurePythonImage();
  const prof = profile(image);
  const engine = new SandboxEngine({ log: quietLog, instance: `${process.env.VERDICT_TEST_PREFIX ?? ''}bench-transfer`, concurrency: 1, warm: 1, maxUses: 1000 });
  const rows: Array<Record<string, number | string>> = [];
  try {
    for (const mb of SIZES_MB) {
      for (let round = 0; round < ROUNDS; round++) {
        const load = os.loadavg()[0]!;
        const r = await engine.session(prof, async (s) => {
          await s.put([{ path: 'main.py', content: `import sys\nsys.stdout.buffer.write(b'x' * ${mb * MB})\n` }]);
          const t0 = performance.now();
          const e = await s.exec({ argv: ['python3', 'main.py'], limits: { wallMs: 60_000, captureBytes: 64 * MB, outputBytes: 64 * MB } });
          return { hostMs: performance.now() - t0, e };
        });
        const carryMs = r.hostMs - r.e.wallMs;
        const row = { mb, round, host_ms: Math.round(r.hostMs), agent_wall_ms: Math.round(r.e.wallMs), carry_ms: Math.round(carryMs), mb_per_s: Number((mb / Math.max(carryMs, 1) * 1000).toFixed(1)), load1: Number(load.toFixed(2)), bytes: r.e.stdout.length };
        rows.push(row);
        console.log(JSON.stringify(row));
      }
    }
  } finally {
    await engine.close();
  }
  const out = path.join(path.dirname(new URL(import.meta.url).pathname), 'results', `output-transfer-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(out, JSON.stringify({ machine: { cpus: os.cpus().length, loadavg: os.loadavg() }, rows }, null, 2) + '\n');
  console.log(`wrote ${out}`);
}

void main();
