import Docker from 'dockerode';
import type { Logger } from 'pino';
import { SandboxEngine, type SandboxSession, type SessionOptions, type SessionTimings, type Sessions } from './engine.js';
import { SandboxError } from './errors.js';
import type { ContainerProfile } from './types.js';

// One worker driving several Docker engines. Each host is a SandboxEngine of
// its own capacity; a session goes to the up host with the most free share of
// its capacity. A host that stops answering is drained (no new sessions; the
// grader's retry lands elsewhere) and pinged with backoff until it is back.

export interface DockerHostSpec {
  /** unix:///var/run/docker.sock, tcp://host:2375, https://host:2376, ssh://user@host[:port] */
  endpoint: string;
  /** sessions at once on this host */
  capacity: number;
}

const SCHEMES = new Set(['unix:', 'tcp:', 'http:', 'https:', 'ssh:']);

/** "ENDPOINT[=CAPACITY],…"; a bare path is a unix socket. Throws naming the bad entry. */
export function parseDockerHosts(list: string, defaultCapacity: number): DockerHostSpec[] {
  const specs = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry): DockerHostSpec => {
      const m = /^(.*?)(?:=(\d+))?$/.exec(entry)!;
      let endpoint = m[1]!;
      if (endpoint.startsWith('/')) endpoint = `unix://${endpoint}`;
      let url: URL;
      try {
        url = new URL(endpoint);
      } catch {
        throw new Error(`dockerHosts: '${entry}' is not an endpoint (unix:///path, tcp://host:port, ssh://user@host)`);
      }
      if (!SCHEMES.has(url.protocol)) throw new Error(`dockerHosts: '${entry}': scheme must be unix, tcp, http, https or ssh`);
      const capacity = m[2] === undefined ? defaultCapacity : Number(m[2]);
      if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`dockerHosts: '${entry}': capacity must be a positive integer`);
      return { endpoint, capacity };
    });
  if (!specs.length) throw new Error('dockerHosts: empty list');
  if (new Set(specs.map((s) => s.endpoint)).size !== specs.length) throw new Error('dockerHosts: an endpoint is listed twice');
  return specs;
}

/** A dockerode client for an endpoint (DOCKER_CERT_PATH/DOCKER_TLS_VERIFY apply to https, as for the docker CLI). */
export function dockerFor(endpoint: string): Docker {
  const url = new URL(endpoint);
  if (url.protocol === 'unix:') return new Docker({ socketPath: url.pathname });
  if (url.protocol === 'ssh:') {
    return new Docker({
      protocol: 'ssh',
      host: url.hostname,
      port: url.port ? Number(url.port) : 22,
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      sshOptions: { agent: process.env.SSH_AUTH_SOCK },
    });
  }
  const https = url.protocol === 'https:';
  return new Docker({ protocol: https ? 'https' : 'http', host: url.hostname, port: url.port ? Number(url.port) : https ? 2376 : 2375 });
}

/** An endpoint without credentials, for logs and /healthz. */
export function redactEndpoint(endpoint: string): string {
  const url = new URL(endpoint);
  if (url.password) url.password = '***';
  return url.toString();
}

type HostState = 'up' | 'down';

interface Host {
  spec: DockerHostSpec;
  name: string;
  engine: SandboxEngine;
  state: HostState;
  /** sessions started here and not yet finished (waiting for a slot included) */
  load: number;
  nextCheck: number;
  backoffMs: number;
  /** answered at least once since this process started */
  seen: boolean;
  lastError?: string;
}

export interface DockerHostsOptions {
  hosts: DockerHostSpec[];
  log: Logger;
  instance: string;
  /** idle containers per profile on each host (at most its capacity) */
  warm: number;
  maxUses: number;
  /** how often up hosts are pinged */
  checkMs?: number;
  /** first retry of a down host; doubles up to maxBackoffMs */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** for tests: engines from clients made elsewhere */
  docker?: (endpoint: string) => Docker;
}

export interface HostStats {
  endpoint: string;
  state: HostState;
  capacity: number;
  load: number;
  running: number;
  queued: number;
  last_error?: string;
}

export class DockerHosts implements Sessions {
  private hosts: Host[];
  private timer: NodeJS.Timeout;
  private checking = false;
  private readonly checkMs: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(private readonly opts: DockerHostsOptions) {
    this.checkMs = opts.checkMs ?? 5_000;
    this.backoffMs = opts.backoffMs ?? 1_000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 60_000;
    this.hosts = opts.hosts.map((spec) => {
      const name = redactEndpoint(spec.endpoint);
      return {
        spec,
        name,
        engine: new SandboxEngine({
          docker: (opts.docker ?? dockerFor)(spec.endpoint),
          log: opts.log.child({ host: name }),
          instance: opts.instance,
          concurrency: spec.capacity,
          warm: Math.min(opts.warm, spec.capacity),
          maxUses: opts.maxUses,
        }),
        // unknown until the first check: not chosen before it answers
        state: 'down',
        load: 0,
        nextCheck: 0,
        backoffMs: this.backoffMs,
        seen: false,
      };
    });
    this.timer = setInterval(() => void this.check(), Math.min(this.checkMs, this.backoffMs));
    this.timer.unref();
  }

  get capacity(): number {
    return this.hosts.reduce((n, h) => n + h.spec.capacity, 0);
  }

  /** Ping every host now (start-up): up hosts lose the containers a previous run of this instance left. */
  async start(): Promise<void> {
    await this.check(true);
  }

  async session<T>(profile: ContainerProfile, fn: (s: SandboxSession) => Promise<T>, onTimings?: (t: SessionTimings) => void, opts?: SessionOptions): Promise<T> {
    const host = this.pick();
    host.load += 1;
    try {
      return await host.engine.session(profile, fn, onTimings, opts);
    } catch (e) {
      if (e instanceof SandboxError && e.retryable && host.state === 'up' && !(await host.engine.ping())) {
        this.down(host, e.message);
      }
      throw e;
    } finally {
      host.load -= 1;
    }
  }

  prewarm(profile: ContainerProfile): void {
    for (const h of this.hosts) if (h.state === 'up') h.engine.prewarm(profile);
  }

  stats(): HostStats[] {
    return this.hosts.map((h) => {
      const s = h.engine.stats();
      return {
        endpoint: h.name,
        state: h.state,
        capacity: h.spec.capacity,
        load: h.load,
        running: s.running,
        queued: s.queued,
        ...(h.lastError ? { last_error: h.lastError } : {}),
      };
    });
  }

  /** each host's engine, e.g. to make sure the sandbox images are there */
  engines(): Array<{ endpoint: string; engine: SandboxEngine }> {
    return this.hosts.map((h) => ({ endpoint: h.name, engine: h.engine }));
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.hosts.map((h) => h.engine.close()));
  }

  private pick(): Host {
    // the lowest load for its capacity; ties go to the bigger host
    const share = (h: Host) => h.load / h.spec.capacity;
    let best: Host | undefined;
    for (const h of this.hosts) {
      if (h.state !== 'up') continue;
      if (!best || share(h) < share(best) || (share(h) === share(best) && h.spec.capacity > best.spec.capacity)) best = h;
    }
    if (!best) {
      const why = this.hosts.map((h) => `${h.name}: ${h.lastError ?? 'not checked yet'}`).join('; ');
      throw new SandboxError(`no Docker host is up (${why})`, 'daemon_unreachable');
    }
    return best;
  }

  private down(h: Host, why: string): void {
    if (h.state === 'down') return;
    h.state = 'down';
    h.lastError = why;
    h.backoffMs = this.backoffMs;
    h.nextCheck = Date.now() + h.backoffMs;
    this.opts.log.warn({ host: h.name, err: why }, 'Docker host down: drained until it answers again');
  }

  private async check(all = false): Promise<void> {
    if (this.checking && !all) return;
    this.checking = true;
    try {
      const now = Date.now();
      await Promise.all(
        this.hosts.map(async (h) => {
          if (!all && h.nextCheck > now) return;
          const ok = await h.engine.ping();
          if (ok && h.state === 'down') {
            // Only the first time: later, a missed ping must not kill containers in use.
            if (!h.seen) await h.engine.removeStale().catch(() => 0);
            h.seen = true;
            h.state = 'up';
            h.backoffMs = this.backoffMs;
            delete h.lastError;
            this.opts.log.info({ host: h.name }, 'Docker host up');
          } else if (!ok && h.state === 'up') {
            this.down(h, 'ping failed');
          } else if (!ok) {
            h.lastError ??= 'ping failed';
            h.backoffMs = Math.min(h.backoffMs * 2, this.maxBackoffMs);
          }
          h.nextCheck = Date.now() + (h.state === 'up' ? this.checkMs : h.backoffMs);
        }),
      );
    } finally {
      this.checking = false;
    }
  }
}
