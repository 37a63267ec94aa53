import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Verdict } from '../src/schemas.js';
import { postGrade, testApp } from './helpers/app.js';
import { dockerAvailable, ensurePythonImage } from './helpers/docker.js';
import { ti } from './helpers/instance.js';

const FIXTURES = path.join(__dirname, 'fixtures', 'livecodebench');
const hasDocker = await dockerAvailable();

describe.skipIf(!hasDocker)('grading LiveCodeBench through the service', () => {
  let app: Awaited<ReturnType<typeof testApp>>;

  beforeAll(async () => {
    await ensurePythonImage();
    app = await testApp([{ benchmark: 'livecodebench', file: FIXTURES }], { instance: ti('test-lcb') });
  }, 900_000);
  afterAll(async () => {
    await app?.close();
  });

  const grade = (problem_id: string, code: string, options?: Record<string, unknown>) =>
    postGrade(app, { benchmark: 'livecodebench', problem_id, completion: 'Here:\n```python\n' + code + '\n```\n', options });
  const verdictOf = (v: Verdict) => (v.status === 'pass' ? 'pass' : `${v.status}:${v.reason}`);

  // docs/benchmarks.md §4.5: what the official testing_util.py says for each probe
  const probes: Array<[string, string, string, string]> = [
    ['sys.stdin.buffer.read().split()', 'fx001_a', 'import sys\nprint(sum(map(int, sys.stdin.buffer.read().split())))', 'pass'],
    ['sys.stdin.buffer.readline() twice', 'fx001_a', 'import sys\na = int(sys.stdin.buffer.readline())\nb = int(sys.stdin.buffer.readline())\nprint(a + b)', 'fail:wrong_answer'],
    ['for line in sys.stdin', 'fx001_a', 'import sys\nt = 0\nfor line in sys.stdin:\n    t += int(line)\nprint(t)', 'fail:runtime_error'],
    ['sys.stdin.readlines() gives 3 items for "1\\n2\\n"', 'fx001_b', 'import sys\nprint(len(sys.stdin.readlines()))', 'fail:wrong_answer'],
    ['sys.stdout.buffer.write', 'fx001_a', "import sys\na = int(input())\nb = int(input())\nsys.stdout.buffer.write(str(a + b).encode() + b'\\n')", 'fail:runtime_error'],
    ['module-level global x inside a function', 'fx001_a', 'x = 0\ndef add(v):\n    global x\n    x += v\nadd(int(input()))\nadd(int(input()))\nprint(x)', 'fail:runtime_error'],
    ['print(1/3) vs 0.33333333333333331', 'fx002_c', 'n = int(input())\nprint(1 / n)', 'fail:wrong_answer'],
    ['exit() after printing', 'fx001_a', 'a = int(input())\nb = int(input())\nprint(a + b)\nexit()', 'pass'],
    ['sys.exit(0) after printing', 'fx001_a', 'import sys\na = int(input())\nb = int(input())\nprint(a + b)\nsys.exit(0)', 'pass'],
    ["if __name__ == '__main__': main()", 'fx001_a', "def main():\n    a = int(input())\n    b = int(input())\n    print(a + b)\n\nif __name__ == '__main__':\n    main()", 'pass'],
    ['threads started at top level', 'fx001_a', 'import threading\ndef main():\n    a = int(input())\n    b = int(input())\n    print(a + b)\nt = threading.Thread(target=main)\nt.start()\nt.join()', 'pass'],
    ['yes vs Yes', 'fx002_d', "t = int(input())\nfor _ in range(t):\n    print('yes' if int(input()) % 2 == 0 else 'no')", 'fail:wrong_answer'],
    ['functional: a tuple where a list is expected', 'pair-with-sum', FN_TUPLE, 'pass'],
  ];
  for (const [name, id, code, expected] of probes) {
    it(`official verdict for: ${name}`, async () => {
      const v = await grade(id, code);
      expect(verdictOf(v), JSON.stringify(v)).toBe(expected);
    }, 60_000);
  }

  it('the lenient mode (opt-in, labelled) accepts what the official harness rejects for I/O and floats', async () => {
    const lenient = { mode: 'lenient' };
    const flips: Array<[string, string]> = [
      ['fx001_a', 'import sys\na = int(sys.stdin.buffer.readline())\nb = int(sys.stdin.buffer.readline())\nprint(a + b)'],
      ['fx001_a', 'import sys\nt = 0\nfor line in sys.stdin:\n    t += int(line)\nprint(t)'],
      ['fx001_a', "import sys\na = int(input())\nb = int(input())\nsys.stdout.buffer.write(str(a + b).encode() + b'\\n')"],
      ['fx001_b', 'import sys\nprint(len(sys.stdin.readlines()))'],
      ['fx002_c', 'n = int(input())\nprint(1 / n)'],
    ];
    for (const [id, code] of flips) {
      const v = await grade(id, code, lenient);
      expect(verdictOf(v), JSON.stringify(v)).toBe('pass');
      expect(v.detail).toMatch(/lenient mode \(not official\)/);
    }
    const still = await grade('fx002_d', "t = int(input())\nfor _ in range(t):\n    print('yes' if int(input()) % 2 == 0 else 'no')", lenient);
    expect(verdictOf(still)).toBe('fail:wrong_answer');
  }, 120_000);

  it('grades stdin and functional problems: passes, wrong answers, errors, limits', async () => {
    const ok = await grade('fx002_d', "t = int(input())\nfor _ in range(t):\n    print('Yes' if int(input()) % 2 == 0 else 'No')");
    expect(verdictOf(ok)).toBe('pass');
    expect(ok.tests.map((t) => [t.group, t.status])).toEqual([
      ['public', 'pass'],
      ['private', 'pass'],
      ['private', 'pass'],
    ]);
    // an extra blank line in the middle is a wrong answer ("mismatched output length")
    const blank = await grade('fx002_d', "t = int(input())\nfor i in range(t):\n    print('Yes' if int(input()) % 2 == 0 else 'No')\n    if i == 0: print()");
    expect(verdictOf(blank)).toBe('fail:wrong_answer');
    expect(blank.detail).toMatch(/mismatched output length/);
    const exact = await grade('fx002_c', "n = int(input())\nprint({3: '0.33333333333333331', 4: '0.25', 1: '1'}[n])");
    expect(verdictOf(exact), JSON.stringify(exact)).toBe('pass');

    const mean = await grade('mean-and-index', FN_MEAN);
    expect(verdictOf(mean), JSON.stringify(mean)).toBe('pass');
    const wrongMean = await grade('mean-and-index', FN_MEAN.replace('nums[0]', 'nums[-1]'));
    expect(verdictOf(wrongMean)).toBe('fail:wrong_answer');
    const missing = await grade('pair-with-sum', 'class Solution:\n    def pair_sum(self, nums, k):\n        return []');
    expect(verdictOf(missing)).toBe('fail:runtime_error');
    const syntax = await grade('fx001_a', 'print(');
    expect(verdictOf(syntax)).toBe('fail:compile_error');
    const none = await app.server.inject({ method: 'POST', url: '/v1/grade', payload: { benchmark: 'livecodebench', problem_id: 'fx001_a', completion: 'print(3)' } });
    expect(verdictOf(none.json() as Verdict)).toBe('fail:no_code');
    const raw = await app.server.inject({
      method: 'POST',
      url: '/v1/grade',
      payload: { benchmark: 'livecodebench', problem_id: 'fx001_a', completion: '  print(int(input()) + int(input()))\n', options: { extraction: 'raw' } },
    });
    expect(verdictOf(raw.json() as Verdict)).toBe('pass');
    const slow = await grade('fx001_a', 'while True:\n    pass', { timeout_s: 1 });
    expect(verdictOf(slow)).toBe('fail:timeout');
  }, 120_000);

  it('is not fooled by objects that equal everything, fake report lines or early exits', async () => {
    const always = 'class A:\n    def __eq__(self, o): return True\nclass Solution:\n    def pairSum(self, nums, k):\n        return A()';
    expect(verdictOf(await grade('pair-with-sum', always))).toBe('fail:wrong_answer');
    const listy = 'class L(list):\n    def __eq__(self, o): return True\nclass Solution:\n    def pairSum(self, nums, k):\n        return L([0])';
    expect(verdictOf(await grade('pair-with-sum', listy))).toBe('fail:wrong_answer');
    const fake = `import os\nfor i in range(3):\n    os.write(1, ('{"event":"test","index":%d,"status":"ok","output":"3"}\\n' % i).encode())\nos._exit(0)`;
    expect((await grade('fx001_a', fake)).status).toBe('fail');
    const died = await grade('fx001_a', 'import os\nprint(int(input()) + int(input()))\nos._exit(0)');
    expect(verdictOf(died)).toBe('fail:runtime_error');
  }, 60_000);

  it('never shows hidden tests in a verdict', async () => {
    const v = await grade('fx001_a', 'a = int(input())\nb = int(input())\nif a == 10:\n    raise ValueError("input was %d and %d" % (a, b))\nprint(a + b)');
    expect(verdictOf(v)).toBe('fail:runtime_error');
    expect(v.detail).toContain('test 1 (private): ValueError');
    const { extracted_code: _code, ...shown } = v;
    expect(JSON.stringify(shown)).not.toMatch(/input was|\b30\b/);
    const pub = await grade('fx001_a', 'raise KeyError("shown")');
    expect(pub.detail).toContain("KeyError('shown')");
  }, 60_000);
});

const FN_TUPLE =
  'class Solution:\n    def pairSum(self, nums: List[int], k: int) -> List[int]:\n        for i in range(len(nums)):\n            for j in range(i + 1, len(nums)):\n                if nums[i] + nums[j] == k:\n                    return (nums[i], nums[j])\n        return ()';
const FN_MEAN =
  'class Solution:\n    def meanAndFirst(self, nums: List[int]) -> dict:\n        return {"mean": sum(nums) / len(nums), "first": nums[0]}';
