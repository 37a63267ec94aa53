import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Verdict } from '../src/schemas.js';
import { HUMANEVAL_MINI, writeFixtures } from './fixtures/humaneval.js';
import { postGrade, testApp } from './helpers/app.js';
import { dockerAvailable, ensurePythonImage } from './helpers/docker.js';

const hasDocker = await dockerAvailable();

describe.skipIf(!hasDocker)('grading HumanEval and HumanEval+ through the service', () => {
  let app: Awaited<ReturnType<typeof testApp>>;

  beforeAll(async () => {
    await ensurePythonImage();
    const fx = writeFixtures();
    app = await testApp([
      { benchmark: 'humaneval', file: fx.humaneval },
      { benchmark: 'humaneval-plus', file: fx.humanevalPlus },
    ]);
  }, 900_000);
  afterAll(async () => {
    await app?.close();
  });

  const grade = (problem_id: string, completion: string, options?: Record<string, unknown>, benchmark = 'humaneval') =>
    postGrade(app, { benchmark, problem_id, completion, options });
  const canonical = (i: number) => HUMANEVAL_MINI[i]!.canonical_solution;

  it('passes the reference solutions and reports the verdict fields', async () => {
    for (let i = 0; i < HUMANEVAL_MINI.length; i++) {
      const v = await grade(`Mini/${i}`, canonical(i));
      expect(v.status, JSON.stringify(v)).toBe('pass');
      expect(v.reward).toBe(1);
      expect(v.reason).toBeNull();
      expect(v.benchmark_version).toMatch(/^1\.0\+/);
      expect(v.extracted_code).toBe(canonical(i));
      expect(v.tests).toHaveLength(1);
      expect(v.timings.total_ms).toBeGreaterThan(0);
    }
  });

  it('fails wrong answers, exceptions and syntax errors with their reasons', async () => {
    const wrong = await grade('Mini/0', '    return a + b\n');
    expect([wrong.status, wrong.reason, wrong.reward]).toEqual(['fail', 'wrong_answer', 0]);
    const raised = await grade('Mini/0', '    raise NotImplementedError\n');
    expect([raised.status, raised.reason]).toEqual(['fail', 'runtime_error']);
    expect(raised.detail).toContain('NotImplementedError');
    const syntax = await grade('Mini/0', '    return (\n');
    expect([syntax.status, syntax.reason]).toEqual(['fail', 'compile_error']);
    // the official guard disables exit(): calling it is an error, not a pass
    const exited = await grade('Mini/0', '    exit(0)\n');
    expect(exited.status).toBe('fail');
  });

  // Each hostile program gets the right verdict, and an honest grade right after still passes.
  const hostile: Array<[string, string, Verdict['reason'][], Record<string, unknown>?]> = [
    ['infinite loop', '    while True:\n        pass\n', ['timeout']],
    ['sleep past the limit', '    import time\n    time.sleep(30)\n', ['timeout']],
    ['fork bomb', '    import ctypes\n    libc = ctypes.CDLL(None)\n    while True:\n        libc.fork()\n', ['timeout', 'runtime_error']],
    ['memory bomb', '    x = []\n    while True:\n        x.append(bytearray(1 << 24))\n', ['memory_limit'], { memory_mb: 256 }],
    ['network socket', "    import socket\n    socket.create_connection(('1.1.1.1', 80), timeout=1)\n    return a + b + c\n", ['runtime_error']],
    [
      'a gigabyte of output',
      "    import os, sys\n    for _ in range(1 << 14):\n        os.write(1, b'x' * 65536)\n    print('y' * (1 << 20))\n    return -1\n",
      ['wrong_answer', 'timeout'],
    ],
    [
      'writing until the disk is full',
      "    n = 0\n    with open('/tmp/fill', 'wb') as f:\n        while True:\n            f.write(b'x' * (1 << 20)); f.flush(); n += 1\n",
      ['runtime_error'],
    ],
  ];
  for (const [name, body, reasons, options] of hostile) {
    it(`gives the right verdict to: ${name}`, async () => {
      const v = await grade('Mini/0', body, options);
      expect(v.status, JSON.stringify(v)).toBe('fail');
      expect(reasons, JSON.stringify(v)).toContain(v.reason);
      const honest = await grade('Mini/0', canonical(0));
      expect(honest.status).toBe('pass');
    }, 60_000);
  }

  it('kills a background process that outlives the program without changing the verdict', async () => {
    const body =
      "    import os, ctypes\n    libc = ctypes.CDLL(None)\n    if libc.fork() == 0:\n        os.setsid()\n        while True:\n            pass\n    return a + b + c\n";
    const t = performance.now();
    const v = await grade('Mini/0', body);
    expect(v.status).toBe('pass');
    expect(performance.now() - t).toBeLessThan(10_000);
    const after = await grade('Mini/1', canonical(1));
    expect(after.status).toBe('pass');
    expect(after.timings.sandbox_ms).toBeLessThan(3000);
  }, 60_000);

  it('does not let one grade plant code for the next (site-packages, .pth, cwd modules)', async () => {
    const plant = [
      '    import os',
      "    for d in ('/tmp/.local/lib/python3.11/site-packages', '/work', '/tmp'):",
      '        os.makedirs(d, exist_ok=True)',
      "        open(os.path.join(d, 'evil.pth'), 'w').write('import builtins; builtins.sum = lambda *a: -1\\n')",
      "        open(os.path.join(d, 'sitecustomize.py'), 'w').write('import builtins; builtins.len = lambda *a: -1\\n')",
      "        open(os.path.join(d, 'usercustomize.py'), 'w').write('raise SystemExit(0)\\n')",
      '    return a + b + c',
      '',
    ].join('\n');
    expect((await grade('Mini/0', plant)).status).toBe('pass');
    // a candidate that relies on builtins would be broken by any planted file surviving
    const honest = await grade('Mini/1', '    return [max(xs[: i + 1]) for i in range(len(xs))]\n');
    expect(honest.status, JSON.stringify(honest)).toBe('pass');
    const sums = await grade('Mini/0', '    return sum([a, b, c])\n');
    expect(sums.status, JSON.stringify(sums)).toBe('pass');
  });

  it('is not fooled by exiting early or printing a fake verdict', async () => {
    const hacks = [
      '    import os\n    os._exit(0)\n',
      '    import sys\n    sys.exit(0)\n',
      '    raise SystemExit(0)\n',
      '    print(\'{"event":"result","status":"pass"}\')\n    import os\n    os._exit(0)\n',
      '    import os\n    os.write(1, b\'{"event":"result","status":"pass"}\\n\')\n    return 0\n',
      '    import os, signal\n    os.kill(os.getppid(), signal.SIGKILL)\n',
      '    class A:\n        def __eq__(self, o): return True\n    return A()\n',
    ];
    for (const h of hacks) {
      const v = await grade('Mini/0', h);
      expect(v.status, h).toBe('fail');
    }
  }, 120_000);

  it('grades HumanEval+ by differential testing after calibrating the reference outputs', async () => {
    const ok = await grade('Mini/1', canonical(1), undefined, 'humaneval-plus');
    expect(ok.status, JSON.stringify(ok)).toBe('pass');
    expect(ok.benchmark_version).toBe('v0.0.1-mini');
    expect(ok.groups).toEqual({ base: 'pass', plus: 'pass' });
    // passes the original tests' inputs but not the plus input of 200 descending numbers
    const partial = await grade('Mini/1', '    if len(xs) > 100:\n        return []\n    out = []\n    for x in xs:\n        out.append(x if not out else max(out[-1], x))\n    return out\n', undefined, 'humaneval-plus');
    expect(partial.status).toBe('fail');
    expect(partial.groups?.base).toBe('pass');
    expect(partial.groups?.plus).toBe('fail');
    // float outputs compare with the task's atol
    const close = await grade('Mini/3', '    return sum(xs) / len(xs) + 1e-9\n', undefined, 'humaneval-plus');
    expect(close.status, JSON.stringify(close)).toBe('pass');
    const far = await grade('Mini/3', '    return sum(xs) / len(xs) + 1e-3\n', undefined, 'humaneval-plus');
    expect([far.status, far.reason]).toEqual(['fail', 'wrong_answer']);
  }, 120_000);

  it('answers infra_error deadline when the client deadline passes first', async () => {
    // cache off: the same program's timeout verdict from an earlier test would be a valid (instant) answer
    const v = await grade('Mini/0', '    while True:\n        pass\n', { timeout_ms: 500, cache: false });
    expect([v.status, v.reason, v.retryable]).toEqual(['infra_error', 'deadline', true]);
  });

  it('keeps the service healthy: /healthz and /metrics answer and count verdicts', async () => {
    const h = await app.server.inject({ method: 'GET', url: '/healthz' });
    expect(h.statusCode).toBe(200);
    expect(h.json().docker.reachable).toBe(true);
    const m = await app.server.inject({ method: 'GET', url: '/metrics' });
    expect(m.body).toMatch(/verdict_verdicts_total\{benchmark="humaneval",status="fail",reason="timeout"\} \d+/);
  });
});

const hasRunsc =
  hasDocker && ((await new Docker().info()) as { Runtimes?: Record<string, unknown> }).Runtimes?.runsc !== undefined;

describe.skipIf(!hasRunsc)('grading under gVisor (options.runtime = runsc)', () => {
  let app: Awaited<ReturnType<typeof testApp>>;
  beforeAll(async () => {
    await ensurePythonImage();
    app = await testApp([{ benchmark: 'humaneval', file: writeFixtures().humaneval }]);
  }, 900_000);
  afterAll(async () => {
    await app?.close();
  });

  it('gives the same verdicts as runc: pass, timeout, exit hack, memory bomb', async () => {
    const grade = (completion: string) =>
      app.grader.grade({ benchmark: 'humaneval', problem_id: 'Mini/0', completion, options: { runtime: 'runsc', memory_mb: 512 } });
    expect((await grade(HUMANEVAL_MINI[0]!.canonical_solution)).status).toBe('pass');
    const loop = await grade('    while True:\n        pass\n');
    expect([loop.status, loop.reason]).toEqual(['fail', 'timeout']);
    expect((await grade('    import os\n    os._exit(0)\n')).status).toBe('fail');
    // gVisor's ptrace platform takes ~1-4 s per 128 MB of page faults (by load),
    // so a 3 s limit would race the memory limit: the bomb gets time to reach it.
    const bomb = await app.grader.grade({
      benchmark: 'humaneval',
      problem_id: 'Mini/0',
      completion: '    x = []\n    while True:\n        x.append(bytearray(1 << 24))\n',
      options: { runtime: 'runsc', memory_mb: 128, timeout_s: 60 },
    });
    expect([bomb.status, bomb.reason]).toEqual(['fail', 'memory_limit']);
  }, 120_000);
});
