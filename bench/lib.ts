// What the side-by-side benches share: percentiles, the machine's load, the
// official harness run as a Python child that prints its result as the last
// JSON line, and the result file under bench/results/.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The q-quantile (0..1) of xs, nearest rank. */
export const pct = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

/** 1, 5 and 15-minute load averages, to 2 decimals. */
export const loadavg = (): number[] => os.loadavg().map((x) => +x.toFixed(2));

/** Runs `python -c code args…` and parses the last line it prints as JSON; its stderr goes to ours. */
export function runPythonJson<T>(python: string, code: string, args: string[], cwd?: string, env?: NodeJS.ProcessEnv): Promise<T> {
  return new Promise((resolve, reject) => {
    const c = spawn(python, ['-c', code, ...args], { stdio: ['ignore', 'pipe', 'inherit'], ...(cwd ? { cwd } : {}), ...(env ? { env } : {}) });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('error', reject);
    c.on('close', (status) => (status === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!) as T) : reject(new Error(`${python} exited ${status}: ${out.slice(-500)}`))));
  });
}

/** Prints the result and writes it as bench/results/<name>-<date>.json; returns the path. */
export function writeResult<T extends { date: string }>(name: string, result: T): string {
  console.log(JSON.stringify(result, null, 2));
  const dir = path.join(import.meta.dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const out = path.join(dir, `${name}-${result.date.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log('written', out);
  return out;
}

/** Calls `onLine` with each JSON line of an NDJSON response body as it arrives. */
export async function readNdjson<T>(res: Response, onLine: (v: T) => void): Promise<void> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      onLine(JSON.parse(buf.slice(0, nl)) as T);
      buf = buf.slice(nl + 1);
    }
  }
}
