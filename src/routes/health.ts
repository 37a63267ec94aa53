import type { FastifyInstance } from 'fastify';
import type { SandboxEngine } from '../sandbox/engine.js';
import { imageStatus } from '../sandbox/images.js';

export function healthRoutes(app: FastifyInstance, engine: SandboxEngine, sandboxesDir: string): void {
  app.get('/healthz', async (_req, reply) => {
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
      status: ok ? 'ok' : 'degraded',
      docker: detail ? { reachable, detail } : { reachable },
      images,
      pools: engine.stats().pools,
    };
    if (buildCommand) body.build_command = buildCommand;
    return reply.code(ok ? 200 : 503).send(body);
  });
}
