import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { unknownJob } from '../errors.js';
import type { JobRunner } from '../jobs/runner.js';
import { JobCreateSchema, JobParamsSchema, JobResultsQuerySchema } from '../jobs/schemas.js';
import type { JobStore } from '../store/jobs.js';
import { parseOr400 } from '../validate.js';

/** Uploaded JSONL can be larger than a grade request; the service body limit still applies when larger. */
const JOB_BODY_LIMIT = 256 << 20;

export function jobRoutes(app: FastifyInstance, runner: JobRunner, jobs: JobStore, bodyLimitBytes: number): void {

  app.post('/v1/jobs', { bodyLimit: Math.max(bodyLimitBytes, JOB_BODY_LIMIT) }, async (req, reply) => {
    const body = parseOr400(JobCreateSchema, req.body, 'body');
    const job = await runner.create(body);
    return reply.code(201).send(job);
  });

  app.get('/v1/jobs', async () => ({ jobs: runner.list() }));

  app.get('/v1/jobs/:id', async (req) => {
    const { id } = parseOr400(JobParamsSchema, req.params, 'params');
    const job = runner.get(id);
    if (!job) throw unknownJob(id);
    return job;
  });

  // NDJSON, read from the store a page at a time: memory stays flat for any job size.
  app.get('/v1/jobs/:id/results', async (req, reply) => {
    const { id } = parseOr400(JobParamsSchema, req.params, 'params');
    const { after } = parseOr400(JobResultsQuerySchema, req.query, 'query');
    if (!runner.get(id)) throw unknownJob(id);
    async function* lines(): AsyncGenerator<string> {
      let cursor = after;
      for (;;) {
        const page = jobs.results(id, cursor, 1000);
        if (!page.length) return;
        yield page.map((r) => r.json + '\n').join('');
        cursor = page[page.length - 1]!.seq;
      }
    }
    return reply.type('application/x-ndjson').send(Readable.from(lines()));
  });

  app.delete('/v1/jobs/:id', async (req) => {
    const { id } = parseOr400(JobParamsSchema, req.params, 'params');
    const job = runner.cancel(id);
    if (!job) throw unknownJob(id);
    return job;
  });
}
