import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { unknownJob } from '../errors.js';
import type { JobRunner } from '../jobs/runner.js';
import type { JobStore } from '../store/jobs.js';
import { wantsJson } from './accept.js';
import { API } from './contract.js';
import { route } from './route.js';

/** Uploaded JSONL can be larger than a grade request; the service body limit still applies when larger. */
const JOB_BODY_LIMIT = 256 << 20;

export function jobRoutes(app: FastifyInstance, runner: JobRunner, jobs: JobStore, bodyLimitBytes: number): void {
  route(
    app,
    API.createJob,
    async ({ body }, _req, reply) => {
      const job = await runner.create(body);
      return reply.code(201).send(job);
    },
    { bodyLimit: Math.max(bodyLimitBytes, JOB_BODY_LIMIT) },
  );

  route(app, API.listJobs, async () => ({ jobs: runner.list() }));

  route(app, API.getJob, async ({ params: { id } }) => {
    const job = runner.get(id);
    if (!job) throw unknownJob(id);
    return job;
  });

  // NDJSON (or, for Accept: application/json, one {"results": [...]} document),
  // read from the store a page at a time: memory stays flat for any job size.
  route(app, API.jobResults, async ({ params: { id }, query: { after } }, req, reply) => {
    if (!runner.get(id)) throw unknownJob(id);
    const json = wantsJson(req.headers.accept);
    async function* chunks(): AsyncGenerator<string> {
      let cursor = after;
      if (json) yield '{"results":[';
      for (let first = true; ; first = false) {
        const page = jobs.results(id, cursor, 1000);
        if (!page.length) break;
        // each stored row is already one JSON document
        yield json ? (first ? '' : ',') + page.map((r) => r.json).join(',') : page.map((r) => r.json + '\n').join('');
        cursor = page[page.length - 1]!.seq;
      }
      if (json) yield ']}';
    }
    return reply.type(json ? 'application/json; charset=utf-8' : 'application/x-ndjson').send(Readable.from(chunks()));
  });

  route(app, API.cancelJob, async ({ params: { id } }) => {
    const job = runner.cancel(id);
    if (!job) throw unknownJob(id);
    return job;
  });
}
