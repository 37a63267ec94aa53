import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { openapiDocument } from '../src/openapi.js';
import { VERSION } from '../src/version.js';
import { writeFixtures } from './fixtures/humaneval.js';
import { testApp } from './helpers/app.js';

// HTTP behaviour that needs no sandbox: validation, lookups, auth, docs.
describe('HTTP API', () => {
  let app: Awaited<ReturnType<typeof testApp>>;
  beforeAll(async () => {
    const fx = writeFixtures();
    app = await testApp([{ benchmark: 'humaneval', file: fx.humaneval }], { bodyLimitBytes: 64 * 1024 });
  });
  afterAll(async () => {
    await app?.close();
  });

  const grade = (payload: unknown, headers: Record<string, string> = {}) =>
    app.server.inject({ method: 'POST', url: '/v1/grade', payload: payload as string, headers: { 'content-type': 'application/json', ...headers } });

  it('lists benchmarks with their imported versions', async () => {
    const r = await app.server.inject({ method: 'GET', url: '/v1/benchmarks' });
    expect(r.statusCode).toBe(200);
    const he = r.json().benchmarks.find((b: { name: string }) => b.name === 'humaneval');
    expect(he.default_version).toMatch(/^1\.0\+[0-9a-f]{8}$/);
    expect(he.versions[0].problems).toBe(3);
  });

  it('lists problem ids and prompts but never hidden tests', async () => {
    const r = await app.server.inject({ method: 'GET', url: '/v1/benchmarks/humaneval/problems?limit=2' });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.total).toBe(3);
    expect(body.problems.map((p: { id: string }) => p.id)).toEqual(['Mini/0', 'Mini/1']);
    expect(body.problems[0].entry_point).toBe('add_three');
    expect(r.body).not.toContain('def check');
    expect(r.body).not.toContain('canonical');
  });

  it('rejects malformed bodies with 400 naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      ['{not json', 'body'],
      [{ problem_id: 'Mini/0', completion: 'x' }, 'benchmark'],
      [{ benchmark: 'humaneval', problem_id: 'Mini/0', completion: 42 }, 'completion'],
      [{ benchmark: 'humaneval', problem_id: 'Mini/0', completion: 'x', extra: 1 }, 'extra'],
      [{ benchmark: 'humaneval', problem_id: 'Mini/0', completion: 'x', options: { timeout_s: 'slow' } }, 'options.timeout_s'],
      [{ benchmark: 'humaneval', problem_id: 'Mini/0', completion: 'x', options: { bogus: true } }, 'options.bogus'],
      [{ benchmark: 'humaneval', problem_id: 'Mini/0', completion: 'x', options: { runtime: 'kata' } }, 'options.runtime'],
      [[], 'body'],
    ];
    for (const [payload, field] of cases) {
      const r = await grade(typeof payload === 'string' ? payload : JSON.stringify(payload));
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(r.json().field, JSON.stringify(payload)).toBe(field);
      expect(r.json().message).toContain(field === 'body' ? '' : field.split('.').pop()!);
    }
  });

  it('answers 404 for unknown benchmarks, versions and problems', async () => {
    const base = { benchmark: 'humaneval', problem_id: 'Mini/0', completion: '    return 0\n' };
    expect((await grade(JSON.stringify({ ...base, benchmark: 'nope' }))).statusCode).toBe(404);
    expect((await grade(JSON.stringify({ ...base, problem_id: 'Mini/99' }))).json().field).toBe('problem_id');
    expect((await grade(JSON.stringify({ ...base, options: { version: 'v9' } }))).json().field).toBe('options.version');
    expect((await grade(JSON.stringify({ ...base, benchmark: 'humaneval-plus' }))).json().error).toBe('not_imported');
    expect((await app.server.inject({ method: 'GET', url: '/v1/benchmarks/nope/problems' })).statusCode).toBe(404);
    expect((await app.server.inject({ method: 'GET', url: '/v2/nothing' })).statusCode).toBe(404);
  });

  it('answers 413 for a body over the limit and 415 for a non-JSON content type', async () => {
    const big = JSON.stringify({ benchmark: 'humaneval', problem_id: 'Mini/0', completion: 'x'.repeat(100 * 1024) });
    expect((await grade(big)).statusCode).toBe(413);
    const r = await app.server.inject({ method: 'POST', url: '/v1/grade', payload: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(r.statusCode).toBe(415);
  });

  it('validates list queries', async () => {
    const r = await app.server.inject({ method: 'GET', url: '/v1/benchmarks/humaneval/problems?limit=0' });
    expect(r.statusCode).toBe(400);
    expect(r.json().field).toBe('limit');
  });

  it('serves OpenAPI 3.1 identical to the committed openapi.yaml', async () => {
    const r = await app.server.inject({ method: 'GET', url: '/openapi.json' });
    expect(r.statusCode).toBe(200);
    expect(r.json().openapi).toBe('3.1.0');
    const committed = YAML.parse(fs.readFileSync(path.join(__dirname, '..', 'openapi.yaml'), 'utf8'));
    expect(r.json()).toEqual(committed);
    expect(openapiDocument(VERSION)).toEqual(committed);
  });

  it('exposes Prometheus metrics', async () => {
    const r = await app.server.inject({ method: 'GET', url: '/metrics' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('verdict_http_requests_total');
    expect(r.body).toContain('verdict_queue_depth');
    expect(r.body).toContain('verdict_phase_seconds');
  });
});

describe('bearer API keys', () => {
  let app: Awaited<ReturnType<typeof testApp>>;
  beforeAll(async () => {
    app = await testApp([], { apiKeys: ['secret-key-123'] });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('requires the key on API routes but not on /healthz', async () => {
    expect((await app.server.inject({ method: 'GET', url: '/v1/benchmarks' })).statusCode).toBe(401);
    const wrong = await app.server.inject({ method: 'GET', url: '/v1/benchmarks', headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(401);
    const ok = await app.server.inject({ method: 'GET', url: '/v1/benchmarks', headers: { authorization: 'Bearer secret-key-123' } });
    expect(ok.statusCode).toBe(200);
    expect([200, 503]).toContain((await app.server.inject({ method: 'GET', url: '/healthz' })).statusCode);
  });
});
