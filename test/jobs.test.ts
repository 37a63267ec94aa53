import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.js';
import { BENCHMARKS } from '../src/benchmarks/registry.js';
import { loadConfig } from '../src/config.js';
import type { Job, JobResult } from '../src/jobs/schemas.js';
import { HUMANEVAL_MINI, writeFixtures } from './fixtures/humaneval.js';
import { testApp } from './helpers/app.js';
import { dockerAvailable, ensurePythonImage, quietLog, SANDBOXES } from './helpers/docker.js';
import { ti } from './helpers/instance.js';

const hasDocker = await dockerAvailable();

/** A service on `dataDir` (kept across restarts) with the mini HumanEval and HumanEval+ imported once. */
async function start(dataDir: string, fx?: ReturnType<typeof writeFixtures>): Promise<App> {
  const config = loadConfig({}, { dataDir, sandboxesDir: SANDBOXES, concurrency: 2, warm: 1, instance: ti('test-jobs'), prewarm: false });
  const app = await createApp(config, { log: quietLog });
  if (fx) {
    for (const [name, file] of [['humaneval', fx.humaneval], ['humaneval-plus', fx.humanevalPlus]] as const) {
      const bench = BENCHMARKS.get(name)!;
      const { version, problems } = await bench.read(file, {});
      app.store.importVersion({ name, version, source: file, sha256: 'test' }, problems);
    }
  }
  return app;
}

const canonical = (i: number) => HUMANEVAL_MINI[i]!.canonical_solution;
const prompt = (i: number) => HUMANEVAL_MINI[i]!.prompt;

/** Sandbox runs so far: every grade the grader ran counts once in verdict_verdicts_total. */
async function sandboxRuns(app: App): Promise<number> {
  const m = (await app.metrics.registry.getSingleMetric('verdict_verdicts_total')!.get()) as { values: Array<{ value: number }> };
  return m.values.reduce((s, v) => s + v.value, 0);
}

async function waitDone(app: App, id: string): Promise<Job> {
  for (;;) {
    const r = await app.server.inject({ method: 'GET', url: `/v1/jobs/${id}` });
    expect(r.statusCode, r.body).toBe(200);
    const job = r.json() as Job;
    if (job.state !== 'running') return job;
    await new Promise((res) => setTimeout(res, 100));
  }
}

async function results(app: App, id: string, after?: number): Promise<JobResult[]> {
  const r = await app.server.inject({ method: 'GET', url: `/v1/jobs/${id}/results${after === undefined ? '' : `?after=${after}`}` });
  expect(r.statusCode, r.body).toBe(200);
  expect(r.headers['content-type']).toContain('application/x-ndjson');
  return r.body.split('\n').filter(Boolean).map((l) => JSON.parse(l) as JobResult);
}

describe.skipIf(!hasDocker)('batch regrading jobs', () => {
  let app: App;
  let dataDir: string;
  let fx: ReturnType<typeof writeFixtures>;

  beforeAll(async () => {
    await ensurePythonImage();
    fx = writeFixtures();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-jobs-'));
    app = await start(dataDir, fx);
  }, 900_000);
  afterAll(async () => {
    await app?.close();
  });

  const post = (payload: Record<string, unknown>) => app.server.inject({ method: 'POST', url: '/v1/jobs', payload });

  it('reads every input format, reports bad lines by number, and grades the rest', async () => {
    const lines = [
      JSON.stringify({ benchmark: 'humaneval', problem_id: 'Mini/0', completion: canonical(0) }), // 1 verdict: pass
      JSON.stringify({ task_id: 'Mini/1', completion: '    return xs\n' }), // 2 evalplus completion: fail
      '{"task_id": "Mini/2", "solution": ' + JSON.stringify(prompt(2) + canonical(2)) + '}', // 3 evalplus solution: pass
      'not json', // 4
      '', // blank: skipped, not a line of input
      JSON.stringify({ question_id: 'Mini/0', code_list: [canonical(0), '    return 0\n', canonical(0)] }), // 6 LCB: 3 samples
      JSON.stringify({ problem_id: 'Mini/99', completion: 'x' }), // 7 unknown problem
      JSON.stringify({ task_id: 'Mini/1' }), // 8 no completion
      JSON.stringify({ question_id: 'Mini/1', code_list: [] }), // 9 empty code_list
      JSON.stringify({ task_id: 'Mini/1', solution: 'def running_max(xs):\n    import itertools\n    return list(itertools.accumulate(xs, max))\n' }), // 10 solution without the prompt: pass
    ];
    const r = await post({ benchmark: 'humaneval', jsonl: lines.join('\n'), label: 'mixed' });
    expect(r.statusCode, r.body).toBe(201);
    const created = r.json() as Job;
    expect(created.lines).toBe(9);
    expect(created.total).toBe(7);
    expect(created.bad_lines.map((b) => b.line)).toEqual([4, 7, 8, 9]);
    expect(created.bad_lines[1]!.message).toContain('Mini/99');
    const job = await waitDone(app, created.id);
    expect(job).toMatchObject({ state: 'done', total: 7, done: 7, passes: 5, fails: 2, infra_errors: 0, bad_line_count: 4, eta_s: 0 });
    const rs = await results(app, created.id);
    expect(rs.map((x) => [x.line, x.sub, x.status])).toEqual([
      [1, 0, 'pass'],
      [2, 0, 'fail'],
      [3, 0, 'pass'],
      [4, 0, 'invalid'],
      [6, 0, 'pass'],
      [6, 1, 'fail'],
      [6, 2, 'pass'],
      [7, 0, 'invalid'],
      [8, 0, 'invalid'],
      [9, 0, 'invalid'],
      [10, 0, 'pass'],
    ]);
    expect(rs.map((x) => x.seq)).toEqual(rs.map((_, i) => i));
    expect(rs[1]!.reason).toBe('wrong_answer');
    expect(rs[3]!.error).toMatch(/not JSON/);
    // resuming a download: only what follows `after`
    expect((await results(app, created.id, 8)).map((x) => x.seq)).toEqual([9, 10]);
    const list = await app.server.inject({ method: 'GET', url: '/v1/jobs' });
    expect((list.json() as { jobs: Job[] }).jobs.some((j) => j.id === created.id && j.label === 'mixed')).toBe(true);
  });

  it('reads a server-side path, replies with a user-named id column, and HumanEval+ groups', async () => {
    const file = path.join(fx.dir, 'replies.jsonl');
    fs.writeFileSync(
      file,
      [
        { qid: 'Mini/0', text: canonical(0) },
        { qid: 'Mini/0', text: '    return a + b\n' },
        { qid: 'Mini/1', text: canonical(1) },
      ]
        .map((o) => JSON.stringify(o))
        .join('\n') + '\n',
    );
    const r = await post({ benchmark: 'humaneval-plus', path: file, format: 'replies', id_field: 'qid', reply_field: 'text' });
    expect(r.statusCode, r.body).toBe(201);
    const job = await waitDone(app, (r.json() as Job).id);
    expect([job.total, job.passes, job.fails]).toEqual([3, 2, 1]);
    const rs = await results(app, job.id);
    expect(rs[0]!.groups).toEqual({ base: 'pass', plus: 'pass' });
    expect(rs[1]!.groups?.base).toBe('fail');
    expect(rs.every((x) => x.benchmark === 'humaneval-plus')).toBe(true);
  });

  it('rejects bad requests with the field named', async () => {
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ jsonl: '' }, 400, 'benchmark'],
      [{ benchmark: 'humaneval' }, 400, 'path'],
      [{ benchmark: 'humaneval', jsonl: '', path: '/x' }, 400, 'path'],
      [{ benchmark: 'humaneval', jsonl: '', format: 'replies' }, 400, 'id_field'],
      [{ benchmark: 'humaneval', jsonl: '', format: 'csv' }, 400, 'format'],
      [{ benchmark: 'humaneval', jsonl: '', colour: 1 }, 400, 'colour'],
      [{ benchmark: 'nope', jsonl: '' }, 404, 'benchmark'],
      [{ benchmark: 'humaneval', path: '/definitely/not/here.jsonl' }, 400, 'path'],
      [{ benchmark: 'humaneval', jsonl: JSON.stringify({ problem_id: 'Mini/0', completion: '' }), options: { timeout_s: -1 } }, 400, 'options.timeout_s'],
    ];
    for (const [payload, status, field] of cases) {
      const r = await post(payload);
      expect(r.statusCode, JSON.stringify(payload) + r.body).toBe(status);
      expect(r.json().field, r.body).toBe(field);
    }
    for (const url of ['/v1/jobs/nope', '/v1/jobs/nope/results']) {
      expect((await app.server.inject({ method: 'GET', url })).statusCode).toBe(404);
    }
    expect((await app.server.inject({ method: 'DELETE', url: '/v1/jobs/nope' })).statusCode).toBe(404);
    expect((await app.server.inject({ method: 'GET', url: '/v1/jobs/a%20b' })).statusCode).toBe(400);
  });

  it('a keyed service reads server-side files only under VERDICT_JOB_INPUT_DIR', async () => {
    const auth = { authorization: 'Bearer test-key-123' };
    const file = path.join(fx.dir, 'inside.jsonl');
    fs.writeFileSync(file, JSON.stringify({ problem_id: 'Mini/0', completion: canonical(0) }) + '\n');
    const keyed = await testApp([], { apiKeys: ['test-key-123'], instance: ti('test-jobs-keyed') });
    const within = await testApp([], { apiKeys: ['test-key-123'], instance: ti('test-jobs-keyed2'), jobInputDir: fx.dir });
    try {
      const denied = await keyed.server.inject({ method: 'POST', url: '/v1/jobs', headers: auth, payload: { benchmark: 'humaneval', path: file } });
      expect([denied.statusCode, denied.json().field]).toEqual([403, 'path']);
      const outside = await within.server.inject({ method: 'POST', url: '/v1/jobs', headers: auth, payload: { benchmark: 'humaneval', path: '/etc/passwd' } });
      expect([outside.statusCode, outside.json().field]).toEqual([403, 'path']);
      const escape = await within.server.inject({ method: 'POST', url: '/v1/jobs', headers: auth, payload: { benchmark: 'humaneval', path: '../../etc/passwd' } });
      expect(escape.statusCode).toBe(403);
      // inside the folder the file is read (no problems imported here, so its line is reported, not graded)
      const ok = await within.server.inject({ method: 'POST', url: '/v1/jobs', headers: auth, payload: { benchmark: 'humaneval', path: 'inside.jsonl' } });
      expect(ok.statusCode, ok.body).toBe(201);
      expect((ok.json() as Job).bad_lines).toEqual([{ line: 1, message: expect.stringContaining('no problems imported') }]);
    } finally {
      await keyed.close();
      await within.close();
    }
  });

  it('grades each distinct program of a file with duplicates once, in one sandbox run, and shares it with /v1/grade', async () => {
    const graded = () => sandboxRuns(app);
    // a trainer graded one of the programs before: the job takes its verdict from the cache
    const rl = await app.server.inject({ method: 'POST', url: '/v1/grade', payload: { benchmark: 'humaneval', problem_id: 'Mini/2', completion: `${canonical(2)}    # dedup\n` } });
    expect(rl.statusCode, rl.body).toBe(200);
    const before = await graded();
    // 3 problems × (right, wrong), 8 copies of each, interleaved: 48 lines, 6 distinct programs, 5 not graded yet
    const programs = [0, 1, 2].flatMap((p) => [`${canonical(p)}    # dedup\n`, '    return None  # dedup\n'].map((c) => ({ p, c })));
    const lines = Array.from({ length: 48 }, (_, i) => programs[i % 6]!).map(({ p, c }) => JSON.stringify({ problem_id: `Mini/${p}`, completion: c }));
    const r = await post({ benchmark: 'humaneval', jsonl: lines.join('\n') });
    expect(r.statusCode, r.body).toBe(201);
    const job = await waitDone(app, (r.json() as Job).id);
    expect(await graded()).toBe(before + 5);
    expect(job).toMatchObject({ state: 'done', total: 48, done: 48, passes: 24, fails: 24, infra_errors: 0 });
    const rs = await results(app, job.id);
    expect(rs.map((x) => x.line)).toEqual(Array.from({ length: 48 }, (_, i) => i + 1));
    expect(rs.map((x) => x.status)).toEqual(lines.map((_, i) => (i % 2 ? 'fail' : 'pass')));
    // 5 lines ran; every other line carries the verdict of its program's run, marked cached
    expect(rs.filter((x) => !x.cached)).toHaveLength(5);
    expect(rs[4]).toMatchObject({ problem_id: 'Mini/2', status: 'pass', cached: true });
    // and a trainer asking for one of them now is answered from the cache
    const again = await app.server.inject({ method: 'POST', url: '/v1/grade', payload: { benchmark: 'humaneval', problem_id: 'Mini/1', completion: '    return None  # dedup\n' } });
    expect(again.json()).toMatchObject({ status: 'fail', cached: true });
    expect(await graded()).toBe(before + 5);
  });

  it('cancels a job, keeping the results so far', async () => {
    // distinct programs (a comment each), so that each line is a grade of its own
    const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ problem_id: 'Mini/0', completion: `${canonical(0)}    # cancel ${i}\n` }));
    const r = await post({ benchmark: 'humaneval', jsonl: lines.join('\n') });
    const id = (r.json() as Job).id;
    const del = await app.server.inject({ method: 'DELETE', url: `/v1/jobs/${id}` });
    expect(del.statusCode).toBe(200);
    expect((del.json() as Job).state).toBe('cancelled');
    // grades in flight at the cancel still land: wait until the count settles
    let job = (await app.server.inject({ method: 'GET', url: `/v1/jobs/${id}` })).json() as Job;
    for (let i = 0; i < 30; i++) {
      await new Promise((res) => setTimeout(res, 1000));
      const again = (await app.server.inject({ method: 'GET', url: `/v1/jobs/${id}` })).json() as Job;
      if (again.done === job.done) break;
      job = again;
    }
    expect(job.state).toBe('cancelled');
    expect(job.done).toBeLessThan(300);
    expect(await results(app, id)).toHaveLength(job.done);
  });

  it('resumes an unfinished job after a restart, with every result once', async () => {
    // distinct programs: a comment each
    const lines = Array.from({ length: 60 }, (_, i) => JSON.stringify({ problem_id: `Mini/${i % 3}`, completion: `${i % 2 ? canonical(i % 3) : '    return None\n'}    # resume ${i}\n` }));
    const r = await post({ benchmark: 'humaneval', jsonl: lines.join('\n') });
    const id = (r.json() as Job).id;
    for (;;) {
      const j = (await app.server.inject({ method: 'GET', url: `/v1/jobs/${id}` })).json() as Job;
      if (j.done >= 5) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    await app.close();
    app = await start(dataDir);
    const mid = (await app.server.inject({ method: 'GET', url: `/v1/jobs/${id}` })).json() as Job;
    expect(mid.done).toBeLessThan(60);
    const job = await waitDone(app, id);
    expect([job.state, job.done, job.passes]).toEqual(['done', 60, 30]);
    const rs = await results(app, id);
    expect(rs.map((x) => x.line)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(rs.map((x) => x.status)).toEqual(Array.from({ length: 60 }, (_, i) => (i % 2 ? 'pass' : 'fail')));
  });
});
