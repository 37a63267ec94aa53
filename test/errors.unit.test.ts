import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError, ERROR_CATALOGUE, httpStatus, type ErrorCode } from '../src/errors.js';
import { OverloadError } from '../src/rl/admission.js';
import { fakeServer, type FakeServer } from './helpers/fake-server.js';

// The catalogue is the only place a code gets its HTTP status; these are the
// statuses the API answered with before it existed, so clients see no change.
describe('error catalogue', () => {
  it('maps each code to the status the API has always used', () => {
    const statuses = Object.fromEntries(Object.keys(ERROR_CATALOGUE).map((c) => [c, httpStatus(c as ErrorCode)]));
    expect(statuses).toEqual({
      invalid_request: 400,
      invalid_options: 400,
      unsupported_language: 400,
      unreadable_input: 400,
      no_reference: 400,
      unauthorized: 401,
      path_not_allowed: 403,
      not_found: 404,
      unknown_benchmark: 404,
      not_imported: 404,
      unknown_version: 404,
      unknown_problem: 404,
      unknown_job: 404,
      overloaded: 429,
      client_closed: 499,
      internal: 500,
      store_unavailable: 503,
    });
  });

  it('domain errors carry a code, never a status', () => {
    const e = new DomainError('unknown_job', "no job 'x'", 'id');
    expect(Object.keys(e)).not.toContain('statusCode');
    expect(new OverloadError(3)).toMatchObject({ code: 'overloaded', retryAfterS: 3 });
  });
});

describe('the HTTP layer answers a domain error with its catalogue status', () => {
  let app: FakeServer;
  beforeAll(() => {
    app = fakeServer();
  });
  afterAll(async () => {
    await app?.close();
  });

  it.each(Object.keys(ERROR_CATALOGUE) as ErrorCode[])('%s', async (code) => {
    // the fake grader throws the code its completion names, from inside the grading path
    const r = await app.server.inject({ method: 'POST', url: '/v1/grade', payload: { benchmark: 'humaneval', problem_id: 'Mini/0', completion: `throw:${code}` } });
    expect(r.statusCode).toBe(ERROR_CATALOGUE[code].status);
    expect(r.json()).toEqual({ error: code, message: `thrown: ${code}`, field: 'completion' });
  });

  it('keeps the bodies of errors raised in the routes and the server', async () => {
    const job = await app.server.inject({ method: 'GET', url: '/v1/jobs/nope' });
    expect([job.statusCode, job.json()]).toEqual([404, { error: 'unknown_job', message: "no job 'nope'", field: 'id' }]);
    const bench = await app.server.inject({ method: 'GET', url: '/v1/benchmarks/nope/problems' });
    expect([bench.statusCode, bench.json()]).toEqual([404, { error: 'unknown_benchmark', message: "unknown benchmark 'nope'", field: 'name' }]);
    const version = await app.server.inject({ method: 'GET', url: '/v1/benchmarks/humaneval/problems' });
    expect([version.statusCode, version.json()]).toEqual([404, { error: 'unknown_version', message: "benchmark 'humaneval' has no version '(none imported)'", field: 'version' }]);
    const route = await app.server.inject({ method: 'GET', url: '/v2/nothing?x=1' });
    expect([route.statusCode, route.json()]).toEqual([404, { error: 'not_found', message: 'no route GET /v2/nothing' }]);
    const bad = await app.server.inject({ method: 'POST', url: '/v1/grade', payload: { benchmark: 'humaneval', problem_id: 'Mini/0' } });
    expect([bad.statusCode, bad.json()]).toEqual([400, { error: 'invalid_request', message: "missing required field 'completion'", field: 'completion' }]);
    const batch = await app.server.inject({ method: 'POST', url: '/v1/grade/batch', payload: { items: [{ benchmark: 'humaneval', problem_id: 'Mini/9', completion: 'x' }] } });
    expect([batch.statusCode, batch.json()]).toEqual([404, { error: 'unknown_problem', message: "items[0]: problem 'Mini/9' not found", field: 'items.0.problem_id' }]);
  });
});
