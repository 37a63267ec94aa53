import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Verdict } from '../src/schemas.js';
import { HUMANEVAL_MINI, writeFixtures } from './fixtures/humaneval.js';
import { testApp } from './helpers/app.js';
import Docker from 'dockerode';
import { ensureImages } from '../src/sandbox/images/build.js';
import { dockerAvailable, ensurePythonImage, SANDBOXES } from './helpers/docker.js';
import { ti } from './helpers/instance.js';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pool, verlCallSandboxApi, verlCaseResult } from './helpers/trainers.js';

// The RL reward backend: batch (NDJSON and JSON), result cache and
// single-flight, inline problems, admission control, and the SandboxFusion
// (verl) and OpenRLHF drop-ins, against real sandboxes.

const hasDocker = await dockerAvailable();
const canonical = (i: number) => HUMANEVAL_MINI[i]!.canonical_solution;
const WRONG = '    return 0\n';

describe.skipIf(!hasDocker)('RL reward backend', () => {
  let app: Awaited<ReturnType<typeof testApp>>;
  let url: string;

  beforeAll(async () => {
    await ensurePythonImage();
    // the judge core's image, for inline stdin/stdout problems
    await ensureImages(new Docker(), SANDBOXES, ['judge']);
    const fx = writeFixtures();
    // run lane of 2, so a test's burst queues as a trainer's burst does on a busy machine
    app = await testApp([{ benchmark: 'humaneval', file: fx.humaneval }], { instance: ti('test-rl'), queue: 16, cacheEntries: 1000, runCodeConcurrency: 2, runCodeQueue: 512 });
    url = await app.server.listen({ host: '127.0.0.1', port: 0 });
  }, 900_000);
  afterAll(async () => {
    await app?.close();
  });

  const post = (url: string, payload: unknown) => app.server.inject({ method: 'POST', url, payload: payload as object });

  it('streams a GRPO group as NDJSON, grading identical completions once', async () => {
    // a group of 8: 3 distinct completions, with duplicates
    const completions = [canonical(0), WRONG, canonical(0), canonical(0), '    return a + b + c + 0\n', WRONG, canonical(0), WRONG];
    const r = await post('/v1/grade/batch', {
      benchmark: 'humaneval',
      items: completions.map((completion) => ({ problem_id: 'Mini/0', completion })),
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toContain('application/x-ndjson');
    const lines = r.body.trim().split('\n').map((l) => JSON.parse(l) as Verdict & { index: number });
    expect(lines).toHaveLength(8);
    expect(lines.map((l) => l.index).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const byIndex = new Map(lines.map((l) => [l.index, l]));
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((i) => byIndex.get(i)!.status)).toEqual(['pass', 'fail', 'pass', 'pass', 'pass', 'fail', 'pass', 'fail']);
    // each distinct completion ran in a sandbox exactly once; the rest were shared
    const ran = lines.filter((l) => !l.cached);
    expect(ran).toHaveLength(3);
    expect(ran.every((l) => l.attempts >= 1)).toBe(true);
    expect(lines.filter((l) => l.cached).every((l) => l.attempts === 0)).toBe(true);
  });

  it('survives a client that hangs up mid-stream: its queued grades are dropped, the rest finish and are cached', async () => {
    const items = [0, 1, 2, 3, 4, 5].map((i) => ({ problem_id: 'Mini/2', completion: canonical(2) + `# hangup ${i}\n` }));
    const ctl = new AbortController();
    const res = await fetch(`${url}/v1/grade/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ benchmark: 'humaneval', items }),
      signal: ctl.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    await reader.read(); // the first line (or more) arrives, then the client goes away
    ctl.abort();
    await expect(reader.read()).rejects.toThrow();
    // what had started completes and lands in the cache; the service still answers everything
    await new Promise((r) => setTimeout(r, 500));
    expect(app.reward.stats().admission.waiting).toBe(0);
    const again = await post('/v1/grade/batch', { benchmark: 'humaneval', format: 'json', items });
    const vs = again.json().results as Verdict[];
    expect(vs.every((v) => v.status === 'pass')).toBe(true);
    expect(vs.some((v) => v.cached === true)).toBe(true);
  });

  it('answers a repeat from the result cache (JSON format), and options.cache=false grades again', async () => {
    const body = { benchmark: 'humaneval', format: 'json', items: [{ problem_id: 'Mini/1', completion: canonical(1) }] };
    const first = (await post('/v1/grade/batch', body)).json().results[0] as Verdict;
    expect(first.status).toBe('pass');
    const again = (await post('/v1/grade/batch', body)).json().results[0] as Verdict;
    expect(again).toMatchObject({ status: 'pass', cached: true, attempts: 0, problem_id: 'Mini/1' });
    const single = (await post('/v1/grade', { benchmark: 'humaneval', problem_id: 'Mini/1', completion: canonical(1) })).json() as Verdict;
    expect(single.cached).toBe(true);
    const fresh = (await post('/v1/grade', { benchmark: 'humaneval', problem_id: 'Mini/1', completion: canonical(1), options: { cache: false } })).json() as Verdict;
    expect(fresh.cached).toBeUndefined();
    expect(fresh.attempts).toBe(1);
  });

  it('never caches an infra_error (a deadline)', async () => {
    const item = { problem_id: 'Mini/2', completion: canonical(2) + '\nimport time\ntime.sleep(1.5)\n' };
    const r1 = (await post('/v1/grade/batch', { benchmark: 'humaneval', format: 'json', timeout_ms: 300, items: [item] })).json().results[0] as Verdict;
    expect(r1).toMatchObject({ status: 'infra_error', reason: 'deadline', retryable: true });
    const r2 = (await post('/v1/grade/batch', { benchmark: 'humaneval', format: 'json', items: [item] })).json().results[0] as Verdict;
    expect(r2.status).toBe('pass');
    expect(r2.cached).toBeUndefined();
  });

  it('grades inline problems: assert code and functional cases', async () => {
    const asserts = { tests: { type: 'assert', entry_point: 'sq', code: 'assert sq(3) == 9\nassert sq(-2) == 4\n' } };
    const functional = {
      tests: { type: 'functional', entry_point: 'pair', cases: [{ args: [1, 2], expected: [2, 1] }, { args: ['a', 'b'], expected: ['b', 'a'] }] },
    };
    const r = await post('/v1/grade/batch', {
      format: 'json',
      items: [
        { problem: asserts, completion: 'Here:\n```python\ndef sq(x):\n    return x * x\n```\n' },
        { problem: asserts, completion: 'def sq(x):\n    return x + x\n' },
        { problem: functional, completion: 'def pair(a, b):\n    return (b, a)\n' },
        { problem: functional, completion: 'def pair(a, b):\n    return (a, b)\n' },
        { problem: asserts, completion: 'import os\nos._exit(0)\n' },
      ],
    });
    expect(r.statusCode, r.body).toBe(200);
    const res = r.json().results as Verdict[];
    expect(res.map((v) => v.status)).toEqual(['pass', 'fail', 'pass', 'fail', 'fail']);
    expect(res[0]!.extracted_code).toBe('def sq(x):\n    return x * x\n');
    expect(res[1]!.reason).toBe('wrong_answer');
    expect(res[0]!.benchmark).toBe('inline');
  });

  it('grades inline stdin/stdout problems on the judge core: comparator, checker, C++', async () => {
    const sum = { tests: { type: 'stdio', cases: [{ stdin: '1 2\n', stdout: '3\n' }, { stdin: '10 -4\n', stdout: '6' }] }, timeout_s: 2 };
    const checker = {
      tests: {
        type: 'stdio',
        cases: [{ stdin: '4\n', stdout: '2 2\n' }],
        // any two positive numbers summing to the input are accepted
        checker: { style: 'python', source: 'import sys\nn=int(open(sys.argv[1]).read())\na,b=map(int,open(sys.argv[3]).read().split())\nprint(1 if a>0 and b>0 and a+b==n else 0)\n' },
      },
    };
    const cpp = { tests: { type: 'stdio', language: 'cpp17', cases: [{ stdin: '2 3\n', stdout: '5\n' }] } };
    const r = await post('/v1/grade/batch', {
      format: 'json',
      items: [
        { problem: sum, completion: '```python\na, b = map(int, input().split())\nprint(a + b)\n```' },
        { problem: sum, completion: 'a, b = map(int, input().split())\nprint(a - b)\n' },
        { problem: sum, completion: 'while True: pass\n' },
        { problem: checker, completion: 'n = int(input())\nprint(1, n - 1)\n' },
        { problem: checker, completion: 'n = int(input())\nprint(0, n)\n' },
        { problem: cpp, completion: '```cpp\n#include <cstdio>\nint main(){int a,b;scanf("%d %d",&a,&b);printf("%d\\n",a+b);}\n```' },
        { problem: cpp, completion: '```cpp\nint main( {\n```' },
      ],
    });
    expect(r.statusCode, r.body).toBe(200);
    const res = r.json().results as Verdict[];
    expect(res.map((v) => [v.status, v.reason]), JSON.stringify(res.map((v) => v.detail))).toEqual([
      ['pass', null],
      ['fail', 'wrong_answer'],
      ['fail', 'timeout'],
      ['pass', null],
      ['fail', 'wrong_answer'],
      ['pass', null],
      ['fail', 'compile_error'],
    ]);
    expect(res[0]!.tests).toHaveLength(2);
    // SandboxFusion's CommonOJ row shape through /submit
    const row = { id: 'oj-1', test: [{ input: { stdin: '2 3\n' }, output: { stdout: '5\n' } }, { input: { stdin: '0 0\n' }, output: { stdout: '0\n' } }] };
    const sub = await post('/submit', { dataset: 'code_contests', id: 'oj-1', completion: '```python\nprint(sum(map(int, input().split())))\n```', config: { language: 'python', provided_data: [row] } });
    expect(sub.statusCode, sub.body).toBe(200);
    expect(sub.json()).toMatchObject({ id: 'oj-1', accepted: true });
    expect(sub.json().tests).toHaveLength(2);
  }, 300_000);

  it('rejects bad batches with the field named, before running anything', async () => {
    const r1 = await post('/v1/grade/batch', { benchmark: 'humaneval', items: [{ problem_id: 'Mini/0', completion: 'x' }, { problem_id: 'Nope/9', completion: 'x' }] });
    expect(r1.statusCode).toBe(404);
    expect(r1.json().field).toBe('items.1.problem_id');
    const r2 = await post('/v1/grade/batch', { items: [] });
    expect(r2.statusCode).toBe(400);
    const r3 = await post('/v1/grade/batch', { items: [{ completion: 'x' }] });
    expect(r3.statusCode).toBe(400);
    expect(r3.json().field).toBe('items.0.benchmark');
    const r4 = await post('/v1/grade/batch', { items: [{ problem: { tests: { type: 'assert', entry_point: 'f' } }, completion: 'x' }] });
    expect(r4.statusCode).toBe(400);
    expect(r4.json().field).toBe('items.0.problem.tests.code');
  });

  it('answers verl sandbox_fusion /run_code requests field for field', async () => {
    // the payload verl's sandbox_fusion utils send, one test case per call
    const call = (code: string, stdin: string) =>
      post('/run_code', { compile_timeout: 10, run_timeout: 10, code, stdin, language: 'python', files: {}, fetch_files: [] });
    const prog = 'a, b = map(int, input().split())\nprint(a + b)\n';
    const ok = await call(prog, '2 3\n');
    expect(ok.statusCode, ok.body).toBe(200);
    const body = ok.json();
    expect(body).toMatchObject({ status: 'Success', message: '', compile_result: null, files: {} });
    expect(body.run_result).toMatchObject({ status: 'Finished', return_code: 0, stdout: '5\n', stderr: '' });
    expect(typeof body.run_result.execution_time).toBe('number');
    // verl: reward iff stdout.rstrip('\n') == expected.rstrip('\n')
    expect(body.run_result.stdout.replace(/\n+$/, '')).toBe('5');

    const crash = (await call('raise SystemExit(3)', '')).json();
    expect(crash.status).toBe('Failed');
    expect(crash.run_result).toMatchObject({ status: 'Finished', return_code: 3 });
    const slow = (await post('/run_code', { code: 'while True: pass', language: 'python', run_timeout: 1 })).json();
    expect(slow.status).toBe('Failed');
    expect(slow.run_result.status).toBe('TimeLimitExceeded');
    const files = (
      await post('/run_code', {
        code: 'print(open("data.txt").read().upper(), end="")\nopen("out.txt", "w").write("x")',
        language: 'python',
        files: { 'data.txt': Buffer.from('hi').toString('base64') },
        fetch_files: ['out.txt'],
      })
    ).json();
    expect(files.run_result.stdout).toBe('HI');
    expect(files.files['out.txt']).toBe(Buffer.from('x').toString('base64'));
    // a language without a toolchain here: a 400 naming it (test/sandboxfusion.test.ts runs the others)
    const other = await post('/run_code', { code: 'print(1)', language: 'lua' });
    expect(other.statusCode).toBe(400);
    expect(other.json().field).toBe('language');
    const bad = await post('/run_code', { code: 'x', language: 'klingon' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('language');
  });

  it('answers SandboxFusion /submit for a benchmark and for provided_data', async () => {
    const r = await post('/submit', { dataset: 'humaneval', id: 'Mini/0', completion: canonical(0), config: { language: 'python' } });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ id: 'Mini/0', accepted: true, extracted_code: canonical(0) });
    expect(r.json().tests[0]).toMatchObject({ passed: true, exec_info: { status: 'Success' } });
    const row = { id: 7, prompt: 'def inc(x):\n', test: 'def check(candidate):\n    assert candidate(1) == 2\n', entry_point: 'inc' };
    const good = (await post('/submit', { dataset: 'mine', id: 7, completion: '    return x + 1\n', config: { provided_data: row } })).json();
    expect(good.accepted).toBe(true);
    const badc = (await post('/submit', { dataset: 'mine', id: 7, completion: '    return x\n', config: { provided_data: [row] } })).json();
    expect(badc.accepted).toBe(false);
    expect(badc.tests[0].exec_info.status).toBe('Failed');
    const missing = await post('/submit', { dataset: 'nope', id: 1, completion: 'x', config: {} });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().field).toBe('dataset');
  }, 300_000);

  it('answers OpenRLHF /get_reward with rewards and infra errors in extra_logs', async () => {
    const prompts = [HUMANEVAL_MINI[0]!.prompt, HUMANEVAL_MINI[1]!.prompt, 'Q: square\n', HUMANEVAL_MINI[2]!.prompt];
    const query = [prompts[0]! + canonical(0), prompts[1]! + WRONG, prompts[2]! + 'def sq(x):\n    return x*x\n', prompts[3]! + canonical(2)];
    const labels = [
      JSON.stringify({ benchmark: 'humaneval', problem_id: 'Mini/0' }),
      { benchmark: 'humaneval', problem_id: 'Mini/1' },
      JSON.stringify({ problem: { tests: { type: 'assert', entry_point: 'sq', code: 'assert sq(4) == 16' } } }),
      { benchmark: 'humaneval', problem_id: 'Mini/2', options: { timeout_ms: 1, cache: false } },
    ];
    const r = await post('/get_reward', { query, prompts, labels });
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body.rewards).toEqual([1, 0, 1, 0]);
    expect(r.body).toContain('"rewards":[1.0,0.0,1.0,0.0]');
    expect(body.scores).toEqual([1, 0, 1, 0]);
    // the last one missed its deadline: the trainer masks it instead of training on a fake 0
    expect(body.extra_logs.infra_error).toEqual([0, 0, 0, 1]);
    expect(body.extra_logs.pass).toEqual([1, 0, 1, 0]);
    const bad = await post('/get_reward', { query: ['x'], labels: ['not json'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('labels.0');
  });

  it('under 10x overload answers 429 with Retry-After, never crashes, and memory stays bounded', async () => {
    // capacity = concurrency 2 + queue 16; send 10x that in distinct grades at once
    const capacity = 18;
    const before = process.memoryUsage().heapUsed;
    const reqs = Array.from({ length: capacity * 10 }, (_, i) =>
      post('/v1/grade', { benchmark: 'humaneval', problem_id: 'Mini/0', completion: `    return a + b + c + ${i} * 0\n` }),
    );
    const rs = await Promise.all(reqs);
    const codes = rs.map((r) => r.statusCode);
    const ok = codes.filter((c) => c === 200).length;
    const busy = rs.filter((r) => r.statusCode === 429);
    expect(ok + busy.length).toBe(rs.length);
    expect(ok).toBeGreaterThanOrEqual(capacity);
    expect(busy.length).toBeGreaterThan(rs.length / 2);
    for (const r of busy) {
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(r.json().error).toBe('overloaded');
    }
    expect(rs.filter((r) => r.statusCode === 200).every((r) => (r.json() as Verdict).status === 'pass')).toBe(true);
    // all admitted work finished and released its slots
    expect(app.reward.stats().admission.in_flight).toBe(0);
    const grown = process.memoryUsage().heapUsed - before;
    expect(grown).toBeLessThan(200 << 20);
    // the service still answers
    const after = await post('/v1/grade', { benchmark: 'humaneval', problem_id: 'Mini/0', completion: canonical(0) });
    expect(after.statusCode).toBe(200);
  }, 300_000);

  // --- issue 15: the real clients' behaviour, request for request -----------

  /** one series of /metrics, e.g. verdict_run_code_running or name{label="x"} */
  const metric = async (series: string): Promise<number> => {
    const text = (await app.server.inject({ method: 'GET', url: '/metrics' })).body;
    const line = text.split('\n').find((l) => l.startsWith(series + ' '));
    return line ? Number(line.slice(series.length + 1)) : 0;
  };
  const tmpJson = (v: unknown): string => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-rl-')), 'req.json');
    fs.writeFileSync(f, JSON.stringify(v));
    return f;
  };
  /** python3 as a trainer process (asynchronous: the service answers from this same process) */
  const python = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile('python3', args, { encoding: 'utf8', env, timeout: 600_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
        resolve({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
      );
    });
  const openrlhf = (body: unknown, group: number) =>
    python([path.join(import.meta.dirname, 'helpers', 'openrlhf_client.py'), `${url}/get_reward`, tmpJson(body), String(group)]);

  it('OpenRLHF: /get_reward rewards are JSON floats, so torch.tensor(rewards) is float and GRPO shaping (.std()) runs', async () => {
    // two GRPO groups of 4 whose rewards are all whole numbers: the case that was an int64 tensor
    const p0 = HUMANEVAL_MINI[0]!.prompt;
    const p1 = HUMANEVAL_MINI[1]!.prompt;
    const prompts = [p0, p0, p0, p0, p1, p1, p1, p1];
    const responses = [canonical(0), WRONG, canonical(0) + '# b\n', WRONG + '# b\n', canonical(1), WRONG, WRONG + '# c\n', canonical(1) + '# c\n'];
    const labels = prompts.map((p) => JSON.stringify({ benchmark: 'humaneval', problem_id: p === p0 ? 'Mini/0' : 'Mini/1' }));
    const run = await openrlhf({ query: prompts.map((p, i) => p + responses[i]), prompts, labels }, 4);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { rewards: number[]; dtype: string; shaped: number[]; tries: number };
    expect(out.dtype).toBe('float32');
    expect(out.rewards).toEqual([1, 0, 1, 0, 1, 0, 0, 1]);
    expect(out.tries).toBe(1);
    expect(out.shaped.every(Number.isFinite)).toBe(true);
    // every reward route writes floats: /v1/grade, /v1/grade/batch (both formats), /submit
    const one = await post('/v1/grade', { benchmark: 'humaneval', problem_id: 'Mini/0', completion: canonical(0) });
    expect(one.body).toMatch(/"reward":1\.0[,}]/);
    const nd = await post('/v1/grade/batch', { benchmark: 'humaneval', items: [{ problem_id: 'Mini/0', completion: WRONG }] });
    expect(nd.body).toMatch(/"reward":0\.0[,}]/);
    const js = await post('/v1/grade/batch', { benchmark: 'humaneval', format: 'json', items: [{ problem_id: 'Mini/0', completion: WRONG }] });
    expect(js.body).toMatch(/"reward":0\.0[,}]/);
  }, 300_000);

  it('OpenRLHF v0.9: a whole rollout batch far above capacity in one request is accepted and streamed through, not refused', async () => {
    // capacity is concurrency 2 + queue 16 = 18; the rollout batch is 27 distinct samples
    const n = 27;
    const prompt = HUMANEVAL_MINI[2]!.prompt;
    const query = Array.from({ length: n }, (_, i) => prompt + (i % 3 === 2 ? WRONG : canonical(2)) + `# rollout ${i}\n`);
    const labels = Array.from({ length: n }, () => ({ benchmark: 'humaneval', problem_id: 'Mini/2' }));
    const run = await openrlhf({ query, prompts: query.map(() => prompt), labels }, 8);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { rewards: number[]; tries: number; errors: string[]; infra_error: number[] };
    // never refused (the old 413 x 5, then raise); a try that outlasts the client's 180 s on a loaded machine is
    // resumed by the next from the cache
    expect(out.errors.filter((e) => /HTTP Error 4\d\d/.test(e))).toEqual([]);
    expect(out.rewards).toEqual(query.map((_, i) => (i % 3 === 2 ? 0 : 1)));
    expect(out.infra_error.every((x) => x === 0)).toBe(true);
    // the Python client's batch (one request of up to 256) on this small server: no 413 either
    const items = Array.from({ length: 20 }, (_, i) => ({ benchmark: 'humaneval', problem_id: 'Mini/1', completion: canonical(1) + `# py ${i}\n` }));
    const py = await python(
      ['-c', 'import json,sys; from verdict_client import Client; vs = Client(sys.argv[1]).grade_batch(json.load(open(sys.argv[2]))); print(json.dumps([v["status"] for v in vs]))', url, tmpJson(items)],
      { ...process.env, PYTHONPATH: path.resolve(import.meta.dirname, '..', 'clients', 'python') },
    );
    expect(py.status, py.stderr).toBe(0);
    expect(JSON.parse(py.stdout)).toEqual(items.map(() => 'pass'));
  }, 600_000);

  it('queue wait counts against a grade\'s timeout_ms: past it, infra_error/deadline with the wait reported, masked in extra_logs', async () => {
    // 8 one-second grades on 2 slots with a 2.5 s deadline: the later ones cannot start in time
    const items = Array.from({ length: 8 }, (_, i) => ({ problem_id: 'Mini/2', completion: canonical(2) + `\nimport time\ntime.sleep(1)  # q ${i}\n` }));
    const r = await post('/v1/grade/batch', { benchmark: 'humaneval', format: 'json', timeout_ms: 2500, items });
    expect(r.statusCode, r.body).toBe(200);
    const vs = r.json().results as Verdict[];
    const late = vs.filter((v) => v.status === 'infra_error');
    const seen = JSON.stringify(vs.map((v) => [v.status, v.reason, v.timings, v.detail?.slice(0, 200)]));
    expect(late.length, seen).toBeGreaterThanOrEqual(2);
    for (const v of late) expect(v, seen).toMatchObject({ reason: 'deadline', retryable: true });
    // the ones that never started say so, with their wait; none waited past the deadline
    const queued = late.filter((v) => /waiting in the queue/.test(v.detail ?? ''));
    expect(queued.length, seen).toBeGreaterThanOrEqual(2);
    for (const v of queued) expect(v.timings.queue_ms, seen).toBeGreaterThanOrEqual(2400);
    for (const v of vs) expect(v.timings.total_ms, seen).toBeLessThan(2500 + 1000);
    expect(await metric('verdict_admission_wait_seconds_count{lane="grade"}')).toBeGreaterThanOrEqual(8);
  }, 300_000);

  it('verl: a burst beyond the /run_code lane is answered with every program\'s real result inside verl\'s timeout (504 + kept place, never a silent client timeout)', async () => {
    // Both slots of the lane are taken by two 16 s programs (verl timeout=30); then 8 cases of a 0.2 s program
    // arrive with verl timeout=6: client timeout 6 + 6 + 10 = 22 s, so each must start within 16 s less a 2 s
    // margin — it cannot, as the slots free only after 16 s. Without a 504 before its timeout, every case is lost.
    const blockers = [0, 1].map((i) =>
      verlCallSandboxApi(url, { code: `import time\ntime.sleep(16)\nprint('blocker ${i}')`, stdin: '', timeout: 30 }),
    );
    await new Promise((r) => setTimeout(r, 1500));
    const code = 'import sys, time\ndata = sys.stdin.read()\ntime.sleep(0.2)\nprint(data.upper())\n';
    const calls = await pool(8, 8, (i) => verlCallSandboxApi(url, { code, stdin: `case ${i}`, timeout: 6 }));
    expect((await Promise.all(blockers)).map((c, i) => verlCaseResult(c, `blocker ${i}`))).toEqual([true, true]);
    const results = calls.map((c, i) => verlCaseResult(c, `CASE ${i}`));
    expect(results.map((r, i) => (r === true ? true : `${i}: ${String(r)} ${calls[i]!.error ?? ''} ${calls[i]!.statuses.join(',')}`))).toEqual(results.map(() => true));
    // some calls were told 504 before their client's timeout and got their answer on a retry, from their kept place
    const retried = calls.filter((c) => c.statuses[0] === 504);
    expect(retried.length).toBeGreaterThan(0);
    expect(retried.every((c) => c.statuses.at(-1) === 200 && c.attempts <= 3)).toBe(true);
    // the queue wait is reported, attempts included
    expect(Math.max(...calls.map((c) => c.response!.timings!.queue_ms))).toBeGreaterThan(13_000);
    const text = (await app.server.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toMatch(/verdict_run_code_events_total\{event="parked"\} [1-9]/);
    expect(text).toMatch(/verdict_run_code_events_total\{event="resumed"\} [1-9]/);
    expect(text).toMatch(/verdict_admission_wait_seconds_count\{lane="run_code"\} [1-9]/);
  }, 300_000);

  it("verl's own 100-case high-load test (timeout=15; 4 cases sleep 20 s) gets its expected results: 4 timeouts, 3 wrong answers, 93 passes, no API errors", async () => {
    const wrong = new Set([10, 25, 50]);
    const timeouts = new Set([5, 30, 60, 90]);
    const code =
      "import sys\nimport time\ndata = sys.stdin.read()\nif data.startswith('input_timeout_'):\n    time.sleep(20)\n    print(f\"output_{data.split('_')[-1]}\\n\", end='')\nelif data.startswith('input_'):\n    print(f\"output_{data.split('_')[-1]}\\n\", end='')\nelse:\n    print('unknown_input\\n', end='')\n";
    const cases = Array.from({ length: 100 }, (_, i) => ({
      stdin: timeouts.has(i) ? `input_timeout_${i}` : `input_${i}`,
      expected: wrong.has(i) ? `wrong_output_${i}\n` : `output_${i}\n`,
    }));
    // check_correctness runs the cases on a pool of max(32, 5 x cores) threads
    const calls = await pool(100, Math.max(32, os.availableParallelism() * 5), (i) => verlCallSandboxApi(url, { code, stdin: cases[i]!.stdin, timeout: 15 }));
    const results = calls.map((c, i) => verlCaseResult(c, cases[i]!.expected));
    const expected = cases.map((_, i) => (timeouts.has(i) ? -3 : !wrong.has(i)));
    expect(results.map((r, i) => (r === expected[i] ? r : `${i}: ${String(r)} ${calls[i]!.error ?? ''} ${calls[i]!.statuses.join(',')}`))).toEqual(expected);
  }, 300_000);

  it('a /run_code client that hangs up cancels its program, queued or running (the container goes)', async () => {
    const before = await metric('verdict_run_code_events_total{event="cancelled"}');
    // three 60 s sleepers on two slots: two run, one waits; every client gives up after 1.5 s
    const calls = [0, 1, 2].map(async (i) => {
      const res = await fetch(`${url}/run_code`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: `import time\ntime.sleep(60)\nprint(${i})`, language: 'python', run_timeout: 100, compile_timeout: 100 }),
        signal: AbortSignal.timeout(1500),
      }).catch((e: unknown) => e);
      return res;
    });
    const outs = await Promise.all(calls);
    expect(outs.every((o) => o instanceof Error)).toBe(true);
    // within a few seconds nothing runs or waits any more
    let running = -1;
    let waiting = -1;
    for (let t = 0; t < 50; t++) {
      running = await metric('verdict_run_code_running');
      waiting = await metric('verdict_run_code_waiting');
      if (running === 0 && waiting === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect({ running, waiting }).toEqual({ running: 0, waiting: 0 });
    expect((await metric('verdict_run_code_events_total{event="cancelled"}')) - before).toBe(3);
    // and the lane still serves
    const ok = await verlCallSandboxApi(url, { code: 'print(input())', stdin: 'x\n', timeout: 5 });
    expect(verlCaseResult(ok, 'x')).toBe(true);
  }, 120_000);
});
