import Docker from 'dockerode';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { BENCHMARKS } from '../../src/benchmarks/registry.js';
import { loadConfig } from '../../src/config.js';
import { writeFixtures } from '../fixtures/humaneval.js';
import { quietLog, SANDBOXES } from '../helpers/docker.js';
import { ti } from '../helpers/instance.js';

// API fuzzing: >= 10,000 malformed, oversized and wrong-typed requests across
// every route, generated from valid seeds by a seeded PRNG (the same cases on
// every run). Every one must be a 4xx with a JSON error naming something; none
// a 5xx; and the service answers normally afterwards. The engine points at a
// socket nobody listens on, so a request that slipped through validation
// could not start a container (it would show up here as a non-4xx).

const BODY_LIMIT = 256 << 10;
const CASES = 10_500;

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Kind = 'string' | 'int' | 'number' | 'bool' | 'object' | 'array' | 'enum' | 'id';

interface Field {
  path: string[];
  kind: Kind;
  /** values of the right type that break a constraint (too long, out of range, not in the enum) */
  bad?: Json[];
  /** null is a valid value */
  nullable?: boolean;
}

interface PostRoute {
  url: string;
  seed: Record<string, Json>;
  fields: Field[];
}

const deep = (n: number): Json => {
  let v: Json = [];
  for (let i = 0; i < n; i++) v = [v];
  return v;
};
const long = (n: number) => 'x'.repeat(n);

// Values of each JSON type; a field gets one not of its kind.
const BY_TYPE: Record<string, Json[]> = {
  null: [null],
  bool: [true, false],
  number: [0, -1, 1.5, -0.0001, 1e308, -1e308, 2 ** 53 + 1],
  string: ['', ' ', '\u0000', '☃💥', '../../etc/passwd', '%00', '{"a":1}', 'true', '12', long(300)],
  array: [[], [null], [1, 'a', {}], deep(50)],
  object: [{}, { __proto__: { polluted: true } } as unknown as Json, { constructor: { prototype: { x: 1 } } }, { a: deep(20) }],
};
const WRONG: Record<Kind, string[]> = {
  string: ['null', 'bool', 'number', 'array', 'object'],
  id: ['null', 'bool', 'array', 'object'],
  int: ['null', 'bool', 'string', 'array', 'object'],
  number: ['null', 'bool', 'string', 'array', 'object'],
  bool: ['null', 'number', 'string', 'array', 'object'],
  object: ['bool', 'number', 'string', 'array'],
  array: ['bool', 'number', 'string', 'object'],
  enum: ['null', 'bool', 'number', 'array', 'object'],
};

const inlineAssert = { tests: { type: 'assert', entry_point: 'f', code: 'assert f(1) == 1' }, timeout_s: 2 };
const POSTS: PostRoute[] = [
  {
    url: '/v1/grade',
    seed: { benchmark: 'humaneval', problem_id: 'Mini/0', completion: '    return a + b + c\n', options: { timeout_ms: 1000, cache: false } },
    fields: [
      { path: ['benchmark'], kind: 'string', bad: ['', long(101)] },
      { path: ['problem_id'], kind: 'string', bad: ['', long(501)] },
      { path: ['completion'], kind: 'string' },
      { path: ['options'], kind: 'object' },
      { path: ['options', 'timeout_ms'], kind: 'int', bad: [0, -5, 1.5, 3_600_001] },
      { path: ['options', 'cache'], kind: 'bool' },
      { path: ['options', 'runtime'], kind: 'enum', bad: ['', 'kata', 'RUNC'] },
      { path: ['options', 'version'], kind: 'string', bad: [''] },
    ],
  },
  {
    url: '/v1/grade/batch',
    seed: { benchmark: 'humaneval', items: [{ problem_id: 'Mini/0', completion: 'x' }, { problem: inlineAssert, completion: 'def f(x): return x' }], format: 'json' },
    fields: [
      { path: ['items'], kind: 'array', bad: [[]] },
      { path: ['items', '0'], kind: 'object' },
      { path: ['items', '0', 'completion'], kind: 'string' },
      { path: ['items', '0', 'problem_id'], kind: 'string', bad: ['', long(501)] },
      { path: ['items', '1', 'problem'], kind: 'object' },
      { path: ['items', '1', 'problem', 'tests'], kind: 'object', bad: [{}, { type: 'nope' }] },
      { path: ['items', '1', 'problem', 'tests', 'type'], kind: 'enum', bad: ['', 'stdin', 'ASSERT'] },
      { path: ['items', '1', 'problem', 'tests', 'entry_point'], kind: 'string', bad: ['', '1f', 'f-g', 'f g', long(201)] },
      { path: ['items', '1', 'problem', 'tests', 'code'], kind: 'string', bad: [''] },
      { path: ['items', '1', 'problem', 'timeout_s'], kind: 'number', bad: [0, -1, 121] },
      { path: ['items', '1', 'problem', 'memory_mb'], kind: 'int', bad: [63, 8193, 100.5] },
      { path: ['format'], kind: 'enum', bad: ['', 'xml', 'NDJSON'] },
      { path: ['timeout_ms'], kind: 'int', bad: [0, -1, 0.5, 3_600_001] },
      { path: ['benchmark'], kind: 'string', bad: ['', long(101)] },
      { path: ['options'], kind: 'object' },
    ],
  },
  {
    url: '/run_code',
    seed: { code: 'print(1)', language: 'python', run_timeout: 5, files: {}, fetch_files: [], args: [] },
    fields: [
      { path: ['code'], kind: 'string' },
      { path: ['language'], kind: 'enum', bad: ['', 'cobol', 'Python', 'PYTHON'] },
      { path: ['run_timeout'], kind: 'number', bad: [0, -1, 601] },
      { path: ['compile_timeout'], kind: 'number', bad: [0, -3, 601] },
      { path: ['memory_limit_MB'], kind: 'int', bad: [1.5] },
      { path: ['files'], kind: 'object' },
      { path: ['fetch_files'], kind: 'array', bad: [Array.from({ length: 101 }, (_, i) => `f${i}`)] },
      { path: ['args'], kind: 'array', bad: [[1, 2]] },
    ],
  },
  {
    url: '/submit',
    seed: { dataset: 'humaneval', id: 'Mini/0', completion: '    return a + b + c\n', config: {} },
    fields: [
      { path: ['dataset'], kind: 'string', bad: [''] },
      { path: ['id'], kind: 'id', bad: [1.5] },
      { path: ['completion'], kind: 'string' },
      { path: ['config'], kind: 'object' },
      { path: ['config', 'run_timeout'], kind: 'number', bad: [0, -1, 601], nullable: true },
    ],
  },
  {
    url: '/get_reward',
    seed: { query: ['def f(x): return x'], prompts: [''], labels: [{ problem: inlineAssert }] },
    fields: [
      { path: ['query'], kind: 'array', bad: [[], [1]] },
      { path: ['query', '0'], kind: 'string' },
      { path: ['prompts'], kind: 'array', bad: [[1]] },
      { path: ['labels'], kind: 'array' },
    ],
  },
  {
    url: '/v1/jobs',
    seed: { benchmark: 'humaneval', jsonl: '{"problem_id": "Mini/0", "completion": "x"}\n', format: 'verdict' },
    fields: [
      { path: ['benchmark'], kind: 'string', bad: ['', long(101)] },
      { path: ['format'], kind: 'enum', bad: ['', 'csv', 'VERDICT'] },
      { path: ['jsonl'], kind: 'string' },
      { path: ['path'], kind: 'string', bad: ['', long(4097)] },
      { path: ['options'], kind: 'object' },
      { path: ['id_field'], kind: 'string', bad: ['', long(101)] },
      { path: ['reply_field'], kind: 'string', bad: ['', long(101)] },
    ],
  },
  {
    url: '/v1/benchmarks/humaneval/selftest',
    seed: { problem_ids: ['Mini/0'], concurrency: 1 },
    fields: [
      { path: ['version'], kind: 'string', bad: [''] },
      { path: ['problem_ids'], kind: 'array', bad: [[], [''], [long(501)]] },
      { path: ['limit'], kind: 'int', bad: [0, -1, 1.5] },
      { path: ['concurrency'], kind: 'int', bad: [0, 17, 1.5] },
    ],
  },
];

interface Case {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  url: string;
  headers?: Record<string, string>;
  payload?: string | Buffer;
  what: string;
}

function setPath(obj: Record<string, Json>, p: string[], v: Json | undefined): Record<string, Json> {
  const root = structuredClone(obj) as Record<string, Json>;
  let cur = root as Record<string, Json> | Json[];
  for (let i = 0; i < p.length - 1; i++) {
    const k = p[i]!;
    let next = (cur as Record<string, Json>)[k];
    if (next === null || typeof next !== 'object') {
      next = {};
      (cur as Record<string, Json>)[k] = next;
    }
    cur = next as Record<string, Json>;
  }
  const last = p.at(-1)!;
  if (v === undefined) delete (cur as Record<string, Json>)[last];
  else (cur as Record<string, Json>)[last] = v;
  return root;
}

const REQUIRED: Record<string, string[][]> = {
  '/v1/grade': [['benchmark'], ['problem_id'], ['completion']],
  '/v1/grade/batch': [['items'], ['items', '0', 'completion']],
  '/run_code': [['code'], ['language']],
  '/submit': [['dataset'], ['id'], ['completion']],
  '/get_reward': [['query'], ['labels']],
  '/v1/jobs': [['benchmark']],
};

// Routes whose schema is strict: an unknown field is an error there.
const STRICT = new Set(['/v1/grade', '/v1/grade/batch', '/v1/benchmarks/humaneval/selftest']);

const JSON_HEADERS = { 'content-type': 'application/json' };

function generate(n: number): Case[] {
  const rnd = prng(0x5eed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const cases: Case[] = [];
  const post = (url: string, body: Json | Record<string, Json>, what: string): Case => ({ method: 'POST', url, headers: JSON_HEADERS, payload: JSON.stringify(body), what });
  const junkIds = ['%00', '..%2F..%2Fetc', 'a'.repeat(65), 'id with space', '%E2%98%83', '*', '-'.repeat(70), '%25', 'a.b', '%2e%2e'];
  while (cases.length < n) {
    const r = rnd();
    const route = pick(POSTS);
    if (r < 0.45) {
      // one field of the wrong type
      const f = pick(route.fields);
      const t = pick(WRONG[f.kind].filter((k) => !(f.nullable && k === 'null')));
      const v = pick(BY_TYPE[t]!);
      cases.push(post(route.url, setPath(route.seed, f.path, v), `${route.url} ${f.path.join('.')} as ${t}`));
    } else if (r < 0.6) {
      // the right type, a broken constraint
      const withBad = route.fields.filter((f) => f.bad?.length);
      const f = pick(withBad);
      cases.push(post(route.url, setPath(route.seed, f.path, pick(f.bad!)), `${route.url} ${f.path.join('.')} out of range`));
    } else if (r < 0.68) {
      const req = REQUIRED[route.url];
      if (!req) continue;
      const p = pick(req);
      cases.push(post(route.url, setPath(route.seed, p, undefined), `${route.url} without ${p.join('.')}`));
    } else if (r < 0.72) {
      if (!STRICT.has(route.url)) continue;
      cases.push(post(route.url, { ...route.seed, [pick(['extra', '__proto__x', 'Benchmark', 'constructor', 'x'.repeat(50)])]: pick(BY_TYPE.string!) }, `${route.url} unknown field`));
    } else if (r < 0.8) {
      // bodies that are not the object the route wants
      const bodies: Array<[string, string]> = [
        ['not JSON', '{"benchmark": '],
        ['trailing garbage', '{"a": 1} x'],
        ['empty object', '{}'],
        ['an array', '[1, 2, 3]'],
        ['a string', '"grade me"'],
        ['a number', '42'],
        ['null', 'null'],
        ['true', 'true'],
        ['binary', '\u0000\u0001\u0002\uffff'],
        // in place of the route's first field (loose schemas would take it as an unknown field)
        ['a 20000-deep array', JSON.stringify(setPath(route.seed, route.fields[0]!.path, '@deep@')).replace('"@deep@"', '['.repeat(20_000) + ']'.repeat(20_000))],
        ['duplicate keys', '{"benchmark": "humaneval", "benchmark": 5}'],
        ['a lone surrogate', '{"completion": "\\ud800"}'],
      ];
      const [what, body] = pick(bodies);
      // every field of a selftest is optional: {} and null (no body) are valid there
      if (route.url.endsWith('/selftest') && (what === 'empty object' || what === 'null')) continue;
      cases.push({ method: 'POST', url: route.url, headers: JSON_HEADERS, payload: body, what: `${route.url} ${what}` });
    } else if (r < 0.83) {
      const ct = pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream']);
      cases.push({ method: 'POST', url: route.url, headers: { 'content-type': ct }, payload: JSON.stringify(route.seed), what: `${route.url} as ${ct}` });
    } else if (r < 0.835) {
      cases.push({ method: 'POST', url: route.url, headers: JSON_HEADERS, payload: Buffer.alloc(BODY_LIMIT + 1024, 0x20), what: `${route.url} beyond the body limit` });
    } else if (r < 0.9) {
      // path parameters and query strings
      const id = pick(junkIds);
      const q = pick(['', '?after=abc', '?after=-2', '?after=1.5', '?after=1e400', '?after[]=1']);
      const which = rnd();
      if (which < 0.3) cases.push({ method: 'GET', url: `/v1/jobs/${id}${q}`, what: 'job id' });
      else if (which < 0.5) cases.push({ method: 'GET', url: `/v1/jobs/${id}/results${q}`, what: 'job results' });
      else if (which < 0.6) cases.push({ method: 'DELETE', url: `/v1/jobs/${id}`, what: 'job delete' });
      else if (which < 0.75) cases.push({ method: 'GET', url: `/v1/jobs/job_does_not_exist/results${q || '?after=x'}`, what: 'results query' });
      else {
        const name = pick(['humaneval', 'nope', '%00', 'a'.repeat(101)]);
        const pq = pick(['?offset=-1', '?limit=0', '?limit=1001', '?limit=abc', '?offset=1.5', '?limit=1e309', '?offset=a&limit=b']);
        cases.push({ method: 'GET', url: `/v1/benchmarks/${name}/problems${name === 'humaneval' ? pq : pick(['', pq])}`, what: 'problems query' });
      }
    } else if (r < 0.93) {
      cases.push({ method: pick(['PUT', 'PATCH', 'DELETE'] as const), url: route.url, headers: JSON_HEADERS, payload: JSON.stringify(route.seed), what: 'wrong method' });
    } else if (r < 0.95) {
      cases.push({ method: 'GET', url: pick(['/v1/grade', '/v1/nope', '/../etc/passwd', '/v1/benchmarks/humaneval/problems/Mini%2F0', '/%00', '/v1/jobs/x/y/z']), what: 'unknown route' });
    } else {
      // several fields wrong at once
      let body = route.seed;
      for (let k = 0; k < 3; k++) {
        const f = pick(route.fields);
        body = setPath(body, f.path, pick(BY_TYPE[pick(WRONG[f.kind].filter((k) => !(f.nullable && k === 'null')))]!));
      }
      cases.push(post(route.url, body, `${route.url} three wrong fields`));
    }
  }
  return cases;
}

describe('API fuzzing', () => {
  let app: App;

  beforeAll(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-fuzz-'));
    const config = loadConfig({}, { dataDir, sandboxesDir: SANDBOXES, retries: 0, prewarm: false, instance: ti('test-fuzz'), bodyLimitBytes: BODY_LIMIT, cacheEntries: 1000 });
    app = await createApp(config, { log: quietLog, docker: new Docker({ socketPath: path.join(dataDir, 'no-docker.sock') }) });
    const fx = writeFixtures();
    const { version, problems } = await BENCHMARKS.get('humaneval')!.read(fx.humaneval, {});
    app.store.importVersion({ name: 'humaneval', version, source: fx.humaneval, sha256: '-' }, problems);
  });
  afterAll(async () => {
    await app?.close();
  });

  it(`answers ${CASES} malformed, oversized and wrong-typed requests with a 4xx and a JSON error, never a 5xx`, async () => {
    const cases = generate(CASES);
    expect(cases.length).toBeGreaterThanOrEqual(10_000);
    const bad: string[] = [];
    const statuses = new Map<number, number>();
    for (const c of cases) {
      const r = await app.server.inject({ method: c.method, url: c.url, ...(c.headers ? { headers: c.headers } : {}), ...(c.payload !== undefined ? { payload: c.payload } : {}) });
      statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
      let ok = r.statusCode >= 400 && r.statusCode < 500;
      if (ok) {
        try {
          const e = r.json() as { error?: unknown; message?: unknown };
          ok = typeof e.error === 'string' && typeof e.message === 'string';
        } catch {
          ok = false;
        }
      }
      if (!ok && bad.length < 30) bad.push(`${c.method} ${c.url.slice(0, 80)} (${c.what}) → ${r.statusCode} ${r.body.slice(0, 200)}`);
    }
    expect(bad).toEqual([]);
    // every route family was hit, and many status kinds (400, 404, 405/404, 413, 415)
    expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([400, 404, 413, 415]));
  }, 600_000);

  // Values of no fixed type (inline `expected`, args, kwargs, options, labels,
  // provided rows) nested thousands deep: a 400 naming the field, never a
  // stack overflow (500) on the way to the harness. MAX_JSON_DEPTH (100) is
  // the bound; 101 is just past it.
  it('answers deeply nested JSON values with a 400 naming the field', async () => {
    const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const functional = (where: 'expected' | 'args' | 'kwargs', n: number) => {
      const v = where === 'args' ? `[${nest(n)}]` : where === 'kwargs' ? `{"x": ${nest(n)}}` : nest(n);
      const rest = where === 'expected' ? '"args": []' : '"expected": 1';
      return `{"tests": {"type": "functional", "entry_point": "f", "cases": [{${rest}, "${where}": ${v}}]}}`;
    };
    const cases: Array<{ url: string; body: string; field: RegExp }> = [];
    for (const n of [101, 5_000, 100_000]) {
      for (const where of ['expected', 'args', 'kwargs'] as const) {
        cases.push({ url: '/v1/grade/batch', body: `{"benchmark": "inline", "format": "json", "items": [{"problem": ${functional(where, n)}, "completion": "def f(): return 1"}]}`, field: new RegExp(`items\\.0\\.problem\\.tests\\.cases\\.0\\.${where}`) });
        cases.push({ url: '/v1/grade', body: `{"benchmark": "inline", "problem": ${functional(where, n)}, "completion": "def f(): return 1"}`, field: new RegExp(`problem\\.tests\\.cases\\.0\\.${where}|problem_id|problem`) });
        // an object label fails the route's union (string | label) as a whole: the field is the label
        cases.push({ url: '/get_reward', body: `{"query": ["def f(): return 1"], "labels": [{"problem": ${functional(where, n)}}]}`, field: /labels\.0/ });
        cases.push({ url: '/get_reward', body: JSON.stringify({ query: ['def f(): return 1'], labels: [`{"problem": ${functional(where, n)}}`] }), field: new RegExp(`labels\\.0\\.problem\\.tests\\.cases\\.0\\.${where}`) });
      }
      cases.push({ url: '/v1/grade', body: `{"benchmark": "humaneval", "problem_id": "Mini/0", "completion": "x", "options": {"deep": ${nest(n)}}}`, field: /options/ });
      cases.push({ url: '/submit', body: `{"dataset": "x", "id": 1, "completion": "print(1)", "config": {"language": "python", "provided_data": {"id": 1, "test": [{"input": {"stdin": ${nest(n)}}, "output": {"stdout": ""}}]}}}`, field: /provided_data/ });
    }
    const bad: string[] = [];
    for (const c of cases) {
      const r = await app.server.inject({ method: 'POST', url: c.url, headers: JSON_HEADERS, payload: c.body });
      const e = r.statusCode === 400 ? (r.json() as { error?: string; message?: string; field?: string }) : undefined;
      const said = `${e?.field ?? ''} ${e?.message ?? ''}`;
      if (!e || !c.field.test(said)) bad.push(`${c.url} (${c.body.length} bytes) → ${r.statusCode} ${r.body.slice(0, 200)}`);
    }
    expect(bad).toEqual([]);
  });

  it('is healthy afterwards: answers reads and a well-formed grade as before', async () => {
    expect((await app.server.inject({ method: 'GET', url: '/v1/benchmarks' })).statusCode).toBe(200);
    const problems = await app.server.inject({ method: 'GET', url: '/v1/benchmarks/humaneval/problems' });
    expect(problems.statusCode).toBe(200);
    expect(problems.json().problems.length).toBeGreaterThan(0);
    // no engine here: a well-formed grade is our infra_error, retryable, not a crash
    const g = await app.server.inject({ method: 'POST', url: '/v1/grade', payload: { benchmark: 'humaneval', problem_id: 'Mini/0', completion: '    return a + b + c\n' } });
    expect(g.statusCode, g.body).toBe(200);
    expect([g.json().status, g.json().retryable]).toEqual(['infra_error', true]);
    const h = await app.server.inject({ method: 'GET', url: '/healthz' });
    expect(h.statusCode).toBe(503); // degraded: Docker unreachable, and it says so
    expect(h.json().docker.reachable).toBe(false);
    expect(process.memoryUsage().heapUsed).toBeLessThan(2 * 1024 ** 3);
  });
});
