import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bigcodebench } from '../src/benchmarks/bigcodebench/benchmark.js';
import { runSelftest, SelftestReportSchema } from '../src/grading/selftest.js';
import { ensureImages } from '../src/sandbox/images/build.js';
import { BIGCODEBENCH_MINI, writeBigCodeBenchFixtures } from './fixtures/bigcodebench.js';
import { postGrade, testApp } from './helpers/app.js';
import { dockerAvailable, SANDBOXES } from './helpers/docker.js';
import { ti } from './helpers/instance.js';

const fx = writeBigCodeBenchFixtures();
const row = (i: number) => BIGCODEBENCH_MINI[i]!;
/** What the official --check_gt_only grades: the whole program. */
const reference = (i: number) => row(i).complete_prompt + '\n' + row(i).canonical_solution;

const hasDocker = await dockerAvailable();

describe.skipIf(!hasDocker)('grading BigCodeBench in its sandbox', () => {
  let app: Awaited<ReturnType<typeof testApp>>;

  beforeAll(async () => {
    await ensureImages(new Docker(), SANDBOXES, ['bigcodebench']);
    app = await testApp([{ benchmark: 'bigcodebench', file: fx.file }], { instance: ti('test-bcb') });
  }, 3_600_000);
  afterAll(async () => {
    await app?.close();
  });

  const grade = (problem_id: string, completion: string, options?: Record<string, unknown>) =>
    postGrade(app, { benchmark: 'bigcodebench', problem_id, completion, options });
  const id = (i: number) => row(i).task_id;

  it('passes every reference solution (output swallowed, skips pass, local time, mocks, files, subTests)', async () => {
    for (let i = 0; i < BIGCODEBENCH_MINI.length; i++) {
      const v = await grade(id(i), reference(i));
      expect(v.status, JSON.stringify(v)).toBe('pass');
      expect(v.reward).toBe(1);
    }
    const v0 = await grade(id(0), reference(0));
    expect(v0.tests.map((t) => [t.group, t.status])).toEqual([
      ['test_empty', 'pass'],
      ['test_repeats', 'pass'],
      ['test_single', 'pass'],
      ['test_skipped', 'pass'],
    ]);
  });

  it('grades a continuation of complete_prompt, and calibration supplies the prompt imports', async () => {
    expect((await grade(id(0), row(0).canonical_solution, { completion_format: 'completion' })).status).toBe('pass');
    const noImport = 'def task_func(words):\n    return dict(collections.Counter(words))\n';
    expect((await grade(id(0), noImport)).status).toBe('pass');
    const v = await grade(id(0), noImport, { calibrated: false });
    expect([v.status, v.reason]).toEqual(['fail', 'runtime_error']);
    expect(v.detail).toContain('NameError');
  });

  it('fails a failing assertion, an error and a syntax error', async () => {
    const wrong = await grade(id(0), 'def task_func(words):\n    return {}\n');
    expect([wrong.status, wrong.reason]).toEqual(['fail', 'wrong_answer']);
    expect(wrong.tests.find((t) => t.group === 'test_repeats')?.status).toBe('fail');
    expect(wrong.tests.find((t) => t.group === 'test_empty')?.status).toBe('pass');
    const err = await grade(id(1), 'def task_func(n):\n    raise ValueError("no")\n');
    expect([err.status, err.reason]).toEqual(['fail', 'runtime_error']);
    expect(err.detail).toContain('ValueError');
    const syn = await grade(id(1), 'def task_func(n):\n    return (\n');
    expect(syn.status).toBe('fail');
    expect(syn.detail).toContain('SyntaxError');
  });

  it('enforces the suite time limit', async () => {
    const v = await grade(id(0), 'import time\ndef task_func(words):\n    time.sleep(30)\n', { timeout_s: 1 });
    expect([v.status, v.reason]).toEqual(['fail', 'timeout']);
  });

  it('is not fooled by exits, patched unittest, fake verdict lines or forged reports', async () => {
    const hacks: Record<string, string> = {
      module_os_exit: 'import os\nos._exit(0)\n',
      test_os_exit: 'import os\ndef task_func(words):\n    os._exit(0)\n',
      module_sys_exit: 'import sys\nsys.exit(0)\n',
      test_sys_exit: 'import sys\ndef task_func(words):\n    sys.exit(0)\n',
      keyboard_interrupt: 'def task_func(words):\n    raise KeyboardInterrupt\n',
      patched_assert:
        'import unittest\nunittest.TestCase.assertEqual = lambda *a, **k: None\ndef task_func(words):\n    return None\n',
      patched_result:
        'import unittest\nunittest.TestResult.addFailure = lambda *a, **k: None\ndef task_func(words):\n    return None\n',
      patched_during_test:
        'import unittest\ndef task_func(words):\n    unittest.TestCase.assertEqual = lambda *a, **k: None\n    return None\n',
      fake_lines:
        'import sys, os\nline = \'{"event":"result","status":"pass","reason":null}\\n\'\nprint(line)\nsys.__stdout__.write(line)\nos.write(1, line.encode())\ndef task_func(words):\n    return None\n',
      forged_pipe:
        'import os\nfor fd in range(3, 64):\n    try:\n        os.write(fd, b\'{"m": "{\\\\"k\\\\": \\\\"done\\\\"}", "h": "00"}\\n\')\n    except OSError:\n        pass\nos._exit(0)\n',
      kill_judge: 'import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\ndef task_func(words):\n    return None\n',
    };
    for (const [name, code] of Object.entries(hacks)) {
      const v = await grade(id(0), code);
      expect(v.status, `${name}: ${JSON.stringify(v)}`).toBe('fail');
      expect(v.reward).toBe(0);
    }
  });

  // Hacks the official harness passes (its tests run in the candidate's interpreter):
  // strict (the default) fails them and reports the official verdict; mode 'official' passes them.
  const Liar = "class Liar:\n    __eq__ = lambda s, o: True\n    __ne__ = lambda s, o: False\n    __contains__ = lambda s, x: True\n    __hash__ = lambda s: 0\n";
  const outcome =
    "import sys\ndef outcomes():\n    f = sys._getframe(2)\n    while f is not None:\n        o = getattr(f.f_locals.get('self'), '_outcome', None)\n        if o is not None:\n            yield o\n        f = f.f_back\n";
  const officiallyFooled: Record<string, { problem: number; code: string; strict: RegExp; failing?: string[] }> = {
    always_equal: { problem: 0, code: Liar + 'def task_func(words):\n    return Liar()\n', strict: /always-equal object: its == says it equals a fresh object/ },
    always_equal_dict_subclass: {
      problem: 0,
      code: 'class D(dict):\n    def __eq__(self, o):\n        return isinstance(o, dict)\ndef task_func(words):\n    return D()\n',
      strict: /says it equals dict where dict.__eq__ says not/,
    },
    // test_counter (assertTrue(a == b)) and test_ordered (a plain assert) compare with == in the test source
    always_equal_in_test_source: {
      problem: 4,
      code: Liar + row(4).code_prompt + "    if kind in ('counter', 'ordered'):\n        return Liar()\n" + row(4).canonical_solution,
      strict: /test_counter: always-equal object/,
      failing: ['test_counter', 'test_ordered'],
    },
    skip_from_candidate: { problem: 0, code: 'import unittest\ndef task_func(words):\n    raise unittest.SkipTest("no")\n', strict: /SkipTest raised outside the test source \(from task_func/ },
    skip_markers_set_by_candidate: {
      problem: 0,
      code: "import sys\ndef task_func(words):\n    T = sys.modules['__test__'].TestCases\n    for n in dir(T):\n        if n.startswith('test'):\n            getattr(T, n).__unittest_skip__ = True\n    return {}\n",
      strict: /skip marker the test source does not set/,
    },
    expected_failure_forced: {
      problem: 0,
      code: outcome + 'def task_func(words):\n    for o in outcomes():\n        o.expecting_failure = True\n',
      strict: /swallowed as an expected failure/,
    },
    outcome_diverted: {
      problem: 0,
      code: outcome + 'import unittest\ndef task_func(words):\n    for o in outcomes():\n        o.result = unittest.TestResult()\n',
      strict: /ended without a result/,
    },
  };

  it('strict by default: fails what fools the official harness, and reports the official verdict', async () => {
    for (const [name, h] of Object.entries(officiallyFooled)) {
      const v = await grade(id(h.problem), h.code);
      expect([v.status, v.reward, v.official], `${name}: ${JSON.stringify(v)}`).toEqual(['fail', 0, { status: 'pass', reason: null }]);
      expect(v.detail, name).toMatch(h.strict);
      expect(v.detail, name).toContain('the official harness passes this');
      if (h.failing) expect(v.tests.filter((t) => t.status !== 'pass').map((t) => t.group).sort(), name).toEqual(h.failing);
      const o = await grade(id(h.problem), h.code, { mode: 'official' });
      expect([o.status, o.official], `${name} (official): ${JSON.stringify(o)}`).toEqual(['pass', undefined]);
    }
  });

  it('strict mode leaves honest programs alone: library results, declared skips and expected failures, wildcards of the test', async () => {
    const v = await grade(id(4), reference(4));
    expect([v.status, v.official], JSON.stringify(v)).toEqual(['pass', undefined]);
    expect(v.tests.map((t) => [t.group, t.status])).toEqual([
      ['test_counter', 'pass'],
      ['test_expected_failure', 'pass'],
      ['test_numpy_pandas', 'pass'],
      ['test_ordered', 'pass'],
      ['test_skip_in_test', 'pass'],
      ['test_skip_marked', 'pass'],
      ['test_skip_raised_in_test', 'pass'],
      ['test_values', 'pass'],
    ]);
    // a wrong answer is still a plain wrong answer, with no official verdict attached
    const wrong = await grade(id(4), row(4).code_prompt + "    return None\n");
    expect([wrong.status, wrong.official]).toEqual(['fail', undefined]);
  });

  it('self-tests the reference solutions through the grading path (POST /v1/benchmarks/:name/selftest)', async () => {
    const r = await app.server.inject({ method: 'POST', url: '/v1/benchmarks/bigcodebench/selftest', payload: {} });
    expect(r.statusCode, r.body).toBe(200);
    const report = SelftestReportSchema.parse(r.json());
    expect([report.total, report.passed, report.failures]).toEqual([BIGCODEBENCH_MINI.length, BIGCODEBENCH_MINI.length, []]);
    const one = await runSelftest(app.grader, app.store, bigcodebench, { problemIds: [id(2)] });
    expect([one.total, one.passed]).toEqual([1, 1]);
    const bad = await app.server.inject({ method: 'POST', url: '/v1/benchmarks/bigcodebench/selftest', payload: { concurrency: 0 } });
    expect([bad.statusCode, bad.json().field]).toEqual([400, 'concurrency']);
    const unknown = await app.server.inject({ method: 'POST', url: '/v1/benchmarks/nope/selftest', payload: {} });
    expect(unknown.statusCode).toBe(404);
    const missing = await app.server.inject({ method: 'POST', url: '/v1/benchmarks/bigcodebench/selftest', payload: { problem_ids: ['BigCodeBench/999'] } });
    expect([missing.statusCode, missing.json().field]).toEqual([404, 'problem_ids']);
  });
});
