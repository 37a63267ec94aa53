import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { codeforces } from '../src/benchmarks/codeforces/benchmark.js';
import { openR1Dir } from './fixtures/codeforces/open-r1.js';
import { testApp } from './helpers/app.js';
import { dockerAvailable } from './helpers/docker.js';
import { ensureJudgeImage, runJudge } from './helpers/judge.js';
import { mapLimit } from './helpers/shared.js';
import { SOLUTIONS, WRONG_140 } from './fixtures/codeforces/solutions.js';
import { ti } from './helpers/instance.js';
import type { ProblemRecord } from '../src/domain.js';

const hasDocker = await dockerAvailable();
vi.setConfig({ testTimeout: 300_000 });

const REAL = path.resolve(__dirname, '..', '..', 'shared', 'benchmarks', 'codeforces', 'code-contests-test-codeforces.jsonl');

const fence = (lang: string, code: string) => `Here you go:\n\`\`\`${lang}\n${code}\`\`\`\n`;

describe.skipIf(!hasDocker)('codeforces: grading', () => {
  let app: Awaited<ReturnType<typeof testApp>>;
  beforeAll(async () => {
    await ensureJudgeImage();
    app = await testApp([{ benchmark: 'codeforces', file: openR1Dir() }], { instance: ti('test-codeforces') });
  }, 900_000);
  afterAll(async () => {
    await app?.close();
  });
  const grade = (problem_id: string, completion: string, options: Record<string, unknown> = {}) =>
    app.grader.grade({ benchmark: 'codeforces', problem_id, completion, options });

  it('passes correct C++ and Python, fails a wrong one with the failing test number only', async () => {
    const cpp = await grade('9001/A', fence('cpp', '#include <iostream>\nint main(){ long long a,b; std::cin>>a>>b; std::cout<<a+b; }\n'));
    expect(cpp.status).toBe('pass');
    expect(cpp.tests).toHaveLength(4);
    const py = await grade('9001/A', fence('python', 'a, b = map(int, input().split())\nprint(a + b)\n'));
    expect(py.status).toBe('pass');
    const wrong = await grade('9001/A', fence('python', 'import sys\na, b = map(int, input().split())\nsys.stderr.write(f"input was {a} {b}")\nprint(a + b if a < 50 else 0)\n'));
    expect(wrong).toMatchObject({ status: 'fail', reason: 'wrong_answer', reward: 0 });
    expect(wrong.detail).toBe('test 3: wrong answer');
    const crash = await grade('9001/A', fence('python', 'import sys\na, b = map(int, input().split())\nif a == 100: raise SystemExit(f"secret {a} {b}")\nprint(a + b)\n'));
    expect(crash).toMatchObject({ status: 'fail', reason: 'runtime_error' });
    // the program printed the hidden input on its way out: it must not come back
    expect(JSON.stringify({ ...crash, extracted_code: '' })).not.toContain('secret');
    expect(JSON.stringify(crash)).not.toContain('100 200');
  });

  it('scoring: partial and weighted_sum rewards, compile error and no code', async () => {
    const half = fence('python', 'a, b = map(int, input().split())\nprint(a + b if a < 5 else 0)\n'); // passes tests 1 and 4 of 4
    expect((await grade('9001/A', half)).reward).toBe(0);
    expect((await grade('9001/A', half, { scoring: 'partial' })).reward).toBe(0.5);
    expect((await grade('9001/A', half, { scoring: 'weighted_sum' })).reward).toBeCloseTo(0.05);
    const ok = fence('python', 'a, b = map(int, input().split())\nprint(a + b)\n');
    expect((await grade('9001/A', ok, { scoring: 'weighted_sum' })).reward).toBeCloseTo(1.1);
    const ce = await grade('9001/A', fence('cpp', 'int main() { return x; }\n'), { scoring: 'weighted_sum' });
    expect(ce).toMatchObject({ status: 'fail', reason: 'compile_error', reward: -0.1 });
    expect(ce.detail).toContain('compile error');
    const none = await grade('9001/A', 'I do not know.');
    expect(none).toMatchObject({ status: 'fail', reason: 'no_code', reward: 0 });
  });

  it('generated checker accepts any valid answer; file input mode', async () => {
    const other = await grade('9001/B', fence('python', 'n = int(input())\nprint(n - 1, 1)\n'));
    expect(other.status).toBe('pass');
    const bad = await grade('9001/B', fence('python', 'n = int(input())\nprint(n, 0)\n'));
    expect(bad).toMatchObject({ status: 'fail', reason: 'wrong_answer' });
    const file = await grade('9001/C', fence('cpp', '#include <fstream>\nint main(){ std::ifstream in("input.txt"); std::ofstream out("output.txt"); long long n; in>>n; out<<2*n<<"\\n"; }\n'));
    expect(file.status).toBe('pass');
    const stdout = await grade('9001/C', fence('python', 'print(2 * int(input()))\n'));
    expect(stdout.status).toBe('fail');
  });

  // issue 14: what the program can cause is its own fail, never infra_error
  it('a checker fed MBs of tokens, and file mode with output.txt made unreadable, are the program\'s wrong answer', async () => {
    // the fixtures' 1 s limits are for an idle machine: these runs are about verdict kinds, not speed
    const slow = { time_limit_factor: 20 };
    const flood = await grade('9001/B', fence('python', 'import sys\nchunk = "1 " * (1 << 19)\nfor _ in range(4):\n    sys.stdout.write(chunk)\n'), slow);
    expect([flood.status, flood.reason], flood.detail).toEqual(['fail', 'wrong_answer']);
    const chmod = await grade('9001/C', fence('python', 'import os\nn = int(open("input.txt").read())\nopen("output.txt", "w").write(str(2 * n))\nos.chmod("output.txt", 0)\n'), slow);
    expect([chmod.status, chmod.reason, chmod.detail]).toEqual(['fail', 'wrong_answer', 'test 1: output.txt is not readable']);
    const fifo = await grade('9001/C', fence('python', 'import os\nos.remove("output.txt")\nos.mkfifo("output.txt")\n'), slow);
    expect([fifo.status, fifo.reason]).toEqual(['fail', 'wrong_answer']);
  });
});

// ../shared/benchmarks/codeforces/code-contests-test-codeforces.jsonl with our own solutions.
const real = fs.existsSync(REAL) ? REAL : undefined;
if (!real) console.warn(`[skip] ${REAL} is absent: real Codeforces checks are skipped`);

describe.skipIf(!hasDocker || !real)('codeforces: CodeContests test split, our solutions', () => {
  let app: Awaited<ReturnType<typeof testApp>>;
  let problems: Map<string, ProblemRecord>;
  beforeAll(async () => {
    await ensureJudgeImage();
    app = await testApp([{ benchmark: 'codeforces', file: real! }], { instance: ti('test-codeforces-real') });
    problems = new Map((await codeforces.read(real!, {})).problems.map((p) => [p.id, p]));
  }, 900_000);
  afterAll(async () => {
    await app?.close();
  });

  it(`${Object.keys(SOLUTIONS).length} problems: correct C++ and Python solutions pass every test`, async () => {
    const jobs = Object.entries(SOLUTIONS).flatMap(([id, s]) => [
      { id, lang: 'cpp', code: s.cpp },
      { id, lang: 'python', code: s.python },
    ]);
    const verdicts = await mapLimit(jobs, 2, async (j) => {
      // a loaded CI machine must not turn a correct solution into a TLE: this checks answers, not speed
      const v = await app.grader.grade({ benchmark: 'codeforces', problem_id: j.id, completion: fence(j.lang, j.code), options: { time_limit_factor: 3 } });
      return `${j.id}/${j.lang}: ${v.status}${v.detail ? ` (${v.detail})` : ''} ${v.tests.length}`;
    });
    const expected = jobs.map((j) => `${j.id}/${j.lang}: pass ${(problems.get(j.id)!.hidden.tests as unknown[]).length}`);
    expect(verdicts).toEqual(expected);
  });

  // Problem 140 (1619B, 138 tests): wrong programs whose per-test verdict follows from each test's input.
  const judge140 = async (lang: 'python' | 'cpp', code: string, pick: (ns: number[]) => boolean) => {
    const p = problems.get('140')!;
    const options = codeforces.options.parse({ language: lang, run_all: true });
    const judging = codeforces.judge(p, codeforces.extract(p, '```' + lang + '\n' + code + '```', options), options);
    if (judging.kind !== 'judge') throw new Error(`not judged: ${judging.kind}`);
    const { task } = judging;
    const ns = task.cases.map((c) => c.input.trim().split(/\s+/).slice(1).map(Number));
    const keep = task.cases.map((_c, i) => i).filter((i) => pick(ns[i]!));
    const report = await runJudge(app.engine, { ...task, cases: keep.map((i) => task.cases[i]!) });
    return { report, ns: keep.map((i) => ns[i]!) };
  };

  it('problem 140: WA exactly on the tests with some n > 10^6', async () => {
    let k = 0;
    const { report, ns } = await judge140('python', WRONG_140.wa, () => k++ % 3 === 0); // every third test, to keep CI short
    expect(report.cases.map((c) => c.verdict)).toEqual(ns.map((n) => (Math.max(...n) > 1e6 ? 'WA' : 'AC')));
    expect(new Set(report.cases.map((c) => c.verdict))).toEqual(new Set(['AC', 'WA']));
    expect(report.verdict).toBe('WA');
  });

  it('problem 140: RE exactly on the tests with a perfect square n', async () => {
    const isSquare = (n: number) => Math.round(Math.sqrt(n)) ** 2 === n;
    let k = 0;
    const { report, ns } = await judge140('python', WRONG_140.re, () => k++ % 3 === 1);
    // without a square the program prints 0, which is wrong for every n ≥ 1
    expect(report.cases.map((c) => c.verdict)).toEqual(ns.map((n) => (n.some(isSquare) ? 'RE' : 'WA')));
    expect(new Set(report.cases.map((c) => c.verdict))).toEqual(new Set(['RE', 'WA']));
  });

  it('problem 140: MLE where the first n needs > 256 MB, AC where all n ≤ 10^7 (sampled)', async () => {
    let mle = 0;
    let ac = 0;
    const { report, ns } = await judge140('cpp', WRONG_140.mle, (n) => (n[0]! > 3e8 && mle++ < 4) || (Math.max(...n) <= 1e7 && ac++ < 6));
    expect(ns.length).toBe(10);
    expect(report.cases.map((c) => c.verdict)).toEqual(ns.map((n) => (n[0]! > 3e8 ? 'MLE' : 'AC')));
    expect(report.cases.some((c) => c.verdict === 'MLE') && report.cases.some((c) => c.verdict === 'AC')).toBe(true);
  });

  it('problem 140: TLE where the n sum to ≥ 10^9, AC where they sum to ≤ 10^5 (sampled)', async () => {
    let tle = 0;
    let ac = 0;
    const { report, ns } = await judge140('cpp', WRONG_140.tle, (n) => {
      const s = n.reduce((a, b) => a + b, 0);
      return (s >= 1e9 && tle++ < 3) || (s <= 1e5 && ac++ < 5);
    });
    expect(ns.length).toBe(8);
    expect(report.cases.map((c) => c.verdict)).toEqual(ns.map((n) => (n.reduce((a, b) => a + b, 0) >= 1e9 ? 'TLE' : 'AC')));
  });
});
