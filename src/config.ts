import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);
const int = z.coerce.number().int();
/** container runtimes a sandbox can run under (`--runtime`, VERDICT_RUNTIME) */
export const RUNTIMES = ['runc', 'runsc'] as const;

export const ConfigSchema = z.object({
  host: z.string().default('127.0.0.1'),
  port: int.min(0).max(65535).default(8080),
  dataDir: z.string().default(path.resolve('data')),
  /** bearer keys; empty = no auth */
  apiKeys: z
    .union([z.array(z.string().min(8)), z.string().transform((s) => s.split(',').map((k) => k.trim()).filter(Boolean))])
    .default([]),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  bodyLimitBytes: int.positive().default(8 << 20),
  /** grades running at once */
  concurrency: int.positive().default(Math.max(1, os.availableParallelism())),
  /** idle warm containers per image profile */
  warm: int.min(0).default(Math.max(1, os.availableParallelism())),
  /** grades per container before it is replaced (1 = single use) */
  maxUses: int.positive().default(500),
  runtime: z.enum(RUNTIMES).default('runc'),
  /** infra-error retries per grade */
  retries: int.min(0).max(5).default(2),
  /** grades waiting for a slot beyond which new requests are refused (429); an admitted batch of any size streams through */
  queue: int.min(0).default(16_384),
  /** bytes of input (completions, programs) waiting, beyond which new requests are refused too: the queue's memory bound */
  queueBytes: int.positive().default(256 << 20),
  /** /run_code programs running at once: a lane apart from the grading slots, as such programs mostly sleep or wait (default 32 per core) */
  runCodeConcurrency: int.positive().default(Math.max(1, os.availableParallelism()) * 32),
  /** /run_code programs waiting beyond which new ones are refused (504 + Retry-After) */
  runCodeQueue: int.min(0).default(8192),
  /** verdicts kept in the result cache (0 = no cache) */
  cacheEntries: int.min(0).default(100_000),
  /**
   * distinguishes this service's containers on a shared Docker host: a
   * starting service removes the containers its instance left behind.
   * Default: derived from the data directory, so two services with their own
   * data directories never remove each other's containers.
   */
  instance: z.string().regex(/^[a-zA-Z0-9_.-]+$/).optional(),
  /** sandboxes/ folder with one Dockerfile per image */
  sandboxesDir: z.string().default(path.resolve('sandboxes')),
  /** warm at start-up the pools of the benchmarks served (imported here; a worker: every one it grades) that declare one (`warmProfile`) */
  prewarm: bool.default(true),
  /** build missing sandbox images in the background while serving (their benchmarks answer infra_error image_building until ready) */
  buildImages: bool.default(false),
  /** jobs may name server-side input files under this folder; with API keys set and no folder, only uploads */
  jobInputDir: z.string().optional(),
  /** scale-out: serve enqueues grades on this Redis (redis:// or rediss://) and `verdict worker` takes them */
  queueUrl: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  /** Redis key prefix, so several services can share one Redis */
  queuePrefix: z.string().regex(/^[a-zA-Z0-9_.:-]+$/).default('verdict'),
  /** how long a grade without timeout_ms waits for a worker */
  queueWaitMs: int.positive().default(3_600_000),
  /** worker: Docker hosts it drives, "ENDPOINT[=CAPACITY],…" (unix:///…, tcp://…, ssh://…); default DOCKER_HOST or the local socket */
  dockerHosts: z.string().optional(),
  /** worker: its name in the queue (and on its containers); unique per Docker host */
  workerName: z.string().regex(/^[a-zA-Z0-9_.-]+$/).default(os.hostname().replace(/[^a-zA-Z0-9_.-]/g, '-') || 'worker'),
  /** worker: /healthz and /metrics port (0 = none) */
  workerPort: int.min(0).max(65535).default(8081),
  /** worker: a job whose worker stops renewing its lock this long goes to another worker */
  workerLockMs: int.min(1000).default(30_000),
  /** worker: how often such a job is handed on before it answers infra_error (worker_lost) */
  workerRetries: int.min(0).max(10).default(2),
}).transform((c) => ({ ...c, instance: c.instance ?? defaultInstance(c.dataDir) }));
export type Config = z.infer<typeof ConfigSchema>;

/** `d-` + a digest of the data directory's real path: one instance per data directory (and so per store). */
export function defaultInstance(dataDir: string): string {
  // the real path of its nearest existing ancestor, so the name is the same before and after it is created
  let dir = path.resolve(dataDir);
  let rest = '';
  while (!fs.existsSync(dir) && path.dirname(dir) !== dir) {
    rest = path.join(path.basename(dir), rest);
    dir = path.dirname(dir);
  }
  dir = path.join(fs.realpathSync(dir), rest);
  return 'd-' + crypto.createHash('sha256').update(dir).digest('hex').slice(0, 12);
}

const ENV: Record<string, keyof Config> = {
  VERDICT_HOST: 'host',
  VERDICT_PORT: 'port',
  VERDICT_DATA_DIR: 'dataDir',
  VERDICT_API_KEYS: 'apiKeys',
  VERDICT_LOG_LEVEL: 'logLevel',
  VERDICT_BODY_LIMIT: 'bodyLimitBytes',
  VERDICT_CONCURRENCY: 'concurrency',
  VERDICT_WARM: 'warm',
  VERDICT_MAX_USES: 'maxUses',
  VERDICT_RUNTIME: 'runtime',
  VERDICT_RETRIES: 'retries',
  VERDICT_QUEUE: 'queue',
  VERDICT_QUEUE_BYTES: 'queueBytes',
  VERDICT_RUN_CODE_CONCURRENCY: 'runCodeConcurrency',
  VERDICT_RUN_CODE_QUEUE: 'runCodeQueue',
  VERDICT_CACHE_ENTRIES: 'cacheEntries',
  VERDICT_INSTANCE: 'instance',
  VERDICT_SANDBOXES_DIR: 'sandboxesDir',
  VERDICT_PREWARM: 'prewarm',
  VERDICT_BUILD_IMAGES: 'buildImages',
  VERDICT_JOB_INPUT_DIR: 'jobInputDir',
  VERDICT_QUEUE_URL: 'queueUrl',
  VERDICT_QUEUE_PREFIX: 'queuePrefix',
  VERDICT_QUEUE_WAIT_MS: 'queueWaitMs',
  VERDICT_DOCKER_HOSTS: 'dockerHosts',
  VERDICT_WORKER_NAME: 'workerName',
  VERDICT_WORKER_PORT: 'workerPort',
  VERDICT_WORKER_LOCK_MS: 'workerLockMs',
  VERDICT_WORKER_RETRIES: 'workerRetries',
};

/** Env first, flags override; errors name the setting. */
export function loadConfig(env: NodeJS.ProcessEnv, flags: Record<string, unknown> = {}): Config {
  const raw: Record<string, unknown> = {};
  for (const [name, keyName] of Object.entries(ENV)) {
    if (env[name] !== undefined && env[name] !== '') raw[keyName] = env[name];
  }
  for (const [k, v] of Object.entries(flags)) {
    if (v !== undefined) raw[k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${msg}`);
  }
  return parsed.data;
}
