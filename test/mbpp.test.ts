import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MBPP_FULL, MBPP_SANITIZED, writeMbppFixtures } from './fixtures/mbpp.js';
import { postGrade, testApp } from './helpers/app.js';
import { dockerAvailable, ensurePythonImage } from './helpers/docker.js';
import { ti } from './helpers/instance.js';

const hasDocker = await dockerAvailable();

describe.skipIf(!hasDocker)('grading MBPP, MBPP sanitized and MBPP+ through the service', () => {
  let app: Awaited<ReturnType<typeof testApp>>;

  beforeAll(async () => {
    await ensurePythonImage();
    const fx = writeMbppFixtures();
    app = await testApp(
      [
        { benchmark: 'mbpp', file: fx.full },
        { benchmark: 'mbpp-sanitized', file: fx.sanitized },
        { benchmark: 'mbpp-plus', file: fx.plus },
      ],
      { instance: ti('test-mbpp') },
    );
  }, 900_000);
  afterAll(async () => {
    await app?.close();
  });

  const grade = (benchmark: string, problem_id: string, completion: string, options?: Record<string, unknown>) =>
    postGrade(app, { benchmark, problem_id, completion, options });
  const ref = (taskId: number) => MBPP_FULL.find((r) => r.task_id === taskId)!.code;

  it('lists each variant with its version, and problems with split and entry point but no tests', async () => {
    const list = (await app.server.inject({ method: 'GET', url: '/v1/benchmarks' })).json() as { benchmarks: Array<{ name: string; versions: Array<{ version: string }> }> };
    const byName = new Map(list.benchmarks.map((b) => [b.name, b]));
    expect(byName.get('mbpp')?.versions[0]?.version).toMatch(/^1\.0\+/);
    expect(byName.get('mbpp-sanitized')?.versions[0]?.version).toMatch(/^1\.0\+/);
    expect(byName.get('mbpp-plus')?.versions[0]?.version).toBe('v0.0.1');
    const r = await app.server.inject({ method: 'GET', url: '/v1/benchmarks/mbpp/problems' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.body).toContain('add_ints');
    expect(r.body).toContain('"split":"train"');
    expect(r.body).not.toContain('add_ints(-4, 4)'); // the second assert is hidden
  });

  it('passes every reference solution (setup code and challenge tests opt-in)', async () => {
    for (const row of MBPP_FULL) {
      const opts = { extractor: 'raw@1', test_setup_code: true, challenge_tests: true };
      const v = await grade('mbpp', String(row.task_id), row.code, opts);
      expect(v.status, `${row.task_id}: ${JSON.stringify(v)}`).toBe('pass');
      expect(v.tests).toHaveLength(row.test_list.length + row.challenge_test_list.length);
    }
    for (const row of MBPP_SANITIZED) {
      const v = await grade('mbpp-sanitized', String(row.task_id), row.code);
      expect(v.status, JSON.stringify(v)).toBe('pass');
    }
  });

  it('ignores test_setup_code by default, as the bigcode harness does', async () => {
    const v = await grade('mbpp', '12', ref(12));
    expect([v.status, v.reason]).toEqual(['fail', 'wrong_answer']);
    expect(v.detail).toContain("name 'root' is not defined");
  });

  it('cuts a completion at the bigcode stop words and returns the extracted code', async () => {
    const completion = 'def add_ints(a, b):\n    return a + b\nprint(add_ints(1, 2))\nassert add_ints(1, 2) == 4\n';
    const v = await grade('mbpp', '11', completion);
    expect(v.status, JSON.stringify(v)).toBe('pass');
    expect(v.extracted_code).toBe('def add_ints(a, b):\n    return a + b');
  });

  it('grades chat replies with a chosen extractor', async () => {
    const reply = 'Here is my answer:\n\n```python\ndef add_ints(a, b):\n    return a + b\n\nprint(add_ints(2, 2))\n```\nIt adds.';
    const raw = await grade('mbpp', '11', reply, { extractor: 'raw@1' });
    expect([raw.status, raw.reason]).toEqual(['fail', 'compile_error']);
    const sanitized = await grade('mbpp', '11', reply, { extractor: 'sanitize@1' });
    expect(sanitized.status, JSON.stringify(sanitized)).toBe('pass');
    expect(sanitized.extracted_code).toBe('def add_ints(a, b):\n    return a + b\n');
    const bad = await app.server.inject({ method: 'POST', url: '/v1/grade', payload: { benchmark: 'mbpp', problem_id: '11', completion: 'x', options: { extractor: 'magic' } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ field: 'options.extractor' });
  });

  it('fails wrong answers at the first failing assert, and errors and timeouts with their reasons', async () => {
    const wrong = await grade('mbpp', '11', 'def add_ints(a, b):\n    return a - b\n');
    expect([wrong.status, wrong.reason]).toEqual(['fail', 'wrong_answer']);
    expect(wrong.tests.map((t) => t.status)).toEqual(['fail']);
    const missing = await grade('mbpp', '11', 'def add(a, b):\n    return a + b\n');
    expect([missing.status, missing.reason]).toEqual(['fail', 'wrong_answer']);
    expect(missing.detail).toContain('NameError');
    const raised = await grade('mbpp', '11', 'def add_ints(a, b):\n    raise ValueError("no")\n');
    expect([raised.status, raised.reason]).toEqual(['fail', 'runtime_error']);
    const slow = await grade('mbpp', '11', 'def add_ints(a, b):\n    while True: pass\n', { timeout_s: 1 });
    expect([slow.status, slow.reason]).toEqual(['fail', 'timeout']);
  });

  it('objects the program builds stay in the program: trees from setup code, instances of its classes', async () => {
    const tree = await grade('mbpp', '12', ref(12), { test_setup_code: true });
    expect(tree.status, JSON.stringify(tree)).toBe('pass');
    const wrongTree = await grade('mbpp', '12', ref(12).replace('return 1 +', 'return 2 +'), { test_setup_code: true });
    expect(wrongTree.status).toBe('fail');
    const points = await grade('mbpp', '13', ref(13));
    expect(points.status, JSON.stringify(points)).toBe('pass');
    // builtin types as arguments; a module the program imported, used by the asserts
    const types = await grade('mbpp', '14', ref(14));
    expect(types.status, JSON.stringify(types)).toBe('pass');
    const noSys = await grade('mbpp', '14', 'def drop_type(t, kind):\n    return [x for x in t if not isinstance(x, kind)]\n');
    expect(noSys.status).toBe('fail'); // official: NameError on `sys` in the third assert
  });

  it('is not fooled by exits, patched asserts, rigged equality or fake output', async () => {
    const hacks = [
      'import os\nos._exit(0)\n',
      'import sys\nsys.exit(0)\n',
      'raise SystemExit(0)\n',
      'def add_ints(a, b):\n    raise SystemExit(0)\n',
      'def add_ints(a, b):\n    raise KeyboardInterrupt\n',
      'import builtins\nbuiltins.AssertionError = type("X", (Exception,), {})\ndef add_ints(a, b):\n    return 0\n',
      'class Yes:\n    def __eq__(self, o): return True\n    def __ne__(self, o): return False\ndef add_ints(a, b):\n    return Yes()\n',
      'print("{\\"event\\": \\"result\\", \\"status\\": \\"pass\\"}")\nimport os\nos._exit(0)\n',
      'import signal, os\nos.kill(os.getppid(), signal.SIGKILL)\n',
      'def add_ints(a, b):\n    import os\n    os.kill(os.getppid(), 9)\n',
    ];
    for (const h of hacks) {
      const v = await grade('mbpp', '11', h, { extractor: 'raw@1' });
      expect(v.status, `${h}\n→ ${JSON.stringify(v)}`).toBe('fail');
    }
  });

  it('MBPP+: canonical passes on base and plus (set-equality oracle, bare NaN inputs); wrong answers fail', async () => {
    const ok = await grade('mbpp-plus', 'Mbpp/2', 'def similar_elements(a, b):\n    return tuple(sorted(set(a) & set(b), reverse=True))\n');
    expect(ok.status, JSON.stringify(ok)).toBe('pass');
    expect(ok.groups).toEqual({ base: 'pass', plus: 'pass' });
    const nan = await grade('mbpp-plus', 'Fixture/nan', 'def is_nan(x):\n    return x != x\n');
    expect(nan.status, JSON.stringify(nan)).toBe('pass');
    const wrongNan = await grade('mbpp-plus', 'Fixture/nan', 'def is_nan(x):\n    return False\n');
    expect([wrongNan.status, wrongNan.reason]).toEqual(['fail', 'wrong_answer']);
    expect(wrongNan.groups?.base).toBe('fail');
    const plusOnly = await grade('mbpp-plus', 'Mbpp/2', 'def similar_elements(a, b):\n    r = tuple(set(a) & set(b))\n    return r if r else (0,)\n');
    expect(plusOnly.groups).toEqual({ base: 'pass', plus: 'fail' });
  });
});
