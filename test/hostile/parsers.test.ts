import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CASES } from './parsers-run.js';

// Every parser of untrusted text (completions, program output) is linear: on
// 1 MB adversarial inputs they all finish within a deadline that only a
// super-linear parser misses (the regexes they replaced took minutes to hours
// on these). In a child process: a runaway regex cannot be interrupted here.

const DEADLINE_MS = 90_000;

describe('parsers of untrusted text are linear', () => {
  it(`all ${Object.keys(CASES).length} adversarial 1 MB inputs are parsed before the deadline`, async () => {
    const script = path.join(__dirname, 'parsers-run.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script, 'run'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), DEADLINE_MS);
    const code = await new Promise<number | null>((res) => child.on('close', res));
    clearTimeout(timer);
    const done = out.split('\n').filter((l) => l.startsWith('done ')).map((l) => l.slice(5));
    const missing = Object.keys(CASES).filter((n) => !done.includes(n));
    expect(missing, `not finished within ${DEADLINE_MS / 1000} s (exit ${code}) ${err.slice(0, 500)}`).toEqual([]);
    expect(code).toBe(0);
  }, DEADLINE_MS + 30_000);
});
