import type { Logger } from 'pino';
import { pythonProfile } from '../benchmarks/python-harness.js';
import type { Sessions } from '../sandbox/engine.js';
import { isSandboxError } from '../sandbox/errors.js';
import type { ExecResult, FileEntry } from '../sandbox/types.js';
import type { CommandRunResult, RunCodeRequest, RunCodeResponse } from './schemas.js';

// SandboxFusion's POST /run_code: run one program with stdin in a sandbox and
// report what it did, in SandboxFusion's shapes (status Success | Failed |
// SandboxError; run_result.status Finished | TimeLimitExceeded | Error), so
// verl's sandbox_fusion reward (which compares stdout itself) works unchanged.

export interface RunCodeDeps {
  engine: Sessions;
  imageRef: (name: string) => Promise<string>;
  runtime: 'runc' | 'runsc';
  log: Logger;
}

/** Languages the python image runs; the rest of SandboxFusion's list answers SandboxError. */
const COMMANDS: Partial<Record<RunCodeRequest['language'], { file: string; argv: string[] }>> = {
  python: { file: 'main.py', argv: ['python3', 'main.py'] },
  bash: { file: 'main.sh', argv: ['bash', 'main.sh'] },
};

const DEFAULT_MEMORY_MB = 1024;
const CAPTURE_BYTES = 8 << 20;

/** signal: the client has gone; the program is stopped (its container is destroyed). onStarted: it has its container. */
export interface RunCodeOptions {
  signal?: AbortSignal | undefined;
  onStarted?: () => void;
}

/** /run_code here or on a worker */
export type RunCode = (req: RunCodeRequest, opts?: RunCodeOptions) => Promise<RunCodeResponse>;

export async function runCode(deps: RunCodeDeps, req: RunCodeRequest, opts: RunCodeOptions = {}): Promise<RunCodeResponse> {
  const cmd = COMMANDS[req.language];
  const base = { compile_result: null, run_result: null, executor_pod_name: null, files: {} };
  if (!cmd) {
    return { status: 'SandboxError', message: `language '${req.language}' is not supported by this server (python, bash)`, ...base };
  }
  const files: FileEntry[] = [{ path: cmd.file, content: req.code }];
  for (const [p, b64] of Object.entries(req.files)) {
    if (b64 !== null) files.push({ path: p.replace(/^\/+/, ''), content: Buffer.from(b64, 'base64') });
  }
  // rounded up to a power of two so a few warm pools serve every request
  let memoryMb = 256;
  while (memoryMb < Math.min(16384, req.memory_limit_MB > 0 ? req.memory_limit_MB : DEFAULT_MEMORY_MB)) memoryMb *= 2;
  for (let attempt = 1; ; attempt++) {
    let started = false;
    try {
      const image = await deps.imageRef('python');
      const profile = { ...pythonProfile(memoryMb * 1024 * 1024), image, runtime: deps.runtime };
      // the run lane: these programs mostly sleep or wait, so they do not take the grading (CPU) slots
      return await deps.engine.session(profile, async (s) => {
        started = true;
        opts.onStarted?.();
        await s.put(files);
        const r = await s.exec({
          argv: cmd.argv,
          env: { PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' },
          ...(req.stdin ? { stdin: Buffer.from(req.stdin, 'utf8') } : {}),
          limits: { wallMs: Math.ceil(req.run_timeout * 1000), captureBytes: CAPTURE_BYTES, outputBytes: 64 << 20 },
        });
        if (r.spawnError) return { status: 'SandboxError', message: `could not start the program: ${r.spawnError}`, ...base };
        const run = commandResult(r);
        const fetched: Record<string, string> = {};
        if (req.fetch_files.length) {
          // a file the program did not write is left out, as SandboxFusion does
          const got = await s.get(req.fetch_files.map((p) => p.replace(/^\/+/, ''))).catch(() => new Map<string, Buffer>());
          for (const [p, buf] of got) fetched[p] = buf.toString('base64');
        }
        const ok = run.status === 'Finished' && run.return_code === 0;
        return { ...base, status: ok ? 'Success' : 'Failed', message: '', run_result: run, files: fetched };
      }, undefined, { lane: 'run', signal: opts.signal });
    } catch (e) {
      if (!isSandboxError(e)) throw e;
      deps.log.warn({ err: e.message, kind: e.kind, attempt }, 'run_code sandbox failure');
      // no container came up, so the program has not run: try again (verl scores a SandboxError -1 and never retries it)
      if (!started && e.retryable && !opts.signal?.aborted && attempt < 3) continue;
      return { status: 'SandboxError', message: e.message, ...base };
    }
  }
}

function commandResult(r: ExecResult): CommandRunResult {
  const out = {
    execution_time: Math.round(r.wallMs) / 1000,
    stdout: r.stdout.toString('utf8'),
    stderr: r.stderr.toString('utf8'),
  };
  if (r.timedOut) return { status: 'TimeLimitExceeded', return_code: null, ...out };
  // a signal death reads as Python's subprocess reports it: minus the signal
  const code = r.exitCode ?? (r.signal !== null ? -r.signal : -1);
  return { status: 'Finished', return_code: code, ...out };
}
