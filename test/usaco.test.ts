import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Verdict } from '../src/schemas.js';
import { postGrade, testApp } from './helpers/app.js';
import { dockerAvailable, ensurePythonImage } from './helpers/docker.js';
import { ti } from './helpers/instance.js';

const FIXTURES = path.join(__dirname, 'fixtures', 'usaco');

const hasDocker = await dockerAvailable();

describe.skipIf(!hasDocker)('grading USACO through the service', () => {
  let app: Awaited<ReturnType<typeof testApp>>;

  beforeAll(async () => {
    await ensurePythonImage();
    app = await testApp([{ benchmark: 'usaco', file: FIXTURES }], { instance: ti('test-usaco') });
  }, 900_000);
  afterAll(async () => {
    await app?.close();
  });

  const grade = (problem_id: string, code: string, options?: Record<string, unknown>) =>
    postGrade(app, { benchmark: 'usaco', problem_id, completion: 'Solution:\n```python\n' + code + '\n```\n', options });
  const verdictOf = (v: Verdict) => (v.status === 'pass' ? 'pass' : `${v.status}:${v.reason}`);
  const SUM = 'a, b = map(int, input().split())\nprint(a + b)';

  // docs/benchmarks.md §5.4: the official check_correctness at 2 s / 256 MB
  const probes: Array<[string, string, string, string]> = [
    ['a correct stdin/stdout solution', '9001_bronze_sum_two', SUM, 'pass'],
    ["if __name__ == '__main__': main()", '9001_bronze_sum_two', "def main():\n    a, b = map(int, input().split())\n    print(a + b)\n\nif __name__ == '__main__':\n    main()", 'pass'],
    ["a trailing space on a line (print(x, ''))", '9002_silver_sort_cows', "n = int(input())\nfor s in sorted(input() for _ in range(n)):\n    print(s, '')", 'fail:wrong_answer'],
    ['sys.exit(0) after correct output', '9001_bronze_sum_two', SUM + '\nimport sys\nsys.exit(0)', 'fail:runtime_error'],
    ['exit() after correct output', '9001_bronze_sum_two', SUM + '\nexit()', 'fail:runtime_error'],
    ['old file I/O (prob.in / prob.out)', '9001_bronze_sum_two', "a, b = map(int, open('sum.in').read().split())\nopen('sum.out', 'w').write(str(a + b) + '\\n')", 'fail:runtime_error'],
    ['allocating ~480 MB', '9001_bronze_sum_two', "x = bytearray(480 * 1000 * 1000)\n" + SUM, 'fail:runtime_error'],
    ['time.sleep(3)', '9001_bronze_sum_two', 'import time\ntime.sleep(3)\n' + SUM, 'fail:timeout'],
  ];
  for (const [name, id, code, expected] of probes) {
    it(`official verdict for: ${name}`, async () => {
      const v = await grade(id, code);
      expect(verdictOf(v), JSON.stringify(v)).toBe(expected);
    }, 60_000);
  }

  it('compares the stripped whole output, after text-mode newline reading', async () => {
    const sorted = "n = int(input())\nprint('\\n'.join(sorted(input() for _ in range(n))))";
    expect(verdictOf(await grade('9002_silver_sort_cows', sorted))).toBe('pass');
    const crlf = "import sys\nn = int(input())\nsys.stdout.write('\\r\\n'.join(sorted(input() for _ in range(n))) + '\\r\\n\\n\\n')";
    expect(verdictOf(await grade('9002_silver_sort_cows', crlf))).toBe('pass');
    const reads = 'import sys\ndata = sys.stdin.buffer.read().split()\nprint(int(data[0]) + int(data[1]))';
    expect(verdictOf(await grade('9001_bronze_sum_two', reads))).toBe('pass');
    const wrong = await grade('9001_bronze_sum_two', 'a, b = map(int, input().split())\nprint(a - b)');
    expect(verdictOf(wrong)).toBe('fail:wrong_answer');
    // the runner cannot know a wrong answer (expected outputs stay in the service), so every test ran
    expect(wrong.tests.map((t) => t.status)).toEqual(['fail', 'fail', 'fail']);
  }, 60_000);

  it('eval_all runs every test and counts the passes; limits can be overridden', async () => {
    const partial = await grade('9001_bronze_sum_two', 'a, b = map(int, input().split())\nif a > 100:\n    raise SystemExit(1)\nprint(a + b)', { mode: 'eval_all' });
    expect(verdictOf(partial)).toBe('fail:runtime_error');
    expect(partial.detail).toMatch(/^2\/3 tests passed/);
    expect(partial.tests.map((t) => t.status)).toEqual(['pass', 'error', 'pass']);
    const fast = await grade('9001_bronze_sum_two', 'a, b = map(int, input().split())\nif a > 100:\n    raise SystemExit(1)\nprint(a + b)');
    expect(fast.tests.map((t) => t.status)).toEqual(['pass', 'error', 'skipped']);
    const roomy = await grade('9001_bronze_sum_two', "x = bytearray(480 * 1000 * 1000)\n" + SUM, { memory_limit_mb: 900, runtime_limit_s: 30 });
    expect(verdictOf(roomy), JSON.stringify(roomy)).toBe('pass');
    const bad = await app.server.inject({ method: 'POST', url: '/v1/grade', payload: { benchmark: 'usaco', problem_id: '9001_bronze_sum_two', completion: 'x', options: { mode: 'all' } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/options\.mode/);
  }, 60_000);

  it('uses the whole response when there is no python block, and never shows hidden tests', async () => {
    const r = await app.server.inject({ method: 'POST', url: '/v1/grade', payload: { benchmark: 'usaco', problem_id: '9001_bronze_sum_two', completion: SUM } });
    expect(verdictOf(r.json() as Verdict)).toBe('pass');
    const leak = await grade('9001_bronze_sum_two', 'a, b = map(int, input().split())\nif a > 100:\n    raise ValueError("secret %d %d" % (a, b))\nprint(a + b)');
    expect(verdictOf(leak)).toBe('fail:runtime_error');
    expect(leak.detail).toBe('test 2: runtime error: ValueError');
    const { extracted_code: _c, ...shown } = leak;
    expect(JSON.stringify(shown)).not.toMatch(/secret|1000000000|2000000000/);
  }, 60_000);
});
