import type { FastifyInstance } from 'fastify';
import type { QueueClient } from '../queue/client.js';
import type { SandboxEngine } from '../sandbox/engine.js';
import type { DockerHosts } from '../sandbox/hosts.js';
import { imageStatus } from '../sandbox/images/status.js';
import type { ImageBuilder } from '../sandbox/image-builder.js';
import { benchmarkReadiness } from '../benchmarks/images.js';
import { API } from './contract.js';
import { route } from './route.js';

/** ok = this process can grade; the body says what it checked; `status` overrides 'ok' (e.g. 'building'). */
export type HealthCheck = () => Promise<{ ok: boolean; status?: string; body: Record<string, unknown> }>;

export function healthRoutes(app: FastifyInstance, check: HealthCheck): void {
  route(app, API.health, async (_in, _req, reply) => {
    const { ok, status, body } = await check();
    return reply.code(ok ? 200 : 503).send({ status: ok ? (status ?? 'ok') : 'degraded', ...body });
  });
}

/**
 * Grading here: the Docker engine answers and every sandbox image is built.
 * With background builds (`builder`), images still being built make the
 * service 'building' (200: it grades the benchmarks that are ready), each
 * benchmark says whether it is ready, and each image how far its build is.
 */
export function engineHealth(engine: SandboxEngine, sandboxesDir: string, builder?: ImageBuilder): HealthCheck {
  return async () => {
    if (builder) {
      const reachable = await engine.ping();
      const st = builder.status();
      const failed = st.some((s) => s.state === 'failed');
      const byName = new Map(st.map((s) => [s.name, s.state === 'queued' || s.state === 'building' ? 'building' : s.state]));
      return {
        ok: reachable && !failed,
        status: builder.busy ? 'building' : 'ok',
        body: {
          docker: reachable ? { reachable } : { reachable, detail: 'Docker engine does not answer: start dockerd (scripts/ensure-docker.sh) or set DOCKER_HOST' },
          benchmarks: benchmarkReadiness((n) => byName.get(n) ?? 'missing'),
          images: st,
          pools: engine.stats().pools,
        },
      };
    }
    const reachable = await engine.ping();
    let images: Array<{ name: string; ref: string; present: boolean }> = [];
    let buildCommand: string | undefined;
    let detail: string | undefined;
    if (reachable) {
      try {
        const st = await imageStatus(engine.docker, sandboxesDir);
        images = st.sandboxes;
        buildCommand = st.buildCommand;
      } catch (e) {
        detail = `image status unavailable: ${(e as Error).message}`;
      }
    } else {
      detail = 'Docker engine does not answer: start dockerd (scripts/ensure-docker.sh) or set DOCKER_HOST';
    }
    const ok = reachable && images.every((i) => i.present) && !detail;
    const body: Record<string, unknown> = {
      docker: detail ? { reachable, detail } : { reachable },
      images,
      pools: engine.stats().pools,
    };
    if (buildCommand) body.build_command = buildCommand;
    return { ok, body };
  };
}

/** Grading on workers: Redis answers and at least one worker is connected. */
export function queueHealth(queue: QueueClient): HealthCheck {
  return async () => {
    const st = await queue.status();
    const ok = st.reachable && st.workers > 0;
    const detail = !st.reachable ? `Redis does not answer: ${st.error ?? ''}` : st.workers === 0 ? 'no worker is connected: start `verdict worker --queue …`' : undefined;
    return { ok, body: { queue: { ...st, ...(detail ? { detail } : {}), in_flight: queue.pending } } };
  };
}

/** A worker: which of its Docker hosts are up. */
export function hostsHealth(hosts: DockerHosts, extra: () => Record<string, unknown>): HealthCheck {
  return async () => {
    const st = hosts.stats();
    return { ok: st.some((h) => h.state === 'up'), body: { hosts: st, ...extra() } };
  };
}
