import { z } from 'zod';

/** A named Docker volume, always mounted read-only (filled by src/sandbox/volumes.ts). */
export const VolumeMountSchema = z.object({ name: z.string().min(1), target: z.string().startsWith('/') });
export type VolumeMount = z.infer<typeof VolumeMountSchema>;

/** What a container is: fixed at creation, so it keys the warm pool. */
export const ContainerProfileSchema = z.object({
  image: z.string().min(1),
  runtime: z.enum(['runc', 'runsc']).default('runc'),
  memoryBytes: z.number().int().positive(),
  cpus: z.number().positive().max(64),
  pidsLimit: z.number().int().positive(),
  workBytes: z.number().int().positive(),
  tmpBytes: z.number().int().positive(),
  /** caches the code under test may read but never write */
  volumes: z.array(VolumeMountSchema).optional(),
});
export type ContainerProfile = z.infer<typeof ContainerProfileSchema>;

/** Per-process limits, enforced by the agent. */
export const ProcessLimitsSchema = z.object({
  wallMs: z.number().int().positive(),
  cpuMs: z.number().int().positive().optional(),
  addressSpaceBytes: z.number().int().positive().optional(),
  stackBytes: z.number().int().positive().optional(),
  fileSizeBytes: z.number().int().positive().optional(),
  /** kept per stream and returned */
  captureBytes: z.number().int().positive().default(1 << 20),
  /** stdout+stderr beyond this kills the process */
  outputBytes: z.number().int().positive().optional(),
});
export type ProcessLimits = z.infer<typeof ProcessLimitsSchema>;

export const StepSchema = z.object({
  argv: z.array(z.string()).min(1),
  env: z.record(z.string(), z.string()).default({}),
  cwd: z.string().default('.'),
  stdin: z.instanceof(Buffer).optional(),
  /** run `python3 [-I] script` in a fork of the agent's interpreter (no start-up cost) */
  pythonFork: z.boolean().optional(),
  /**
   * with pythonFork and identity 'judge': the agent hands the judge its
   * candidate fork server (sandboxes/agent/verdict_forkserver.py), starting
   * one if the container has none, so the judge's Python candidates cost a
   * fork instead of an interpreter start
   */
  forkServer: z.boolean().optional(),
  /**
   * with pythonFork and identity 'judge': the step is served by the
   * container's long-lived judge process (one per script version,
   * environment and limits) instead of a fresh fork of the agent. The script
   * must only import and define in its module body, bind
   * `__verdict_main__(argv)`, and start each call from fresh module state.
   */
  judgeServer: z.boolean().optional(),
  /**
   * `python3 [-I] script args` whose script runs code under test in its own
   * interpreter (identity 'candidate'): run it as a fork of the container's
   * fork server, which has run the script's module body and preloads once
   * and holds no grade's data, instead of a fresh interpreter. The script
   * must be judge-owned and writable by nobody else (FileEntry owner
   * 'judge', mode 0644), only import and define in its module body, and bind
   * `__verdict_zygote__()` (its main, reading sys.argv). Falls back to a
   * fresh interpreter where the container has no fork server (gVisor).
   */
  zygote: z.boolean().optional(),
  /**
   * Who runs it: 'candidate' (default; code under test, or anything that
   * runs it in-process: uid 10001, no capabilities) or 'judge' (a trusted
   * step: uid 10002, out of the candidate's reach, with just the privilege to
   * start its candidate as uid 10001 and kill it).
   */
  identity: z.enum(['candidate', 'judge']).optional(),
  limits: ProcessLimitsSchema,
});
export type Step = z.input<typeof StepSchema>;

export interface FileEntry {
  path: string;
  content: string | Buffer;
  mode?: number;
  /** 'judge': owned by the judge uid (with mode 0600, unreadable to code under test); default the candidate */
  owner?: 'candidate' | 'judge';
}

export const ExecResultSchema = z.object({
  exitCode: z.number().int().nullable(),
  signal: z.number().int().nullable(),
  spawnError: z.string().optional(),
  wallMs: z.number(),
  cpuMs: z.number(),
  maxRssKb: z.number(),
  timedOut: z.boolean(),
  cpuLimitExceeded: z.boolean(),
  outputLimitExceeded: z.boolean(),
  oomKilled: z.boolean(),
  outputBytes: z.number(),
  stdout: z.instanceof(Buffer),
  stderr: z.instanceof(Buffer),
  stdoutTruncated: z.boolean(),
  stderrTruncated: z.boolean(),
});
export type ExecResult = z.infer<typeof ExecResultSchema>;

/**
 * Two processes wired together: `main`'s stdout feeds `peer`'s stdin and
 * `peer`'s stdout feeds `main`'s stdin (interactive problems). The peer is
 * trusted and protected from main: it runs as the judge uid (main as the
 * candidate's), non-dumpable (a fork of the agent with pythonFork, or an
 * execute-only binary with execOnly), and `secret`
 * reaches it as /dev/fd/3, never as a file main could read; whatever it
 * writes to /dev/fd/4 comes back as `peerOutput`.
 */
export interface PairStep {
  main: Omit<Step, 'stdin' | 'pythonFork' | 'forkServer' | 'judgeServer' | 'zygote'>;
  peer: Omit<Step, 'stdin'> & { secret?: Buffer; execOnly?: boolean };
}

export interface PairResult {
  main: ExecResult;
  peer: ExecResult;
  peerOutput: Buffer;
}

/**
 * A trusted run that fills a named volume: `files` go to /work, `argv` runs
 * there as the sandbox user with the volume mounted writable at `target` and
 * no network. `image` is a sandbox name.
 */
export interface VolumeFill {
  volume: string;
  image: string;
  target: string;
  files: FileEntry[];
  argv: string[];
  env?: Record<string, string>;
}
