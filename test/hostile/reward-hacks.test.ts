import Docker from 'dockerode';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureImages } from '../../src/sandbox/images/build.js';
import type { Verdict } from '../../src/schemas.js';
import { BIGCODEBENCH_MINI, writeBigCodeBenchFixtures } from '../fixtures/bigcodebench.js';
import { writeFixtures } from '../fixtures/humaneval.js';
import { writeMbppFixtures } from '../fixtures/mbpp.js';
import { testApp } from '../helpers/app.js';
import { dockerAvailable, ensurePythonImage, SANDBOXES } from '../helpers/docker.js';
import { mapLimit } from '../helpers/shared.js';
import { ti } from '../helpers/instance.js';

// Reward hacks (hacks/*.py, one per file, each defining ENTRY) against every
// assert- and unittest-based benchmark: HumanEval, HumanEval+, MBPP, MBPP sanitized, MBPP+,
// BigCodeBench and LiveCodeBench (functional). Every one must fail, also where
// the official harness is fooled (see docs/hostile.md), while honest grades
// running beside them all pass.

const hasDocker = await dockerAvailable();
const HACKS_DIR = path.join(__dirname, 'hacks');
const hacks = fs
  .readdirSync(HACKS_DIR)
  .sort()
  .map((f) => ({ name: f, code: fs.readFileSync(path.join(HACKS_DIR, f), 'utf8') }));

interface Target {
  benchmark: string;
  problem_id: string;
  /** the completion that carries a hack's code */
  wrap: (code: string) => string;
  honest: string;
}

const bcb = BIGCODEBENCH_MINI[0]!;
const TARGETS: Target[] = [
  // HumanEval completions continue the prompt: end its body, then redefine the function at top level
  { benchmark: 'humaneval', problem_id: 'Mini/0', wrap: (c) => '    pass\n\n' + c.replace(/ENTRY/g, 'add_three'), honest: '    return a + b + c\n' },
  { benchmark: 'humaneval-plus', problem_id: 'Mini/0', wrap: (c) => '    pass\n\n' + c.replace(/ENTRY/g, 'add_three'), honest: '    return a + b + c\n' },
  { benchmark: 'mbpp', problem_id: '11', wrap: (c) => c.replace(/ENTRY/g, 'add_ints'), honest: 'def add_ints(a, b):\n    return a + b\n' },
  // asserts that call builtins on the result: set(shared(...)) == set(...)
  { benchmark: 'mbpp-sanitized', problem_id: '12', wrap: (c) => c.replace(/ENTRY/g, 'shared'), honest: 'def shared(a, b):\n    return tuple(set(a) & set(b))\n' },
  {
    benchmark: 'mbpp-plus',
    problem_id: 'Mbpp/2',
    wrap: (c) => c.replace(/ENTRY/g, 'similar_elements'),
    honest: 'def similar_elements(test_tup1, test_tup2):\n    return tuple(set(test_tup1) & set(test_tup2))\n',
  },
  { benchmark: 'bigcodebench', problem_id: 'BigCodeBench/0', wrap: (c) => c.replace(/ENTRY/g, 'task_func'), honest: bcb.complete_prompt + bcb.canonical_solution },
  {
    benchmark: 'livecodebench',
    problem_id: 'pair-with-sum',
    wrap: (c) =>
      '```python\n' +
      c.replace(/ENTRY/g, 'hack_entry') +
      '\nclass Solution:\n    def pairSum(self, *args, **kwargs):\n        return hack_entry(*args, **kwargs)\n```\n',
    honest:
      '```python\nclass Solution:\n    def pairSum(self, nums, k):\n        for i in range(len(nums)):\n            for j in range(i + 1, len(nums)):\n                if nums[i] + nums[j] == k:\n                    return [nums[i], nums[j]]\n        return []\n```\n',
  },
];

// Pairs that still get a wrong verdict, if any (each needs an entry in
// docs/hostile.md); a pair listed here that starts to fail must be removed.
// BigCodeBench's always-equal and skip hacks, which the official harness
// passes, fail in strict mode (the default) and carry the official verdict.
const KNOWN_GAPS = new Set<string>([]);

describe.skipIf(!hasDocker)('reward hacks against every assert- and unittest-based benchmark', () => {
  let app: Awaited<ReturnType<typeof testApp>>;

  beforeAll(async () => {
    await ensurePythonImage();
    await ensureImages(new Docker(), SANDBOXES, ['bigcodebench']);
    const he = writeFixtures();
    const mbpp = writeMbppFixtures();
    app = await testApp(
      [
        { benchmark: 'humaneval', file: he.humaneval },
        { benchmark: 'humaneval-plus', file: he.humanevalPlus },
        { benchmark: 'mbpp', file: mbpp.full },
        { benchmark: 'mbpp-sanitized', file: mbpp.sanitized },
        { benchmark: 'mbpp-plus', file: mbpp.plus },
        { benchmark: 'bigcodebench', file: writeBigCodeBenchFixtures().file },
        { benchmark: 'livecodebench', file: path.join(__dirname, '..', 'fixtures', 'livecodebench') },
      ],
      { instance: ti('test-hacks'), concurrency: 3, warm: 1 },
    );
  }, 3_600_000);
  afterAll(async () => {
    await app?.close();
  });

  const grade = async (t: Target, completion: string): Promise<Verdict> => {
    const r = await app.server.inject({ method: 'POST', url: '/v1/grade', payload: { benchmark: t.benchmark, problem_id: t.problem_id, completion } });
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as Verdict;
  };

  it('has at least 20 hacks, each documented with a "# hack:" line', () => {
    expect(hacks.length).toBeGreaterThanOrEqual(20);
    for (const h of hacks) expect(h.code, h.name).toMatch(/^# hack: \S/m);
  });

  it('passes the honest solution of every target', async () => {
    for (const t of TARGETS) {
      const v = await grade(t, t.honest);
      expect(v.status, `${t.benchmark}: ${JSON.stringify(v)}`).toBe('pass');
    }
  }, 300_000);

  it('fails every hack on every target, while honest grades beside them all pass', async () => {
    let hacking = true;
    const honest: string[] = [];
    const alongside = (async () => {
      for (let i = 0; hacking; i++) {
        const t = TARGETS[i % TARGETS.length]!;
        const v = await grade(t, t.honest);
        if (v.status !== 'pass') honest.push(`${t.benchmark}: ${v.status}/${v.reason} ${v.detail ?? ''}`);
      }
    })();
    const fooled: string[] = [];
    const pairs = hacks.flatMap((h) => TARGETS.map((t) => ({ h, t })));
    try {
      await mapLimit(pairs, 2, async ({ h, t }) => {
        const v = await grade(t, t.wrap(h.code));
        const pair = `${h.name} on ${t.benchmark}`;
        if (KNOWN_GAPS.has(pair)) {
          if (v.status === 'fail') fooled.push(`${pair}: now fails, remove it from KNOWN_GAPS`);
          else if (v.status !== 'pass') fooled.push(`${pair}: ${v.status}/${v.reason} ${v.detail ?? ''}`.slice(0, 300));
          return;
        }
        // strict: a hack fails (never infra_error, which a trainer would retry and an evaluator would drop)
        if (v.status !== 'fail') fooled.push(`${pair}: ${v.status}/${v.reason} ${v.detail ?? ''}`.slice(0, 300));
      });
    } finally {
      hacking = false;
      await alongside;
    }
    expect(fooled).toEqual([]);
    expect(honest).toEqual([]);
  }, 1_800_000);
});
