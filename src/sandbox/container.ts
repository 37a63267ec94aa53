// The agent client: one sandbox container with the agent as PID 1, spoken to in frames over its attach stream (requests, answers, deadlines).
import { PassThrough, type Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { withTimeout } from '../timeout.js';
import { containerSpec } from './container-spec.js';
import { SandboxError } from './errors.js';
import { encodeFrame, FrameDecoder, type Frame } from './protocol.js';
import { packFiles, unpackFiles } from './tar.js';
import type { z } from 'zod';
import type { ContainerProfile, ExecResult, FileEntry, PairResult, PairStep, ProcessLimitsSchema, Step } from './types.js';

/**
 * How long the agent may take to answer a request: the work itself (a wall
 * limit), a fixed slack, and the time to carry the request's and the reply's
 * bytes over Docker's attach stream at the slowest rate we expect on a loaded
 * machine. Large outputs are the program's own doing (it gets output_limit or
 * wrong_answer): a fixed deadline turned a program printing tens of MB on a
 * loaded machine into "agent did not answer" (infra_error). The deadline only
 * catches a hung agent, so erring long costs nothing in the normal case.
 */
export const ANSWER_SLACK_MS = 15_000;
/**
 * Bytes per second, deliberately pessimistic: bench/output-transfer.ts carried
 * 16-60 MB at 4.5-11 MB/s at load 12-13 on two cores (60 MB: 8-13 s beyond the
 * program's own 8-11 s); at load 35-80 a 16-60 MB output missed the old 35 s
 * deadline (20 s wall + 15 s) in a judge test.
 */
export const MIN_TRANSFER_BYTES_PER_S = 1 << 20;
export function answerDeadlineMs(workMs: number, carriedBytes: number): number {
  return workMs + ANSWER_SLACK_MS + Math.ceil((carriedBytes * 1000) / MIN_TRANSFER_BYTES_PER_S);
}

/** What an exec's reply can carry: stdout and stderr, each up to the capture, less when the output limit stops the program first. */
export function execReplyBytes(l: { captureBytes?: number; outputBytes?: number }): number {
  const capture = l.captureBytes ?? 1 << 20;
  // past the output limit the agent kills the program and drains what its pipes still hold (at most 1 MiB each, F_SETPIPE_SZ)
  const bound = l.outputBytes !== undefined ? l.outputBytes + (4 << 20) : Infinity;
  return Math.min(2 * capture, bound);
}
/** the agent's default cap per file on get */
const GET_FILE_BYTES = 16 << 20;

export interface ContainerOptions {
  instance: string;
  log: Logger;
  /** how long creation, start and the agent's hello may take */
  startTimeoutMs?: number;
}

interface Pending {
  resolve: (f: Frame) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * One sandbox container with the agent as PID 1. Requests are serialised:
 * a container runs one thing at a time.
 */
export class SandboxContainer {
  uses = 0;
  /** the agent execs programs through its static launcher (not a Python preexec_fn) */
  launcher = false;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private decoder = new FrameDecoder();
  private closed: SandboxError | null = null;
  private hello: Promise<Frame>;
  private helloResolve!: (f: Frame) => void;
  private helloReject!: (e: Error) => void;
  private stderrTail = '';

  private constructor(
    readonly docker: Docker,
    readonly container: Docker.Container,
    readonly profile: ContainerProfile,
    private readonly stream: Duplex,
    private readonly log: Logger,
  ) {
    this.hello = new Promise((resolve, reject) => {
      this.helloResolve = resolve;
      this.helloReject = reject;
    });
    this.hello.catch(() => undefined);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    docker.modem.demuxStream(stream, stdout, stderr);
    stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4000);
      log.debug({ container: this.id, agent: chunk.toString('utf8').trim() }, 'agent stderr');
    });
    const onGone = () => this.fail(new SandboxError(`container ${this.id.slice(0, 12)} stream closed`, 'container_lost'));
    stream.on('end', onGone);
    stream.on('close', onGone);
    stream.on('error', (e: Error) =>
      this.fail(new SandboxError(`container stream error: ${e.message}`, 'container_lost')),
    );
  }

  get id(): string {
    return this.container.id;
  }

  get alive(): boolean {
    return this.closed === null;
  }

  static async start(docker: Docker, profile: ContainerProfile, opts: ContainerOptions): Promise<SandboxContainer> {
    let container: Docker.Container;
    try {
      container = await docker.createContainer(containerSpec(profile, opts.instance));
    } catch (e) {
      throw classifyDockerError(e, profile.image);
    }
    let stream: Duplex;
    try {
      stream = (await container.attach({
        stream: true,
        stdin: true,
        stdout: true,
        stderr: true,
        hijack: true,
      })) as unknown as Duplex;
    } catch (e) {
      await container.remove({ force: true }).catch(() => undefined);
      throw classifyDockerError(e, profile.image);
    }
    const sc = new SandboxContainer(docker, container, profile, stream, opts.log);
    try {
      await container.start();
      const helloMs = opts.startTimeoutMs ?? 30_000;
      const hello = await withTimeout(sc.hello, helloMs, () => new SandboxError(`agent hello timed out after ${helloMs} ms`, 'start_failed'));
      // an agent that cannot keep code under test away from itself and the judge is not used
      if (hello.header.identities !== true) throw new SandboxError(`agent cannot separate identities (uid ${String(hello.header.uid)})`, 'start_failed');
      sc.launcher = hello.header.launcher === true;
    } catch (e) {
      await sc.destroy();
      if (e instanceof SandboxError) throw e;
      throw classifyDockerError(e, profile.image);
    }
    return sc;
  }

  async exec(step: Step): Promise<ExecResult> {
    const l = step.limits;
    const { header, blob } = await this.request(
      {
        type: 'exec',
        argv: step.argv,
        python_fork: step.pythonFork === true,
        fork_server: step.forkServer === true,
        judge_server: step.judgeServer === true,
        zygote: step.zygote === true,
        identity: step.identity ?? 'candidate',
        env: step.env ?? {},
        cwd: step.cwd ?? '.',
        limits: wireLimits(l),
      },
      step.stdin,
      // the agent enforces the wall limit; this only catches a hung agent
      answerDeadlineMs(l.wallMs, (step.stdin?.length ?? 0) + execReplyBytes(l)),
    );
    if (header.ok !== true) throw new SandboxError(`agent exec failed: ${String(header.error)}`, 'agent_protocol');
    const outLen = num(header.stdout_len);
    return execResult(header, blob.subarray(0, outLen), blob.subarray(outLen));
  }

  async pair(step: PairStep): Promise<PairResult> {
    // the peer (interactor) is trusted: it runs as the judge, out of the program's reach
    const wire = (st: PairStep['main'] | PairStep['peer'], identity: 'candidate' | 'judge'): Record<string, unknown> => ({
      argv: st.argv,
      identity,
      env: st.env ?? {},
      cwd: st.cwd ?? '.',
      python_fork: 'pythonFork' in st && st.pythonFork === true,
      exec_only: 'execOnly' in st && st.execOnly === true,
      limits: wireLimits(st.limits),
    });
    const secret = step.peer.secret ?? Buffer.alloc(0);
    const { header, blob } = await this.request(
      { type: 'pair', main: wire(step.main, 'candidate'), peer: wire(step.peer, 'judge') },
      secret,
      // in: the secret; out: both stderrs and the peer's output (read up to its capture)
      answerDeadlineMs(
        Math.max(step.main.limits.wallMs, step.peer.limits.wallMs),
        secret.length + (step.main.limits.captureBytes ?? 1 << 20) + 2 * (step.peer.limits.captureBytes ?? 1 << 20),
      ),
    );
    if (header.ok !== true) throw new SandboxError(`agent pair failed: ${String(header.error)}`, 'agent_protocol');
    // blob: main stderr | peer stderr | peer output (lengths in the header)
    const parts = header as Record<string, unknown>;
    const mainHeader = (parts.main ?? {}) as Record<string, unknown>;
    const peerHeader = (parts.peer ?? {}) as Record<string, unknown>;
    const a = num(mainHeader.stderr_len);
    const b = num(peerHeader.stderr_len);
    return {
      main: execResult(mainHeader, Buffer.alloc(0), blob.subarray(0, a)),
      peer: execResult(peerHeader, Buffer.alloc(0), blob.subarray(a, a + b)),
      peerOutput: blob.subarray(a + b),
    };
  }

  async put(files: FileEntry[]): Promise<void> {
    if (files.length === 0) return;
    const blob = await packFiles(files);
    const { header } = await this.request({ type: 'put' }, blob, answerDeadlineMs(15_000, blob.length));
    if (header.ok !== true) throw new SandboxError(`agent put failed: ${String(header.error)}`, 'agent_protocol');
  }

  async get(paths: string[]): Promise<Map<string, Buffer>> {
    const { header, blob } = await this.request({ type: 'get', paths }, undefined, answerDeadlineMs(15_000, paths.length * GET_FILE_BYTES));
    if (header.ok !== true) throw new SandboxError(`agent get failed: ${String(header.error)}`, 'agent_protocol');
    return unpackFiles(blob);
  }

  /** Kill leftovers and wipe scratch space; false when the container cannot be trusted again. */
  async reset(): Promise<boolean> {
    try {
      const { header } = await this.request({ type: 'reset' }, undefined, 15_000);
      return header.ok === true;
    } catch {
      return false;
    }
  }

  /** Whether Docker saw the container killed by the OOM killer (agent included). */
  async oomKilled(): Promise<boolean> {
    try {
      const info = await this.container.inspect();
      return info.State.OOMKilled === true;
    } catch {
      return false;
    }
  }

  async destroy(): Promise<void> {
    this.fail(new SandboxError('container destroyed', 'closed'));
    try {
      this.stream.destroy();
    } catch {
      /* already gone */
    }
    await this.container.remove({ force: true }).catch((e: unknown) => {
      if (!String(e).includes('404') && !String(e).includes('already in progress')) {
        this.log.warn({ err: String(e), container: this.id }, 'container removal failed');
      }
    });
  }

  private request(
    header: Record<string, unknown>,
    blob: Buffer | undefined,
    timeoutMs: number,
  ): Promise<Frame> {
    if (this.closed) return Promise.reject(this.closed);
    const id = this.nextId++;
    return new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new SandboxError(`agent did not answer ${String(header.type)} within ${timeoutMs} ms`, 'container_lost'));
        void this.destroy();
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.stream.write(encodeFrame({ ...header, id }, blob));
    });
  }

  private onData(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (e) {
      this.fail(new SandboxError(`bad frame from agent: ${String(e)}`, 'agent_protocol'));
      void this.destroy();
      return;
    }
    for (const f of frames) {
      if (f.header.type === 'hello') {
        this.helloResolve(f);
        continue;
      }
      const id = typeof f.header.id === 'number' ? f.header.id : -1;
      const p = this.pending.get(id);
      if (!p) continue;
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.resolve(f);
    }
  }

  private fail(err: SandboxError): void {
    if (this.closed) return;
    if (this.stderrTail && err.kind !== 'closed') err.message += ` (agent stderr: ${this.stderrTail.trim().slice(-500)})`;
    this.closed = err;
    this.helloReject(err);
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }
}

/** A step's limits as the agent reads them (exec, and each side of a pair). */
function wireLimits(l: z.input<typeof ProcessLimitsSchema>): Record<string, unknown> {
  return {
    wall_ms: l.wallMs,
    cpu_ms: l.cpuMs,
    address_space_bytes: l.addressSpaceBytes,
    stack_bytes: l.stackBytes,
    file_size_bytes: l.fileSizeBytes,
    capture_bytes: l.captureBytes ?? 1 << 20,
    output_bytes: l.outputBytes,
  };
}

/** One process's report from the agent (an exec's, or each side of a pair's: no stdout of its own there). */
function execResult(header: Record<string, unknown>, stdout: Buffer, stderr: Buffer): ExecResult {
  const res: ExecResult = {
    exitCode: header.exit_code === null || header.exit_code === undefined ? null : num(header.exit_code),
    signal: header.signal === null || header.signal === undefined ? null : num(header.signal),
    wallMs: num(header.wall_ms),
    cpuMs: num(header.cpu_ms),
    maxRssKb: num(header.max_rss_kb),
    timedOut: header.timed_out === true,
    cpuLimitExceeded: header.cpu_limit_exceeded === true,
    outputLimitExceeded: header.output_limit_exceeded === true,
    oomKilled: header.oom_killed === true,
    outputBytes: num(header.output_bytes),
    stdout,
    stderr,
    stdoutTruncated: header.stdout_truncated === true,
    stderrTruncated: header.stderr_truncated === true,
  };
  if (typeof header.spawn_error === 'string') res.spawnError = header.spawn_error;
  return res;
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

export function classifyDockerError(e: unknown, image: string): SandboxError {
  const msg = e instanceof Error ? e.message : String(e);
  const code = (e as { statusCode?: number } | null)?.statusCode;
  if (code === 404 && /image/i.test(msg)) {
    return new SandboxError(`image ${image} is missing: run \`npm run verdict -- images build\``, 'image_missing');
  }
  if (/ECONNREFUSED|ENOENT|EACCES|socket hang up|ECONNRESET/.test(msg)) {
    return new SandboxError(`Docker engine unreachable: ${msg}`, 'daemon_unreachable');
  }
  return new SandboxError(`Docker error: ${msg}`, 'start_failed');
}
