import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Verdict } from '../../src/schemas.js';
import { testApp } from '../helpers/app.js';
import { dockerAvailable, ensurePythonImage } from '../helpers/docker.js';
import { ti } from '../helpers/instance.js';

// LiveCodeBench runs the candidate inside its runner's interpreter (as the
// official testing_util does), so the program can reach the runner's emit(),
// its report descriptor and its frames. Each attack (runner-attacks/lcb_*.py,
// expected verdict in its header) computes the right outputs, forges "ok"
// reports for every test and then crashes or answers wrong: the official
// harness fails all of them. Before the witness-signed reports, the first
// three passed here. Graded through the service in the python sandbox.

const hasDocker = await dockerAvailable();
const DIR = path.join(__dirname, 'runner-attacks');
const attacks = fs
  .readdirSync(DIR)
  .filter((f) => f.startsWith('lcb_'))
  .sort()
  .map((file) => {
    const source = fs.readFileSync(path.join(DIR, file), 'utf8');
    const m = /^# expect: fail (\S+)$/m.exec(source);
    if (!m) throw new Error(`${file}: no "# expect: fail <reasons>" header`);
    return { file, source, reasons: m[1]!.split('|'), problem: file.startsWith('lcb_stdin_') ? 'fx001_a' : 'pair-with-sum' };
  });

const HONEST: Record<string, string> = {
  'pair-with-sum':
    'class Solution:\n    def pairSum(self, nums, k):\n        for i in range(len(nums)):\n            for j in range(i + 1, len(nums)):\n                if nums[i] + nums[j] == k:\n                    return [nums[i], nums[j]]\n        return []\n',
  fx001_a: 'a = int(input())\nb = int(input())\nprint(a + b)\n',
};

describe.skipIf(!hasDocker)('LiveCodeBench: reports the program forges do not pass', () => {
  let app: Awaited<ReturnType<typeof testApp>>;

  beforeAll(async () => {
    await ensurePythonImage();
    app = await testApp([{ benchmark: 'livecodebench', file: path.join(__dirname, '..', 'fixtures', 'livecodebench') }], { instance: ti('test-lcb-forgery') });
  }, 900_000);
  afterAll(async () => {
    await app?.close();
  });

  const grade = async (problem_id: string, code: string): Promise<Verdict> => {
    const r = await app.server.inject({ method: 'POST', url: '/v1/grade', payload: { benchmark: 'livecodebench', problem_id, completion: '```python\n' + code + '\n```\n' } });
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as Verdict;
  };

  it('has the attacks, and passes the honest solutions they imitate', async () => {
    expect(attacks.length).toBeGreaterThanOrEqual(5);
    for (const [id, code] of Object.entries(HONEST)) {
      const v = await grade(id, code);
      expect(v.status, `${id}: ${JSON.stringify(v)}`).toBe('pass');
    }
  }, 120_000);

  for (const a of attacks) {
    it(`${a.file}: fail (${a.reasons.join('|')})`, async () => {
      const v = await grade(a.problem, a.source);
      expect(`${v.status}/${v.reason}`, JSON.stringify(v)).toMatch(new RegExp(`^fail/(${a.reasons.join('|')})$`));
      // the service is unharmed: the honest solution right after passes
      expect((await grade(a.problem, HONEST[a.problem]!)).status).toBe('pass');
    }, 120_000);
  }
});
