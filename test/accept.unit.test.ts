import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wantsJson } from '../src/routes/accept.js';
import { fakeServer, type FakeServer } from './helpers/fake-server.js';

// Routes that stream NDJSON answer one JSON document, same content, to a
// client whose Accept asks for application/json and not for NDJSON.
describe('Accept: application/json on NDJSON routes', () => {
  it('wants JSON only when application/json is accepted and NDJSON is not', () => {
    expect(wantsJson('application/json')).toBe(true);
    expect(wantsJson('Application/JSON; charset=utf-8')).toBe(true);
    expect(wantsJson('text/html, application/json;q=0.9')).toBe(true);
    expect(wantsJson(undefined)).toBe(false);
    expect(wantsJson('*/*')).toBe(false);
    expect(wantsJson('application/x-ndjson')).toBe(false);
    expect(wantsJson('application/json, application/x-ndjson')).toBe(false);
    expect(wantsJson('application/ndjson, application/json')).toBe(false);
    expect(wantsJson('application/json;q=0')).toBe(false);
  });

  let app: FakeServer;
  beforeAll(() => {
    app = fakeServer();
  });
  afterAll(async () => {
    await app?.close();
  });

  const ndjson = (body: string) =>
    body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { index?: number; seq?: number });

  it('/v1/grade/batch: one BatchResponse, the NDJSON lines in input order', async () => {
    // the first item finishes last, so the stream's order differs from the document's
    const items = [
      { benchmark: 'humaneval', problem_id: 'Mini/0', completion: 'delay:50' },
      { benchmark: 'humaneval', problem_id: 'Mini/1', completion: '    return 0\n' },
      { benchmark: 'humaneval', problem_id: 'Mini/2', completion: '    return 1\n' },
    ];
    const batch = (accept?: string) =>
      app.server.inject({ method: 'POST', url: '/v1/grade/batch', payload: { items, options: { cache: false } }, headers: accept ? { accept } : {} });
    const stream = await batch();
    expect(stream.headers['content-type']).toBe('application/x-ndjson');
    const lines = ndjson(stream.body);
    expect(lines.map((l) => l.index)).toEqual([1, 2, 0]);

    const doc = await batch('application/json');
    expect(doc.statusCode).toBe(200);
    expect(doc.headers['content-type']).toBe('application/json; charset=utf-8');
    const { results } = doc.json() as { results: Array<{ index: number; status: string }> };
    expect(results.map((r) => r.index)).toEqual([0, 1, 2]);
    expect(results.map((r) => r.status)).toEqual(['pass', 'fail', 'pass']);
    // same verdicts as the stream's, timings aside
    const strip = ({ timings: _t, cached: _c, ...v }: { timings?: unknown; cached?: unknown }) => v;
    expect(results.map(strip)).toEqual([...lines].sort((a, b) => a.index! - b.index!).map(strip));

    expect((await batch('application/json, application/x-ndjson')).headers['content-type']).toBe('application/x-ndjson');
    expect((await batch('*/*')).headers['content-type']).toBe('application/x-ndjson');
  });

  it('/v1/jobs/{id}/results: one JobResults document with the NDJSON lines', async () => {
    const jsonl = [0, 1, 2, 0].map((i) => JSON.stringify({ problem_id: `Mini/${i}`, completion: i === 1 ? '    return 0\n' : '    return 1\n' })).join('\n') + '\nnot json\n';
    const created = await app.server.inject({ method: 'POST', url: '/v1/jobs', payload: { benchmark: 'humaneval', jsonl } });
    expect(created.statusCode).toBe(201);
    const id = (created.json() as { id: string }).id;
    for (let i = 0; i < 200 && app.runner.get(id)?.state === 'running'; i++) await new Promise((r) => setTimeout(r, 10));
    expect(app.runner.get(id)?.state).toBe('done');

    const results = (accept?: string, query = '') =>
      app.server.inject({ method: 'GET', url: `/v1/jobs/${id}/results${query}`, headers: accept ? { accept } : {} });
    const stream = await results();
    expect(stream.headers['content-type']).toBe('application/x-ndjson');
    const lines = ndjson(stream.body);
    expect(lines).toHaveLength(5);

    const doc = await results('application/json');
    expect(doc.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(doc.json()).toEqual({ results: lines });
    // resuming works the same way in both forms
    expect((await results('application/json', '?after=2')).json()).toEqual({ results: lines.filter((l) => l.seq! > 2) });
    expect((await results('application/json', '?after=99')).json()).toEqual({ results: [] });
  });
});
