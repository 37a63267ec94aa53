import crypto from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyError } from 'fastify';
import type { Logger } from 'pino';
import type { AnyBenchmark } from './benchmarks/types.js';
import { DomainError, httpStatus } from './errors.js';
import type { GradeService } from './grading/grader.js';
import type { Metrics } from './metrics.js';
import { openapiDocument } from './openapi.js';
import { benchmarkRoutes } from './routes/benchmarks.js';
import { selftestRoutes } from './routes/selftest.js';
import { gradeRoutes } from './routes/grade.js';
import { healthRoutes, type HealthCheck } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { batchRoutes } from './routes/batch.js';
import { dropInRoutes } from './routes/drop-ins.js';
import { OverloadError, type Admission } from './rl/admission.js';
import type { RewardService } from './rl/reward-service.js';
import type { RunCodeLane } from './rl/run-code-lane.js';
import { jobRoutes } from './routes/jobs.js';
import { API } from './routes/contract.js';
import { route } from './routes/route.js';
import type { JobRunner } from './jobs/runner.js';
import type { JobStore } from './store/jobs.js';
import type { ProblemStore } from './store/store.js';
import { VERSION } from './version.js';

export interface ServerDeps {
  log: Logger;
  store: ProblemStore;
  /** what /healthz reports: the local engine, or the queue and its workers */
  health: HealthCheck;
  grader: GradeService;
  metrics: Metrics;
  benchmarks: ReadonlyMap<string, AnyBenchmark>;
  apiKeys: string[];
  bodyLimitBytes: number;
  sandboxesDir: string;
  /** RL reward routes: batch, SandboxFusion and OpenRLHF drop-ins; /v1/grade goes through the reward service */
  rl?: { reward: RewardService; admission: Admission; runCodeLane: RunCodeLane };
  jobs?: { runner: JobRunner; store: JobStore };
}

export function buildServer(deps: ServerDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    bodyLimit: deps.bodyLimitBytes,
    genReqId: () => crypto.randomUUID(),
  });
  // JSON only: anything else is a 415, not a string the schemas then reject.
  app.removeContentTypeParser('text/plain');
  const keys = deps.apiKeys.map((k) => Buffer.from(k));
  // Every route comes from the contract, so openapi.yaml lists it with the schemas it validates with.
  app.addHook('onRoute', (r) => {
    if (r.method === 'HEAD' || r.config?.contract) return;
    throw new Error(`${String(r.method)} ${r.url}: register routes with route() from src/routes/route.ts, after listing them in src/routes/contract.ts`);
  });

  app.addHook('onRequest', async (req) => {
    if (keys.length === 0 || req.routeOptions.config.contract?.open) return;
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const given = Buffer.from(m?.[1] ?? '');
    const ok = keys.some((k) => k.length === given.length && crypto.timingSafeEqual(k, given));
    if (!ok) throw new DomainError('unauthorized', 'missing or invalid bearer API key', 'authorization');
  });

  app.addHook('onResponse', async (req, reply) => {
    deps.metrics.requests.inc({ route: req.routeOptions.url ?? 'unmatched', method: req.method, status: String(reply.statusCode) });
  });

  // The one place a catalogue code becomes an HTTP status.
  app.setErrorHandler((err: FastifyError | DomainError | Error, req, reply) => {
    if (err instanceof DomainError) {
      if (err instanceof OverloadError) void reply.header('retry-after', String(err.retryAfterS));
      return reply.code(httpStatus(err.code)).send({ error: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) });
    }
    const status = (err as FastifyError).statusCode;
    if (status && status >= 400 && status < 500) {
      // fastify's own: malformed JSON, body too large, wrong content type
      return reply.code(status).send({ error: (err as FastifyError).code ?? 'bad_request', message: err.message, field: 'body' });
    }
    // the store's disk is full or failing: ours and retryable, not a crash
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && /^SQLITE_(FULL|IOERR|BUSY|LOCKED|READONLY)/.test(code)) {
      req.log.error({ err }, 'store unavailable');
      return reply.code(httpStatus('store_unavailable')).header('retry-after', '30').send({ error: 'store_unavailable', message: `the service cannot write its store (${code}); retry later` });
    }
    req.log.error({ err }, 'unhandled error');
    return reply.code(httpStatus('internal')).send({ error: 'internal', message: 'internal error; see the service log for ' + req.id });
  });

  app.setNotFoundHandler((req, reply) =>
    reply.code(httpStatus('not_found')).send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` }),
  );

  gradeRoutes(app, deps.rl?.reward ?? { grade: (r) => deps.grader.grade(r) });
  if (deps.rl) {
    batchRoutes(app, deps.rl.reward);
    dropInRoutes(app, { ...deps.rl, benchmarks: new Set(deps.benchmarks.keys()) });
  }
  benchmarkRoutes(app, deps.store, deps.benchmarks);
  selftestRoutes(app, deps.grader, deps.store, deps.benchmarks);
  healthRoutes(app, deps.health);
  metricsRoutes(app, deps.metrics);
  if (deps.jobs) jobRoutes(app, deps.jobs.runner, deps.jobs.store, deps.bodyLimitBytes);
  const doc = openapiDocument(VERSION);
  route(app, API.openapi, async () => doc);
  return app;
}
