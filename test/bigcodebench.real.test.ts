import fs from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bigcodebench } from '../src/benchmarks/bigcodebench/benchmark.js';
import { SelftestReportSchema } from '../src/grading/selftest.js';
import { ensureImages } from '../src/sandbox/images/build.js';
import type { Verdict } from '../src/schemas.js';
import { testApp } from './helpers/app.js';
import { dockerAvailable, SANDBOXES } from './helpers/docker.js';
import { mapLimit, sharedFile } from './helpers/shared.js';
import { ti } from './helpers/instance.js';

// A deterministic sample (every 40th task) of the official v0.1.4 reference
// solutions, graded as `verdict selftest` does; each must come out as the
// committed full-run report says (pass, or fail with the listed cause).

const file = sharedFile('bigcodebench/BigCodeBench-v0.1.4.jsonl.gz');
const REPORT = path.resolve(__dirname, '..', 'bench', 'results', 'bigcodebench-selftest-v0.1.4.json');
const hasDocker = await dockerAvailable();

describe.skipIf(!file || !hasDocker)('BigCodeBench v0.1.4 reference solutions (sample)', () => {
  let app: Awaited<ReturnType<typeof testApp>>;

  beforeAll(async () => {
    await ensureImages(new Docker(), SANDBOXES, ['bigcodebench']);
    app = await testApp([{ benchmark: 'bigcodebench', file: file! }], { instance: ti('test-bcb-real') });
  }, 3_600_000);
  afterAll(async () => {
    await app?.close();
  });

  it('has 1,140 tasks and grades the sample as the committed report says', async () => {
    const { problems } = await bigcodebench.read(file!, {});
    expect(problems).toHaveLength(1140);
    const report = SelftestReportSchema.parse(JSON.parse(fs.readFileSync(REPORT, 'utf8')));
    // a report of part of the version says which problems it covers
    const covered = new Set(report.problem_ids ?? problems.map((p) => p.id));
    expect(covered.size).toBe(report.total);
    const failing = new Map(report.failures.map((f) => [f.problem_id, f]));
    const sample = problems.filter((p, i) => i % 40 === 9 && covered.has(p.id));
    expect(sample.length).toBeGreaterThan(10);
    const verdicts = await mapLimit(sample, 2, async (p) => {
      const ref = bigcodebench.canonical!(p);
      const r = await app.server.inject({
        method: 'POST',
        url: '/v1/grade',
        payload: { benchmark: 'bigcodebench', problem_id: p.id, completion: ref.completion },
      });
      return r.json() as Verdict;
    });
    for (const v of verdicts) {
      const known = failing.get(v.problem_id);
      expect(v.status, `${v.problem_id}: ${v.detail ?? ''}`).toBe(known ? 'fail' : 'pass');
    }
  }, 900_000);
});
