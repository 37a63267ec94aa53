import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { openapiDocument } from '../src/openapi.js';
import { fastifyPath, ROUTES, type RouteSpec } from '../src/routes/contract.js';
import { VERSION } from '../src/version.js';
import { fakeServer, type FakeServer } from './helpers/fake-server.js';

// The route contract is the single source of what a route accepts and of what
// openapi.yaml says it accepts: every route is in it, each validates with the
// schemas the document references, and none escapes it.

type Operation = {
  security?: unknown[];
  parameters?: Array<{ name: string; in: string; schema: unknown }>;
  requestBody?: { required: boolean; content: { 'application/json': { schema: { $ref: string } } } };
};
const doc = openapiDocument(VERSION) as { paths: Record<string, Record<string, Operation>> };
const refOf = (s: z.ZodType) => `#/components/schemas/${z.globalRegistry.get(s)?.id}`;
const jsonSchema = (s: z.ZodObject) => (z.toJSONSchema(s, { target: 'draft-2020-12', io: 'input' }) as { properties: Record<string, unknown> }).properties;

describe('route contract', () => {
  let app: FakeServer;
  beforeAll(() => {
    app = fakeServer();
  });
  afterAll(async () => {
    await app?.close();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('openapi.yaml lists exactly the routes the server has', () => {
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
    expect(documented.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    for (const r of ROUTES) expect(app.server.hasRoute({ method: r.method.toUpperCase(), url: fastifyPath(r) }), r.path).toBe(true);
  });

  it('refuses a route registered outside the contract', () => {
    const other = fakeServer();
    try {
      expect(() => other.server.get('/v1/undocumented', async () => 'x')).toThrow(/contract/);
    } finally {
      void other.close();
    }
  });

  it('documents each route input with the schema the route validates with', () => {
    for (const r of ROUTES) {
      const op = doc.paths[r.path]![r.method]!;
      if (r.body) expect(op.requestBody?.content['application/json'].schema.$ref, r.path).toBe(refOf(r.body));
      else expect(op.requestBody, r.path).toBeUndefined();
      for (const [where, obj] of [['path', r.params], ['query', r.query]] as const) {
        const documented = Object.fromEntries((op.parameters ?? []).filter((p) => p.in === where).map((p) => [p.name, p.schema]));
        expect(documented, `${r.path} ${where}`).toEqual(obj ? jsonSchema(obj) : {});
      }
    }
  });

  it('asks for the bearer key exactly where openapi.yaml says so', async () => {
    const keyed = fakeServer({ apiKeys: ['k-123'] });
    try {
      for (const r of ROUTES) {
        const res = await keyed.server.inject({ method: r.method.toUpperCase() as 'GET', url: r.path.replace(/\{\w+\}/g, 'probe') });
        expect(res.statusCode === 401, `${r.method} ${r.path}`).toBe(doc.paths[r.path]![r.method]!.security !== undefined);
      }
    } finally {
      await keyed.close();
    }
  });

  const withInput = ROUTES.filter((r) => r.params || r.query || r.body);
  it.each(withInput.map((r) => [`${r.method} ${r.path}`, r] as const))('%s validates with its contract schemas', async (_name, r: RouteSpec) => {
    const spies = { params: r.params, query: r.query, body: r.body };
    const seen = Object.fromEntries(Object.entries(spies).filter(([, s]) => s).map(([k, s]) => [k, vi.spyOn(s!, 'safeParse')]));
    const url = r.path.replace(/\{\w+\}/g, 'probe') + '?probe=1';
    // a body no contract schema accepts: the route answers 400 naming the field before it does anything
    const res = await app.server.inject({ method: r.method.toUpperCase() as 'GET', url, ...(r.body ? { payload: { __probe: true } } : {}) });
    expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
    expect(res.statusCode, res.body).toBeLessThan(500);
    if (seen.params) expect(seen.params.mock.calls[0]?.[0]).toEqual({ [Object.keys(r.params!.shape)[0]!]: 'probe' });
    if (seen.query) expect(seen.query.mock.calls[0]?.[0]).toMatchObject({ probe: '1' });
    if (seen.body) {
      expect(seen.body.mock.calls[0]?.[0]).toEqual({ __probe: true });
      expect(res.statusCode).toBe(400);
      expect((res.json() as { field?: string }).field).toBeTruthy();
    }
  });
});
