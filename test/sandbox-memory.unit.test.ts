import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { judgeProfile } from '../src/grading/executor.js';
import { runCode } from '../src/rl/run-code.js';
import { RunCodeRequestSchema } from '../src/rl/schemas.js';
import type { SandboxSession, Sessions } from '../src/sandbox/engine.js';
import { containerMemoryMb } from '../src/sandbox/memory.js';
import type { ContainerProfile } from '../src/sandbox/types.js';

// One rule sizes the containers of the judge core and of /run_code: the
// program's limit plus 512 MB, rounded up to floor·2^k so nearby limits share
// a warm pool.

const MB = 1 << 20;

describe('containerMemoryMb', () => {
  it('the smallest floor·2^k holding the limit plus 512 MB', () => {
    expect(containerMemoryMb(null)).toBe(1024);
    expect(containerMemoryMb(256)).toBe(1024);
    expect(containerMemoryMb(512)).toBe(1024);
    expect(containerMemoryMb(513)).toBe(2048);
    expect(containerMemoryMb(1536)).toBe(2048);
    expect(containerMemoryMb(1537)).toBe(4096);
    expect(containerMemoryMb(null, 2048)).toBe(2048);
    expect(containerMemoryMb(2000, 2048)).toBe(4096);
  });

  it('the judge core sizes its containers by it', () => {
    expect(judgeProfile('judge', 256).memoryBytes).toBe(1024 * MB);
    expect(judgeProfile('judge', 600).memoryBytes).toBe(2048 * MB);
    expect(judgeProfile('judge', 1024).memoryBytes).toBe(2048 * MB);
  });

  it("/run_code sizes its containers by it, from the language's toolchain size", async () => {
    const asked: ContainerProfile[] = [];
    // records the profile and stops: the sizing is all this test looks at
    const engine: Sessions = {
      session: <T>(p: ContainerProfile, _fn: (s: SandboxSession) => Promise<T>): Promise<T> => {
        asked.push(p);
        return Promise.reject(new Error('not run in this test'));
      },
    };
    const deps = { engine, imageRef: async (n: string) => n, runtime: 'runc' as const, log: pino({ level: 'silent' }) };
    const run = (language: string, memory_limit_MB: number) => runCode(deps, RunCodeRequestSchema.parse({ code: 'x', language, memory_limit_MB })).catch(() => undefined);
    await run('cpp', 256);
    await run('cpp', 600);
    await run('go', 256);
    await run('go', 2000);
    expect(asked.map((p) => p.memoryBytes / MB)).toEqual([1024, 2048, 2048, 4096]);
  });
});
