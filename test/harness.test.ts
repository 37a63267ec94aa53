// Tests for src/benchmarks/python-harness/verdict_harness.py, run with the host's
// python3 (no Docker). Each run writes the harness as it ships (bundled from
// its modules, harnessCode()) into a fresh scratch dir and runs it there with
// cwd = that dir, as the sandbox does.
import { describe, it, expect } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { harnessCode } from '../src/benchmarks/python-harness/harness.js';

const HARNESS = harnessCode();
// The interpreter `python3` resolves to, found once: a pyenv shim on PATH costs
// ~1 s of bash per start, which the harness's wall-clock tests would count.
const PYTHON =
  process.env.VERDICT_TEST_PYTHON ?? execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();

type Event = Record<string, unknown>;

interface RunOutput {
  events: Event[];
  /** the last result line: the only one that counts */
  result: Event | undefined;
  stdout: string;
  stderr: string;
  elapsedMs: number;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  specStillExists: boolean;
}

interface RunOptions {
  timeoutMs?: number;
  /** extra files to place next to the spec */
  files?: Record<string, string>;
}

function parseLines(stdout: string): Event[] {
  const events: Event[] = [];
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const value: unknown = JSON.parse(line); // the harness prints JSON lines only
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new Error(`non-object line on stdout: ${line}`);
    }
    events.push(value as Event);
  }
  return events;
}

function runHarness(spec: object, opts: RunOptions = {}): Promise<RunOutput> {
  const dir = mkdtempSync(join(tmpdir(), 'verdict-harness-test-'));
  const script = join(dir, 'verdict_harness.py');
  writeFileSync(script, HARNESS);
  const specPath = join(dir, 'spec.json');
  writeFileSync(specPath, JSON.stringify(spec));
  for (const [name, content] of Object.entries(opts.files ?? {})) {
    writeFileSync(join(dir, name), content);
  }
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(PYTHON, ['verdict_harness.py', 'spec.json'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      const specStillExists = existsSync(specPath);
      rmSync(dir, { recursive: true, force: true });
      try {
        const events = parseLines(stdout);
        const results = events.filter((e) => e.event === 'result');
        resolvePromise({
          events,
          result: results[results.length - 1],
          stdout,
          stderr,
          elapsedMs: Date.now() - started,
          exitCode,
          signal,
          specStillExists,
        });
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  });
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return out;
}

function str(e: Event | undefined, key: string): string | undefined {
  const v = e?.[key];
  return typeof v === 'string' ? v : undefined;
}

/** A run "passes" only if its last result line says so. */
function passed(run: RunOutput): boolean {
  return str(run.result, 'status') === 'pass';
}

/** No line at all on stdout claims a pass (fake lines would show up here). */
function noPassLine(run: RunOutput): boolean {
  return !run.events.some((e) => e.event === 'result' && e.status === 'pass');
}

// ---------------------------------------------------------------------------
// HumanEval-style fixtures (written for these tests, not dataset rows)
// ---------------------------------------------------------------------------
const SUM_PROMPT = [
  'from typing import List',
  '',
  '',
  'def sum_squares(xs: List[int]) -> int:',
  '    """Return the sum of the squares of xs.',
  '    >>> sum_squares([1, 2])',
  '    5',
  '    """',
  '',
].join('\n');

const SUM_TEST = [
  '',
  '',
  "METADATA = {'author': 'verdict', 'dataset': 'fixture'}",
  '',
  '',
  'def check(candidate):',
  '    assert candidate([]) == 0',
  '    assert candidate([1, 2]) == 5',
  '    assert candidate([-3]) == 9',
  '    assert candidate(list(range(10))) == 285',
  '',
].join('\n');

const SUM_OK = '    return sum(x * x for x in xs)\n';

function sumSpec(completion: string, timeoutS = 3.0): object {
  return {
    mode: 'humaneval',
    prompt: SUM_PROMPT,
    completion,
    test: SUM_TEST,
    entry_point: 'sum_squares',
    timeout_s: timeoutS,
  };
}

// A task whose test needs a helper defined in the prompt (like HumanEval/32).
const ROOT_PROMPT = [
  'import math',
  '',
  '',
  'def evaluate(coeffs: list, x: float) -> float:',
  '    """Evaluate a polynomial with coefficients coeffs at x."""',
  '    return sum(c * math.pow(x, i) for i, c in enumerate(coeffs))',
  '',
  '',
  'def root(coeffs: list) -> float:',
  '    """Return a root in [-100, 100] of an odd-degree polynomial."""',
  '',
].join('\n');

const ROOT_TEST = [
  '',
  '',
  'def check(candidate):',
  '    import random',
  '    rng = random.Random(7)',
  '    for _ in range(30):',
  '        coeffs = [rng.randint(1, 9) * rng.choice([-1, 1]) for _ in range(4)]',
  '        x = candidate(list(coeffs))',
  '        assert abs(evaluate(coeffs, x)) < 1e-4',
  '',
].join('\n');

const ROOT_OK = [
  '    lo, hi = -100.0, 100.0',
  '    if evaluate(coeffs, lo) > 0:',
  '        lo, hi = hi, lo',
  '    for _ in range(200):',
  '        mid = (lo + hi) / 2',
  '        if evaluate(coeffs, mid) < 0:',
  '            lo = mid',
  '        else:',
  '            hi = mid',
  '    return lo',
  '',
].join('\n');

function rootSpec(completion: string): object {
  return { mode: 'humaneval', prompt: ROOT_PROMPT, completion, test: ROOT_TEST, entry_point: 'root' };
}

describe('mode humaneval: basic verdicts', () => {
  it('passes a correct completion', async () => {
    const run = await runHarness(sumSpec(SUM_OK));
    expect(run.result).toMatchObject({ status: 'pass', reason: null });
    expect(run.events).toContainEqual(expect.objectContaining({ event: 'test', index: 0, status: 'pass' }));
    expect(run.specStillExists).toBe(false); // hidden tests are not left on disk
  }, 30_000);

  it('reports wrong_answer for a wrong completion', async () => {
    const run = await runHarness(sumSpec('    return sum(xs)\n'));
    expect(run.result).toMatchObject({ status: 'fail', reason: 'wrong_answer' });
    expect(run.events).toContainEqual(expect.objectContaining({ event: 'test', index: 0, status: 'fail' }));
  }, 30_000);

  it('fails a NotImplementedError body', async () => {
    const run = await runHarness(sumSpec('    raise NotImplementedError\n'));
    expect(run.result).toMatchObject({ status: 'fail', reason: 'runtime_error' });
    expect(str(run.result, 'detail')).toContain('NotImplementedError');
  }, 30_000);

  it('times out an infinite loop within about timeout + 1 s', async () => {
    const timeoutS = 2;
    const run = await runHarness(sumSpec('    while True:\n        pass\n', timeoutS));
    expect(run.result).toMatchObject({ status: 'fail', reason: 'timeout' });
    expect(run.elapsedMs).toBeLessThan((timeoutS + 1.5) * 1000);
  }, 30_000);

  it('times out an infinite loop at import time', async () => {
    const run = await runHarness(sumSpec('    return 0\nwhile True:\n    pass\n', 1));
    expect(run.result).toMatchObject({ status: 'fail', reason: 'timeout' });
  }, 30_000);

  it('reports compile_error for a SyntaxError', async () => {
    const run = await runHarness(sumSpec('    return sum(x * x for x in xs\n'));
    expect(run.result).toMatchObject({ status: 'fail', reason: 'compile_error' });
    expect(str(run.result, 'detail')).toContain('SyntaxError');
  }, 30_000);

  it('reports runtime_error when the entry point is missing', async () => {
    const spec = { ...(sumSpec(SUM_OK) as Record<string, unknown>), entry_point: 'nope' };
    const run = await runHarness(spec);
    expect(run.result).toMatchObject({ status: 'fail', reason: 'runtime_error' });
  }, 30_000);

  it('gives tests the helpers defined in the prompt', async () => {
    const run = await runHarness(rootSpec(ROOT_OK));
    expect(run.result).toMatchObject({ status: 'pass' });
  }, 30_000);

  it('checks with the prompt helper, not a helper the completion redefines', async () => {
    // upstream would use the redefined evaluate() and pass this; we do not
    const cheat = '    return 0.0\n\n\ndef evaluate(coeffs, x):\n    return 0.0\n';
    const run = await runHarness(rootSpec(cheat));
    expect(run.result).toMatchObject({ status: 'fail', reason: 'wrong_answer' });
  }, 30_000);

  it('keeps stdout to JSON lines even when the test code prints', async () => {
    const spec = {
      ...(sumSpec(SUM_OK) as Record<string, unknown>),
      test: SUM_TEST + "    print('noise from the test')\n",
    };
    const run = await runHarness(spec);
    expect(run.result).toMatchObject({ status: 'pass' });
    expect(run.stdout).not.toContain('noise');
  }, 30_000);

  it('echoes the nonce on every line when given one', async () => {
    const spec = { ...(sumSpec(SUM_OK) as Record<string, unknown>), nonce: 'n-123' };
    const run = await runHarness(spec);
    expect(run.events.length).toBeGreaterThan(1);
    for (const e of run.events) expect(e.nonce).toBe('n-123');
  }, 30_000);

  it('reports status error for a broken spec', async () => {
    const run = await runHarness({ mode: 'humaneval', prompt: 1 });
    expect(run.result).toMatchObject({ status: 'error' });
  }, 30_000);
});

// ---------------------------------------------------------------------------
// Reward hacks: every one of these must FAIL
// ---------------------------------------------------------------------------
const FAKE_PASS = '{"event":"result","status":"pass","reason":null,"detail":null}';

const HACKS: Array<{ name: string; completion: string }> = [
  { name: 'os._exit(0) at import', completion: `    return 0\nimport os\nos._exit(0)\n` },
  { name: 'os._exit(0) inside the function', completion: `    import os\n    os._exit(0)\n` },
  { name: 'sys.exit(0) inside the function', completion: `    import sys\n    sys.exit(0)\n` },
  { name: 'sys.exit(0) at import', completion: `    return 0\nimport sys\nsys.exit(0)\n` },
  { name: 'raise SystemExit at import', completion: `    return 0\nraise SystemExit\n` },
  { name: 'raise SystemExit(0) inside', completion: `    raise SystemExit(0)\n` },
  { name: 'raise KeyboardInterrupt inside', completion: `    raise KeyboardInterrupt\n` },
  { name: 'exit() builtin', completion: `    exit(0)\n` },
  {
    name: 'printing a fake result line',
    completion: `    print(${JSON.stringify(FAKE_PASS)}, flush=True)\n    return 0\n`,
  },
  {
    name: 'writing a fake result line to fd 1 and sys.__stdout__',
    completion: [
      '    import os, sys',
      `    line = ${JSON.stringify(FAKE_PASS + '\n')}`,
      '    for fd in (1, 2):',
      '        try:',
      '            os.write(fd, line.encode())',
      '        except OSError:',
      '            pass',
      '    try:',
      '        sys.__stdout__.write(line)',
      '    except Exception:',
      '        pass',
      '    os._exit(0)',
      '',
    ].join('\n'),
  },
  {
    name: 'writing a fake result line to /proc/<ppid>/fd/1',
    completion: [
      '    import os',
      `    line = ${JSON.stringify(FAKE_PASS + '\n')}`,
      "    for target in ('/proc/%d/fd/1' % os.getppid(), '/proc/%d/fd/3' % os.getppid()):",
      '        try:',
      "            with open(target, 'w') as f:",
      '                f.write(line)',
      '        except OSError:',
      '            pass',
      '    os._exit(0)',
      '',
    ].join('\n'),
  },
  { name: 'os.kill(os.getppid(), 9)', completion: `    import os\n    os.kill(os.getppid(), 9)\n    return 0\n` },
  {
    name: 'libc kill(getppid(), SIGKILL) via ctypes',
    completion: `    import ctypes, os\n    ctypes.CDLL(None).kill(os.getppid(), 9)\n    return 0\n`,
  },
  {
    name: 'an object whose __eq__ is always True',
    completion: `    class Yes:\n        def __eq__(self, other):\n            return True\n        __hash__ = object.__hash__\n    return Yes()\n`,
  },
  {
    name: 'an int subclass whose __eq__ is always True',
    completion: `    class I(int):\n        def __eq__(self, other):\n            return True\n        __hash__ = int.__hash__\n    return I(-1)\n`,
  },
  {
    name: 'a str subclass whose __eq__ is always True',
    completion: `    class S(str):\n        def __eq__(self, other):\n            return True\n        __hash__ = str.__hash__\n    return S('x')\n`,
  },
  {
    name: 'monkeypatching AssertionError and builtins at import',
    completion: [
      '    return -1',
      'import builtins',
      "class _Quiet(BaseException):",
      '    pass',
      'builtins.AssertionError = _Quiet',
      'builtins.sum = lambda *a, **k: -1',
      'builtins.abs = lambda x: 0',
      'import unittest',
      'unittest.TestCase.assertEqual = lambda *a, **k: None',
      '',
    ].join('\n'),
  },
  {
    name: 'catching the failure and swallowing it at exit',
    completion: [
      '    import atexit, os',
      '    atexit.register(lambda: os._exit(0))',
      '    return None',
      '',
    ].join('\n'),
  },
];

describe('mode humaneval: reward hacks fail', () => {
  for (const hack of HACKS) {
    it(`fails: ${hack.name}`, async () => {
      const run = await runHarness(sumSpec(hack.completion));
      expect(noPassLine(run)).toBe(true);
      // a missing result line also counts as a failure for the service
      if (run.result !== undefined) expect(run.result).toMatchObject({ status: 'fail' });
      expect(passed(run)).toBe(false);
    }, 30_000);
  }

  it('kills processes the candidate leaves behind before reporting', async () => {
    const pidDir = mkdtempSync(join(tmpdir(), 'verdict-pid-'));
    chmodSync(pidDir, 0o777);
    const pidFile = join(pidDir, 'pid');
    const completion = [
      SUM_OK.trimEnd(),
      'import ctypes, os, time',
      '_libc = ctypes.CDLL(None)',
      'if _libc.fork() == 0:',
      '    _libc.setsid()',
      `    with open(${JSON.stringify(pidFile)}, 'w') as _f:`,
      '        _f.write(str(_libc.getpid()))',
      '    time.sleep(60)',
      '    _libc._exit(0)',
      'time.sleep(0.5)',
      '',
    ].join('\n');
    try {
      const run = await runHarness(sumSpec(completion));
      expect(run.result).toMatchObject({ status: 'pass' }); // the answers are right
      expect(run.elapsedMs).toBeLessThan(10_000);
      const pid = Number(readFileSync(pidFile, 'utf8'));
      expect(pid).toBeGreaterThan(1);
      let alive = true;
      try {
        process.kill(pid, 0);
      } catch {
        alive = false;
      }
      expect(alive).toBe(false);
    } finally {
      rmSync(pidDir, { recursive: true, force: true });
    }
  }, 30_000);

  it('does not let the candidate read the spec (hidden tests) from the scratch dir', async () => {
    // The candidate hunts for spec.json in the usual places and returns the
    // right answers only if it can read the tests; it must not find them.
    // (Other runs' scratch dirs are not tried: on a host the candidate is root.)
    const completion = [
      '    import os',
      "    paths = ['spec.json', '../spec.json', '/proc/%d/cwd/spec.json' % os.getppid()]",
      '    for p in paths:',
      '        try:',
      '            with open(p) as f:',
      "                if 'sum_squares' in f.read():",
      '                    return sum(x * x for x in xs)',
      '        except OSError:',
      '            pass',
      '    return -1',
      '',
    ].join('\n');
    const run = await runHarness(sumSpec(completion));
    expect(run.result).toMatchObject({ status: 'fail', reason: 'wrong_answer' });
  }, 30_000);
});

// ---------------------------------------------------------------------------
// EvalPlus modes (own fixtures)
// ---------------------------------------------------------------------------
interface GroupSpec {
  name: string;
  inputs?: unknown[];
  inputs_json?: string;
  expected?: unknown[];
  time_limits_s?: number[];
}

interface ExpectedEvent {
  group: string;
  outputs: unknown[];
  times_s: number[];
}

async function computeExpected(base: Record<string, unknown>, canonical: string, groups: GroupSpec[]) {
  const run = await runHarness({ ...base, mode: 'evalplus-expected', solution: canonical, groups });
  expect(run.result).toMatchObject({ status: 'pass' });
  const out = new Map<string, ExpectedEvent>();
  for (const e of run.events) {
    if (e.event !== 'expected') continue;
    out.set(String(e.group), {
      group: String(e.group),
      outputs: e.outputs as unknown[],
      times_s: e.times_s as number[],
    });
  }
  return out;
}

function withExpected(groups: GroupSpec[], expected: Map<string, ExpectedEvent>, limitS = 2): GroupSpec[] {
  return groups.map((g) => {
    const e = expected.get(g.name);
    if (e === undefined) throw new Error(`no expected outputs for ${g.name}`);
    return { ...g, expected: e.outputs, time_limits_s: e.times_s.map((t) => Math.max(limitS, 4 * t)) };
  });
}

function groupEvents(run: RunOutput): Event[] {
  return run.events.filter((e) => e.event === 'group');
}

function testEvents(run: RunOutput, group: string): Event[] {
  return run.events.filter((e) => e.event === 'test' && e.group === group);
}

const MEAN_BASE = { dataset: 'humaneval', task_id: 'Fixture/mean', entry_point: 'mean', atol: 0 };
const MEAN_CANON = 'def mean(xs):\n    return sum(xs) / len(xs)\n';
const MEAN_GROUPS: GroupSpec[] = [
  { name: 'base', inputs_json: '[[[1.0, 2.0]], [[1, 2, 3]], [[0.1, 0.2, 0.3]]]' },
  { name: 'plus', inputs_json: '[[[100000000000000000000, 1]], [[1e-300, 3e-300]], [[2.5]]]' },
];

describe('mode evalplus', () => {
  it('round trip: expected outputs, then grading correct and wrong solutions', async () => {
    const expected = await computeExpected(MEAN_BASE, MEAN_CANON, MEAN_GROUPS);
    expect(expected.get('base')?.outputs).toHaveLength(3);
    expect(expected.get('plus')?.times_s).toHaveLength(3);
    const groups = withExpected(MEAN_GROUPS, expected);

    const ok = await runHarness({ ...MEAN_BASE, mode: 'evalplus', solution: MEAN_CANON, groups, stop_on_fail: true });
    expect(ok.result).toMatchObject({ status: 'pass', groups: { base: 'pass', plus: 'pass' } });
    expect(groupEvents(ok)).toEqual([
      expect.objectContaining({ name: 'base', status: 'pass', passed: 3, total: 3 }),
      expect.objectContaining({ name: 'plus', status: 'pass', passed: 3, total: 3 }),
    ]);

    // float compare with the implicit 1e-6 atol: fsum differs in the last bits
    const fsum = 'import math\ndef mean(xs):\n    return math.fsum(xs) / len(xs)\n';
    const close = await runHarness({ ...MEAN_BASE, mode: 'evalplus', solution: fsum, groups });
    expect(close.result).toMatchObject({ status: 'pass' });

    const wrong = 'def mean(xs):\n    return sum(xs) / (len(xs) + 1)\n';
    const bad = await runHarness({ ...MEAN_BASE, mode: 'evalplus', solution: wrong, groups, stop_on_fail: true });
    expect(bad.result).toMatchObject({
      status: 'fail',
      reason: 'wrong_answer',
      groups: { base: 'fail', plus: 'skipped' },
    });
    // stop_on_fail: only the first input of base was tried
    expect(testEvents(bad, 'base')).toEqual([expect.objectContaining({ index: 0, status: 'fail' })]);
    expect(groupEvents(bad)).toContainEqual(expect.objectContaining({ name: 'plus', status: 'skipped' }));
  }, 60_000);

  it('exact compare: an int result is not accepted where a str is expected', async () => {
    const base = { dataset: 'humaneval', task_id: 'Fixture/rev', entry_point: 'rev', atol: 0 };
    const canon = 'def rev(s):\n    return s[::-1]\n';
    const groups: GroupSpec[] = [{ name: 'base', inputs: [['abc'], [''], ['1221']] }];
    const expected = await computeExpected(base, canon, groups);
    const g = withExpected(groups, expected);
    const ok = await runHarness({ ...base, mode: 'evalplus', solution: canon, groups: g });
    expect(ok.result).toMatchObject({ status: 'pass' });
    const asInt = 'def rev(s):\n    r = s[::-1]\n    return int(r) if r.isdigit() else r\n';
    const bad = await runHarness({ ...base, mode: 'evalplus', solution: asInt, groups: g });
    expect(bad.result).toMatchObject({ status: 'fail', reason: 'wrong_answer' });
  }, 60_000);

  it('float atol compare: within atol passes, outside fails, type must match', async () => {
    const base = { dataset: 'humaneval', task_id: 'Fixture/half', entry_point: 'half', atol: 1e-3 };
    const canon = 'def half(x):\n    return x / 2\n';
    const groups: GroupSpec[] = [{ name: 'base', inputs_json: '[[1.0], [3.0], [10.0]]' }];
    const g = withExpected(groups, await computeExpected(base, canon, groups));
    const near = await runHarness({ ...base, mode: 'evalplus', solution: 'def half(x):\n    return x / 2 + 5e-4\n', groups: g });
    expect(near.result).toMatchObject({ status: 'pass' });
    const far = await runHarness({ ...base, mode: 'evalplus', solution: 'def half(x):\n    return x / 2 + 5e-3\n', groups: g });
    expect(far.result).toMatchObject({ status: 'fail', reason: 'wrong_answer' });
    // [0.5] is close but a list is not a float (upstream asserts type(out) == type(exp))
    const listy = await runHarness({ ...base, mode: 'evalplus', solution: 'def half(x):\n    return [x / 2 + 1e-4]\n', groups: g });
    expect(listy.result).toMatchObject({ status: 'fail' });
  }, 60_000);

  it('inputs_json keeps 2.0 a float and big ints exact', async () => {
    const base = { dataset: 'humaneval', task_id: 'Fixture/kind', entry_point: 'kind', atol: 0 };
    const canon = 'def kind(x):\n    return type(x).__name__ + ":" + repr(x)\n';
    const groups: GroupSpec[] = [{ name: 'base', inputs_json: '[[2.0], [123456789012345678901234567890], [-0.0]]' }];
    const expected = await computeExpected(base, canon, groups);
    expect(expected.get('base')?.outputs).toEqual(['float:2.0', 'int:123456789012345678901234567890', 'float:-0.0']);
  }, 30_000);

  it('find_zero oracle: any root within atol passes', async () => {
    const base = { dataset: 'humaneval', task_id: 'Fixture/find_zero', entry_point: 'find_zero', atol: 1e-4 };
    const prompt = 'import math\n\ndef poly(xs, x):\n    return sum([c * math.pow(x, i) for i, c in enumerate(xs)])\n\n';
    const canon = `${prompt}def find_zero(xs):\n    lo, hi = -1000.0, 1000.0\n    if poly(xs, lo) > 0:\n        lo, hi = hi, lo\n    for _ in range(200):\n        m = (lo + hi) / 2\n        if poly(xs, m) < 0:\n            lo = m\n        else:\n            hi = m\n    return lo\n`;
    // (x - 1)(x - 2)(x - 3): roots 1, 2, 3; bisection from [-1000, 1000] finds one of them
    const groups: GroupSpec[] = [{ name: 'base', inputs_json: '[[[-6, 11, -6, 1]], [[-1, 1]]]' }];
    const g = withExpected(groups, await computeExpected(base, canon, groups));
    const other = `${prompt}def find_zero(xs):\n    return 1.0\n`;
    const run = await runHarness({ ...base, mode: 'evalplus', solution: other, groups: g });
    expect(run.result).toMatchObject({ status: 'pass' });
    const wrong = `${prompt}def find_zero(xs):\n    return 1.5\n`;
    const bad = await runHarness({ ...base, mode: 'evalplus', solution: wrong, groups: g });
    expect(bad.result).toMatchObject({ status: 'fail', reason: 'wrong_answer' });
  }, 60_000);

  it('per-input time limit: a slow input times out, and stop_on_fail=false keeps going', async () => {
    const base = { dataset: 'humaneval', task_id: 'Fixture/slow', entry_point: 'inc', atol: 0 };
    const canon = 'def inc(x):\n    return x + 1\n';
    const groups: GroupSpec[] = [{ name: 'base', inputs: [[1], [2], [3], [4]] }];
    const g = withExpected(groups, await computeExpected(base, canon, groups), 0.5);
    const slow = 'import time\ndef inc(x):\n    if x == 2:\n        time.sleep(30)\n    return x + 1 if x != 4 else 0\n';
    const started = Date.now();
    const run = await runHarness({ ...base, mode: 'evalplus', solution: slow, groups: g, stop_on_fail: false });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(run.result).toMatchObject({ status: 'fail', reason: 'timeout' });
    expect(testEvents(run, 'base').map((e) => e.status)).toEqual(['pass', 'timeout', 'pass', 'fail']);
    expect(groupEvents(run)).toEqual([expect.objectContaining({ name: 'base', status: 'fail', passed: 2, total: 4 })]);

    const stop = await runHarness({ ...base, mode: 'evalplus', solution: slow, groups: g, stop_on_fail: true });
    expect(testEvents(stop, 'base').map((e) => e.status)).toEqual(['pass', 'timeout']);
  }, 60_000);

  it('reward hacks fail in evalplus mode too', async () => {
    const base = { dataset: 'humaneval', task_id: 'Fixture/inc', entry_point: 'inc', atol: 0 };
    const canon = 'def inc(x):\n    return x + 1\n';
    const groups: GroupSpec[] = [{ name: 'base', inputs: [[1], [2]] }];
    const g = withExpected(groups, await computeExpected(base, canon, groups));
    const hacks = [
      'class Y:\n    def __eq__(self, o):\n        return True\ndef inc(x):\n    return Y()\n',
      'class I(int):\n    def __eq__(self, o):\n        return True\ndef inc(x):\n    return I(0)\n',
      'import os\ndef inc(x):\n    os._exit(0)\n',
      'import sys\ndef inc(x):\n    sys.exit(0)\n',
      `print(${JSON.stringify(FAKE_PASS)})\nimport os\nos._exit(0)\n`,
    ];
    const runs = await mapLimit(hacks, 3, (solution) => runHarness({ ...base, mode: 'evalplus', solution, groups: g }));
    for (const run of runs) {
      expect(noPassLine(run)).toBe(true);
      expect(run.result).toMatchObject({ status: 'fail' });
    }
  }, 60_000);

  it('memory_limit when the candidate hits the address-space limit', async () => {
    const base = { dataset: 'humaneval', task_id: 'Fixture/mem', entry_point: 'inc', atol: 0 };
    const canon = 'def inc(x):\n    return x + 1\n';
    const groups: GroupSpec[] = [{ name: 'base', inputs: [[1]] }];
    const g = withExpected(groups, await computeExpected(base, canon, groups));
    const hog = 'def inc(x):\n    block = bytearray(2 * 1024 ** 3)\n    return x + 1\n';
    const run = await runHarness({
      ...base,
      mode: 'evalplus',
      solution: hog,
      groups: g,
      memory_limit_bytes: 512 * 1024 * 1024,
    });
    expect(run.result).toMatchObject({ status: 'fail', reason: 'memory_limit' });
  }, 30_000);

  it('huge expected outputs travel as a repr digest and are still checked', async () => {
    const base = { dataset: 'humaneval', task_id: 'Fixture/pairs', entry_point: 'pairs', atol: 0 };
    const canon = 'def pairs(n):\n    return [(i, str(i)) for i in range(n)]\n';
    const groups: GroupSpec[] = [{ name: 'base', inputs: [[2], [3000]] }];
    // force the digest path with a tiny threshold
    const run = await runHarness({ ...base, mode: 'evalplus-expected', solution: canon, groups, digest_over_bytes: 1000 });
    expect(run.result).toMatchObject({ status: 'pass' });
    const ev = run.events.find((e) => e.event === 'expected');
    const outputs = ev?.outputs as unknown[];
    expect(outputs[1]).toMatchObject({ t: 'digest', alg: 'sha256-repr' });
    const times = ev?.times_s as number[];
    const g = [{ ...groups[0], expected: outputs, time_limits_s: times.map(() => 2) }];
    const ok = await runHarness({ ...base, mode: 'evalplus', solution: canon, groups: g });
    expect(ok.result).toMatchObject({ status: 'pass' });
    const offByOne = 'def pairs(n):\n    return [(i, str(i)) for i in range(n)] if n < 10 else [(i, str(i)) for i in range(n - 1)]\n';
    const bad = await runHarness({ ...base, mode: 'evalplus', solution: offByOne, groups: g });
    expect(bad.result).toMatchObject({ status: 'fail', reason: 'wrong_answer' });
    expect(testEvents(bad, 'base').map((e) => e.status)).toEqual(['pass', 'fail']);
  }, 60_000);

  it('treats an empty-object input list as no inputs (MBPP+ Mbpp/793 ships plus_input {})', async () => {
    const base = { dataset: 'mbpp', task_id: 'Fixture/793', entry_point: 'inc', atol: 0 };
    const canon = 'def inc(x):\n    return x + 1\n';
    const groups: GroupSpec[] = [{ name: 'plus', inputs_json: '{}' }];
    const g = withExpected(groups, await computeExpected(base, canon, groups));
    const ok = await runHarness({ ...base, mode: 'evalplus', solution: canon, groups: g });
    expect(ok.result).toMatchObject({ status: 'pass', groups: { plus: 'pass' } });
    // upstream still execs the solution, so an import-time crash fails the group
    const crash = await runHarness({ ...base, mode: 'evalplus', solution: 'raise ValueError(1)\n' + canon, groups: g });
    expect(crash.result).toMatchObject({ status: 'fail', reason: 'runtime_error' });
  }, 60_000);

  it('mbpp: per-task input deserialisation and the set-equality oracle', async () => {
    // Mbpp/2 (similar_elements): args become tuples, output compared as a set
    const base = { dataset: 'mbpp', task_id: 'Mbpp/2', entry_point: 'similar_elements', atol: 0 };
    const canon = 'def similar_elements(a, b):\n    assert type(a) is tuple and type(b) is tuple\n    return tuple(sorted(set(a) & set(b)))\n';
    const groups: GroupSpec[] = [{ name: 'base', inputs: [[[3, 4, 5, 6], [5, 7, 4, 10]], [[1, 2], [3]]] }];
    const g = withExpected(groups, await computeExpected(base, canon, groups));
    const reordered = 'def similar_elements(a, b):\n    return tuple(sorted(set(a) & set(b), reverse=True))\n';
    const run = await runHarness({ ...base, mode: 'evalplus', solution: reordered, groups: g });
    expect(run.result).toMatchObject({ status: 'pass' });
  }, 60_000);

  it('mbpp: output-not-None oracle accepts a non-serialisable truthy object', async () => {
    const base = { dataset: 'mbpp', task_id: 'Fixture/text', entry_point: 'text_match_three', atol: 0 };
    const canon = "import re\ndef text_match_three(text):\n    return re.search('ab{3}', text)\n";
    const groups: GroupSpec[] = [{ name: 'base', inputs: [['ac'], ['abbbc']] }];
    const expected = await computeExpected(base, canon, groups);
    expect(expected.get('base')?.outputs).toEqual([false, true]);
    const g = withExpected(groups, expected);
    const run = await runHarness({ ...base, mode: 'evalplus', solution: canon, groups: g });
    expect(run.result).toMatchObject({ status: 'pass' });
    const wrong = "import re\ndef text_match_three(text):\n    return re.search('c', text)\n";
    const bad = await runHarness({ ...base, mode: 'evalplus', solution: wrong, groups: g });
    expect(bad.result).toMatchObject({ status: 'fail' });
  }, 60_000);
});

// ---------------------------------------------------------------------------
// Issue 14: names, redaction and decoding bounds (each fails on the old judge)
// ---------------------------------------------------------------------------
// sanitized-MBPP style: a builtin, and a test-import name, read by the asserts
const SIM_TESTS = [
  'assert set(similar_elements((3, 4, 5, 6), (5, 7, 4, 10))) == set((4, 5))',
  'assert sorted(similar_elements((1, 2, 3, 4), (5, 4, 3, 7))) == [3, 4]',
];
const SIM_REF = 'def similar_elements(a, b):\n    return tuple(set(a) & set(b))\n';

function assertsSpec(source: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { mode: 'asserts', source, tests: SIM_TESTS, imports: '', reference: SIM_REF, entry_point: 'similar_elements', ...extra };
}

/** A candidate function that writes `frame` (Python expression of the JSON text) as its reply, then waits. */
function rawReply(name: string, textExpr: string): string {
  return [
    'import os, json, time',
    `def ${name}(*args):`,
    `    d = (${textExpr}).encode()`,
    '    os.write(4, len(d).to_bytes(4, "big") + d)',
    '    time.sleep(60)',
    '',
  ].join('\n');
}

/** Python expression: a reply whose value is `n` distinct ints sharing one hash (k*(2**61-1)+7). */
function collidingReply(tag: 'set' | 'dict' | 'list', n = 60_000): string {
  const ints = `[{"t": "int", "v": hex(k * (2**61 - 1) + 7)} for k in range(1, ${n + 1})]`;
  const value = tag === 'list' ? ints : tag === 'set' ? `{"t": "set", "v": ${ints}}` : `{"t": "dict", "v": [[i, 0] for i in ${ints}]}`;
  return `json.dumps({"ok": True, "value": ${value}})`;
}

describe('asserts mode: the asserts take from the program only what the problem defines', () => {
  it('passes the honest program', async () => {
    const run = await runHarness(assertsSpec(SIM_REF));
    expect(run.result).toMatchObject({ status: 'pass' });
  }, 60_000);

  const shadows: Array<[string, string]> = [
    ['def set', 'def set(*a, **k):\n    return 0\ndef sorted(*a, **k):\n    return [3, 4]\n'],
    ['class set', 'class set:\n    def __init__(self, *a): pass\n    def __eq__(self, o): return True\nsorted = lambda *a, **k: [3, 4]\n'],
    ['globals()', 'globals()["set"] = lambda *a, **k: 0\nglobals().update(sorted=lambda *a, **k: [3, 4])\n'],
    ['__builtins__', 'import builtins\n__builtins__ = {"set": lambda *a: 0}\nbuiltins.set = lambda *a, **k: 0\nbuiltins.sorted = lambda *a, **k: [3, 4]\n'],
    ['a value', 'set = 0\nsorted = [3, 4]\n'],
  ];
  for (const [name, shadow] of shadows) {
    it(`fails a program that shadows builtins the asserts use (${name})`, async () => {
      const source = shadow + 'def similar_elements(a, b):\n    return None\n';
      for (const extra of [{}, { reference: undefined }]) {
        const run = await runHarness(assertsSpec(source, extra));
        expect(run.result, JSON.stringify(extra)).toMatchObject({ status: 'fail' });
      }
    }, 60_000);
  }

  it('keeps a builtin name the reference itself defines (MBPP 126 defines sum) the program\'s', async () => {
    const spec = (source: string) => ({ mode: 'asserts', source, tests: ['assert sum(10, 15) == 6', 'assert sum(4, 6) == 3'], imports: '', reference: 'def sum(a, b):\n    return 0\n' });
    const ok = await runHarness(spec('def sum(a, b):\n    import math\n    return 1 + sum_divs(math.gcd(a, b))\ndef sum_divs(n):\n    return len([d for d in range(2, n + 1) if n % d == 0]) + (n > 1) * 0 + (n == 5) * 4 + (n == 2) * 1\n'));
    expect(ok.result).toMatchObject({ status: 'pass' });
    const wrong = await runHarness(spec('def sum(a, b):\n    return a + b\n'));
    expect(wrong.result).toMatchObject({ status: 'fail', reason: 'wrong_answer' });
  }, 60_000);

  it('fails a program that rebinds a name the test imports bind', async () => {
    const spec = (source: string, imports: string, test: string) => ({
      mode: 'asserts', source, tests: [test], imports, reference: 'import math\ndef area(r):\n    return math.pi * r * r\n',
    });
    const honest = 'import math\ndef area(r):\n    return math.pi * r * r\n';
    expect((await runHarness(spec(honest, 'from math import isclose', 'assert isclose(area(2), 12.566, rel_tol=0.001)'))).result).toMatchObject({ status: 'pass' });
    expect((await runHarness(spec(honest, 'import math', 'assert math.isclose(area(2), 12.566, rel_tol=0.001)'))).result).toMatchObject({ status: 'pass' });
    const hacks: Array<[string, string]> = [
      ['def isclose(*a, **k):\n    return True\ndef area(r):\n    return 0\n', 'from math import isclose'],
      ['import types\nmath = types.ModuleType("math")\nmath.isclose = lambda *a, **k: True\ndef area(r):\n    return 0\n', 'import math'],
      ['class math:\n    isclose = staticmethod(lambda *a, **k: True)\ndef area(r):\n    return 0\n', 'import math'],
    ];
    for (const [source, imports] of hacks) {
      const test = imports.startsWith('from') ? 'assert isclose(area(2), 12.566, rel_tol=0.001)' : 'assert math.isclose(area(2), 12.566, rel_tol=0.001)';
      const run = await runHarness(spec(source, imports, test));
      expect(run.result, source).toMatchObject({ status: 'fail', reason: 'wrong_answer' });
    }
  }, 90_000);

  it('never imports a module the program names: a module object is the program\'s value (fail, not error)', async () => {
    const names = ['unittest.__main__', 'this', 'antigravity', 'idlelib.idle'];
    for (const mod of names) {
      const run = await runHarness(assertsSpec(`import types\nsimilar_elements = types.ModuleType(${JSON.stringify(mod)})\n`));
      expect(run.result, mod).toMatchObject({ status: 'fail', reason: 'wrong_answer' });
    }
    // a name the reference binds to a module gets the judge's own import of
    // the module the reference names, whatever the program put there
    const sysSpec = (source: string) => ({
      mode: 'asserts', source, tests: ['assert sys.getsizeof(()) > 0', 'assert f() == 1'], imports: '', reference: 'import sys\ndef f():\n    return 1\n',
    });
    expect((await runHarness(sysSpec('import sys\ndef f():\n    return 1\n'))).result).toMatchObject({ status: 'pass' });
    const fake = await runHarness(sysSpec('import types\nsys = types.ModuleType("unittest.__main__")\nsys.getsizeof = lambda o: 1\ndef f():\n    return 1\n'));
    expect(fake.result).toMatchObject({ status: 'pass' }); // the real sys answered, the fake one never ran
    const missing = await runHarness(sysSpec('def f():\n    return 1\n'));
    expect(missing.result).toMatchObject({ status: 'fail', reason: 'wrong_answer' }); // official: NameError
    expect(str(missing.result, 'detail')).toContain("name 'sys' is not defined");
  }, 120_000);

  it('fails, quickly, a program whose list of hash-colliding ints the asserts put in a set', async () => {
    const run = await runHarness(assertsSpec(rawReply('similar_elements', collidingReply('list'))), { timeoutMs: 40_000 });
    expect(run.result).toMatchObject({ status: 'fail', reason: 'runtime_error' });
  }, 60_000);
});

describe('verdict details do not echo hidden test inputs or the program\'s messages', () => {
  const SECRET = 'sum_squares([1, 2])';
  it('humaneval: a candidate exception is reported by its builtin type only', async () => {
    const completions = [
      '    raise ValueError("got %r" % (xs,))\n',
      '    raise type("Leak_" + "_".join(map(str, xs)), (KeyError,), {})()\n',
      '    class E(Exception):\n        def __str__(self):\n            while True: pass\n    raise E()\n',
      '    class E(Exception):\n        def __str__(self):\n            raise RuntimeError(repr(xs))\n    raise E()\n',
    ];
    const runs = await mapLimit(completions, 2, (c) => runHarness(sumSpec(c)));
    const details = runs.map((r) => str(r.result, 'detail'));
    expect(runs.map((r) => [str(r.result, 'status'), str(r.result, 'reason')])).toEqual(completions.map(() => ['fail', 'runtime_error']));
    expect(details).toEqual(['ValueError', 'KeyError', 'Exception', 'Exception']);
    void SECRET;
  }, 90_000);

  it('humaneval: a failed assertion or a test exception gives type and test line, not the test\'s message', async () => {
    const spec = { ...(sumSpec('    return {}\n') as Record<string, unknown>), test: SUM_TEST.replace('    assert candidate([]) == 0', '    assert candidate([])["hidden-key"] == 0, "expected 0 for [7, 7]"') };
    const run = await runHarness(spec);
    expect(run.result).toMatchObject({ status: 'fail', reason: 'wrong_answer' });
    expect(str(run.result, 'detail')).toMatch(/^KeyError \(test line \d+\)$/);
    const wrong = await runHarness({ ...spec, completion: '    return {"hidden-key": 1}\n' });
    expect(str(wrong.result, 'detail')).toMatch(/^AssertionError \(test line \d+\)$/);
  }, 60_000);

  it('asserts: neither the program\'s messages nor the test\'s appear', async () => {
    const leak = await runHarness(assertsSpec('def similar_elements(a, b):\n    raise ValueError(repr((a, b)))\n'));
    expect(leak.result).toMatchObject({ status: 'fail', reason: 'runtime_error', detail: 'ValueError' });
    const tests = ['assert similar_elements((3, 4), (4,))["k-7-7"] == 1', 'assert similar_elements((1,), (1,)) == (1,), "expected (1,) for ((1,), (1,))"'];
    const key = await runHarness({ ...assertsSpec('def similar_elements(a, b):\n    return {}\n'), tests });
    expect(key.result).toMatchObject({ status: 'fail', reason: 'wrong_answer', detail: 'assertion 0 raised KeyError' });
    const msg = await runHarness({ ...assertsSpec('def similar_elements(a, b):\n    return {"k-7-7": 1} if len(a) == 2 else ()\n'), tests });
    expect(msg.result).toMatchObject({ status: 'fail', reason: 'wrong_answer', detail: 'assertion 1 failed' });
  }, 60_000);

  it('an exception holding an int beyond the str() digit limit is the candidate\'s fail, not an error', async () => {
    // KeyError(10**5000): formatting its message raised ValueError inside the judge
    const asserts = await runHarness({ ...assertsSpec('def similar_elements(a, b):\n    return 10**5000\n'), tests: ['assert {1: 2}[similar_elements((1,), (1,))] == 2'] });
    expect(asserts.result).toMatchObject({ status: 'fail', reason: 'wrong_answer', detail: 'assertion 0 raised KeyError' });
    const he = await runHarness({ ...(sumSpec('    return 10**5000\n') as Record<string, unknown>), test: 'def check(candidate):\n    assert {0: 1}[candidate([])] == 1\n' });
    expect(he.result).toMatchObject({ status: 'fail', reason: 'wrong_answer' });
    expect(str(he.result, 'detail')).toMatch(/^KeyError \(test line \d+\)$/);
  }, 60_000);

  it('asserts: a compile error forged by code the test setup ran does not carry the setup\'s values', async () => {
    // the program's Node, called by the hidden setup, sends a fake "compile
    // error" reply holding its arguments through the harness's own send()
    const source = [
      'import sys, os',
      'class Node:',
      '    def __init__(self, v):',
      '        f = sys._getframe()',
      '        while f is not None and "send" not in f.f_locals:',
      '            f = f.f_back',
      '        f.f_locals["send"]({"ok": False, "kind": "compile", "syntax": True, "type": "SyntaxError", "msg": "leak %r" % (v,)})',
      '        os._exit(0)',
      'def count(n):',
      '    return 1',
      'root = Node(424242)',
      '',
    ].join('\n');
    const run = await runHarness({ mode: 'asserts', source, tests: ['assert count(root) == 1'], imports: '', reference: 'class Node:\n    pass\ndef count(n):\n    return 1\nroot = Node()\n' });
    expect(run.result).toMatchObject({ status: 'fail', reason: 'runtime_error' });
    expect(str(run.result, 'detail')).not.toContain('424242');
  }, 60_000);

  it('evalplus: a candidate exception is reported by its builtin type only', async () => {
    const base = { dataset: 'humaneval', task_id: 'Fixture/inc', entry_point: 'inc', atol: 0 };
    const groups: GroupSpec[] = [{ name: 'plus', inputs: [[31337]], expected: [31338], time_limits_s: [2] }];
    const run = await runHarness({ ...base, mode: 'evalplus', solution: 'def inc(x):\n    raise ValueError(x)\n', groups });
    expect(run.result).toMatchObject({ status: 'fail', reason: 'runtime_error', detail: 'plus: ValueError' });
  }, 60_000);
});

describe('values from the candidate: decoding is bounded, and its failures are the candidate\'s', () => {
  const base = { dataset: 'humaneval', task_id: 'Fixture/f', entry_point: 'f', atol: 0 };
  const groups: GroupSpec[] = [{ name: 'base', inputs: [[1]], expected: [{ t: 'set', v: [1] }], time_limits_s: [1] }];
  const cases: Array<[string, string]> = [
    ['a set of hash-colliding ints', collidingReply('set')],
    ['a dict with hash-colliding keys', collidingReply('dict')],
    ['a fraction of two huge ints (no gcd)', 'json.dumps({"ok": True, "value": {"t": "fraction", "v": [{"t": "int", "v": hex(3**1500000)}, {"t": "int", "v": hex(5**1300000 * 2 + 1)}]}})'],
    ['an array of gigabyte-sized strings', 'json.dumps({"ok": True, "value": {"t": "ndarray", "dtype": "<U100000000", "shape": [3], "v": ["a", "b", "c"]}})'],
    ['nesting deeper than the recursion limit', '\'{"ok": true, "value": \' + "[" * 200000 + "]" * 200000 + "}"'],
    ['an unknown tag echoing the input', 'json.dumps({"ok": True, "value": {"t": "x%r" % (args,)}})'],
  ];
  for (const [name, reply] of cases) {
    it(`fails, within the time budget, ${name}`, async () => {
      const run = await runHarness({ ...base, mode: 'evalplus', solution: rawReply('f', reply), groups }, { timeoutMs: 25_000 });
      expect(run.result).toMatchObject({ status: 'fail' });
      expect(str(run.result, 'detail')).not.toContain('(1,)');
    }, 60_000);
  }

  it('mbpp set-equality oracle: a list of hash-colliding ints fails within the budget', async () => {
    const g: GroupSpec[] = [{ name: 'base', inputs: [[1]], expected: [[1]], time_limits_s: [1] }];
    const run = await runHarness(
      { dataset: 'mbpp', task_id: 'Mbpp/1', entry_point: 'Diff', atol: 0, mode: 'evalplus', solution: rawReply('Diff', collidingReply('list')), groups: g },
      { timeoutMs: 40_000 },
    );
    expect(run.result).toMatchObject({ status: 'fail' });
  }, 60_000);

  it('humaneval: a value without a data form that the test passes back is the candidate\'s fail, not an error', async () => {
    const spec = { ...(sumSpec('    return lambda: 0\n') as Record<string, unknown>), test: 'def check(candidate):\n    assert candidate(candidate([1])) == 1\n' };
    const run = await runHarness(spec);
    expect(run.result).toMatchObject({ status: 'fail', reason: 'wrong_answer' });
  }, 60_000);
});

// The real HumanEval and HumanEval+ data runs through this harness in the
// sandbox in test/humaneval.real.test.ts (the same checks; not repeated on the
// host here).
