import { Duplex, PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { answerDeadlineMs, SandboxContainer } from '../src/sandbox/container.js';
import { SandboxError } from '../src/sandbox/errors.js';
import { encodeFrame, FrameDecoder, type Frame } from '../src/sandbox/protocol.js';
import type { ContainerProfile } from '../src/sandbox/types.js';

// The agent's answer deadline grows with the bytes a request and its reply
// carry. A program that prints its output cap's worth is its own verdict
// (output_limit / wrong_answer): on a loaded machine carrying tens of MB over
// Docker's attach stream took longer than the old fixed wall + 15 s, and the
// grade became "agent did not answer exec within 35000 ms" (infra_error).
// A scripted agent behind a fake Docker engine, on fake timers: the reply to
// a request comes when the test says so, however long "transfer" takes.

interface FakeAgent {
  requests: Frame[];
  reply(header: Record<string, unknown>, blob?: Buffer): void;
}

function fakeDocker(): { docker: Docker; agent: FakeAgent } {
  const toService = new PassThrough();
  const decoder = new FrameDecoder();
  const requests: Frame[] = [];
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      for (const f of decoder.push(chunk)) requests.push(f);
      cb();
    },
  });
  toService.on('data', (c: Buffer) => stream.push(c));
  const agent: FakeAgent = {
    requests,
    reply: (header, blob) => toService.write(encodeFrame({ type: 'reply', ok: true, id: requests[requests.length - 1]!.header.id, ...header }, blob)),
  };
  const container = {
    id: 'fake-container-0000',
    attach: async () => stream,
    start: async () => {
      toService.write(encodeFrame({ type: 'hello', version: 1, pid: 1, uid: 0, identities: true }));
    },
    remove: async () => undefined,
    inspect: async () => ({ State: { OOMKilled: false } }),
  };
  const docker = {
    createContainer: async () => container,
    // no multiplexing in the fake: the stream is the agent's stdout
    modem: { demuxStream: (s: Duplex, stdout: PassThrough) => s.pipe(stdout) },
  } as unknown as Docker;
  return { docker, agent };
}

const PROFILE: ContainerProfile = { image: 'fake', runtime: 'runc', memoryBytes: 1 << 30, cpus: 1, pidsLimit: 64, workBytes: 1 << 28, tmpBytes: 1 << 28 };
const log = pino({ level: 'silent' });
const MB = 1 << 20;
const EXEC_REPLY = { exit_code: 0, signal: null, wall_ms: 1000, cpu_ms: 900, max_rss_kb: 1, timed_out: false, cpu_limit_exceeded: false, output_limit_exceeded: true, oom_killed: false, output_bytes: 64 * MB, stdout_truncated: false, stderr_truncated: false };

async function started() {
  const { docker, agent } = fakeDocker();
  const sc = await SandboxContainer.start(docker, PROFILE, { instance: 'fake', log });
  return { sc, agent };
}

/** Lets the promise chain run between fake-timer steps. */
const settle = () => new Promise((r) => setImmediate(r));

describe('agent answer deadline', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('grows with the output cap: a 64 MB reply that takes 60 s to carry is still an answer', async () => {
    const { sc, agent } = await started();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const exec = sc.exec({ argv: ['python3', 'main.py'], limits: { wallMs: 2000, captureBytes: 64 * MB, outputBytes: 64 * MB } });
    let settled: unknown;
    exec.then(
      (r) => (settled = r),
      (e: unknown) => (settled = e),
    );
    await settle();
    expect(agent.requests.at(-1)?.header.type).toBe('exec');
    // the program used its 2 s, then its 64 MB crawl across a loaded machine for a minute
    await vi.advanceTimersByTimeAsync(62_000);
    expect(settled, String(settled)).toBeUndefined();
    const out = Buffer.alloc(4 * MB, 'x');
    agent.reply({ ...EXEC_REPLY, stdout_len: out.length, stderr_len: 0 }, out);
    await settle();
    const r = await exec;
    expect(r.outputLimitExceeded).toBe(true);
    expect(r.stdout.length).toBe(4 * MB);
    expect(sc.alive).toBe(true);
    await sc.destroy();
  });

  it('grows with the stdin it carries in', async () => {
    const { sc, agent } = await started();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const exec = sc.exec({ argv: ['./main'], stdin: Buffer.alloc(32 * MB), limits: { wallMs: 1000, captureBytes: 1 << 16 } });
    let settled: unknown;
    exec.then(
      (r) => (settled = r),
      (e: unknown) => (settled = e),
    );
    await settle();
    await vi.advanceTimersByTimeAsync(40_000);
    expect(settled, String(settled)).toBeUndefined();
    agent.reply({ ...EXEC_REPLY, output_limit_exceeded: false, stdout_len: 0, stderr_len: 0 });
    await settle();
    expect((await exec).exitCode).toBe(0);
    await sc.destroy();
  });

  it('still catches a hung agent, soon for a small reply', async () => {
    const { sc } = await started();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const exec = sc.exec({ argv: ['python3', 'main.py'], limits: { wallMs: 2000 } });
    let settled: unknown;
    exec.catch((e: unknown) => (settled = e));
    const deadline = answerDeadlineMs(2000, 2 * MB);
    // default capture (1 MiB a stream): the deadline is the wall limit, the slack and a few seconds
    expect(deadline).toBeLessThanOrEqual(2000 + 15_000 + 3000);
    await vi.advanceTimersByTimeAsync(deadline - 100);
    expect(settled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(200);
    expect(settled).toBeInstanceOf(SandboxError);
    expect((settled as SandboxError).kind).toBe('container_lost');
    expect(String(settled)).toMatch(/did not answer exec/);
    expect(sc.alive).toBe(false);
  });

  it('gives an interactive pair room for both stderrs, the peer output and the secret', async () => {
    const { sc, agent } = await started();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const limits = { wallMs: 2000, captureBytes: 16 * MB };
    const pair = sc.pair({ main: { argv: ['./main'], limits }, peer: { argv: ['./interactor'], secret: Buffer.alloc(8 * MB), limits } });
    let settled: unknown;
    pair.then(
      (r) => (settled = r),
      (e: unknown) => (settled = e),
    );
    await settle();
    await vi.advanceTimersByTimeAsync(50_000);
    expect(settled, String(settled)).toBeUndefined();
    agent.reply({ main: { ...EXEC_REPLY, stderr_len: 0 }, peer: { ...EXEC_REPLY, stderr_len: 0 } }, Buffer.from('peer says ok'));
    await settle();
    expect((await pair).peerOutput.toString()).toBe('peer says ok');
    await sc.destroy();
  });
});

// One reading of the agent's process report, for an exec and for each side of a pair.
describe("the agent's process report", () => {
  it('an exec reply: its fields, stdout and stderr split at stdout_len', async () => {
    const { sc, agent } = await started();
    const exec = sc.exec({ argv: ['./main'], limits: { wallMs: 2000, cpuMs: 1500, outputBytes: 4096 } });
    await settle();
    // the limits as the agent reads them
    expect(agent.requests.at(-1)?.header.limits).toEqual({ wall_ms: 2000, cpu_ms: 1500, capture_bytes: 1 << 20, output_bytes: 4096 });
    agent.reply(
      { ...EXEC_REPLY, exit_code: null, signal: 9, wall_ms: 12, output_limit_exceeded: false, output_bytes: 6, stdout_len: 3, stderr_len: 3, stdout_truncated: true, spawn_error: 'EACCES' },
      Buffer.from('outerr'),
    );
    const r = await exec;
    expect(r).toMatchObject({ exitCode: null, signal: 9, wallMs: 12, cpuMs: 900, outputBytes: 6, stdoutTruncated: true, stderrTruncated: false, spawnError: 'EACCES' });
    expect([r.stdout.toString(), r.stderr.toString()]).toEqual(['out', 'err']);
    await sc.destroy();
  });

  it("a pair reply: each side's report, its stderr from the blob, no stdout of its own", async () => {
    const { sc, agent } = await started();
    const limits = { wallMs: 2000 };
    const pair = sc.pair({ main: { argv: ['./main'], limits }, peer: { argv: ['./interactor'], limits } });
    await settle();
    const { stdout_truncated: _, ...side } = EXEC_REPLY;
    agent.reply({ main: { ...side, exit_code: 1, stderr_len: 2 }, peer: { ...side, exit_code: null, signal: 15, stderr_len: 1, stderr_truncated: true } }, Buffer.from('abc'));
    const r = await pair;
    expect(r.main).toMatchObject({ exitCode: 1, signal: null, stdoutTruncated: false, stderrTruncated: false });
    expect(r.main.stderr.toString()).toBe('ab');
    expect(r.peer).toMatchObject({ exitCode: null, signal: 15, stderrTruncated: true });
    expect(r.peer.stderr.toString()).toBe('c');
    expect(r.main.stdout.length + r.peer.stdout.length).toBe(0);
    await sc.destroy();
  });
});
