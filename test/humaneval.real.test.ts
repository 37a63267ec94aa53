import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from './helpers/app.js';
import { dockerAvailable, ensurePythonImage } from './helpers/docker.js';
import { mapLimit, sharedFile } from './helpers/shared.js';

// The official data through the whole service: sandbox, harness, verdict.
const hasDocker = await dockerAvailable();
const he = sharedFile('humaneval/HumanEval.jsonl.gz');
const hePlus = sharedFile('humaneval/HumanEvalPlus.jsonl.gz');

describe.skipIf(!hasDocker || !he || !hePlus)('HumanEval and HumanEval+ official data in the sandbox', () => {
  let app: Awaited<ReturnType<typeof testApp>>;
  beforeAll(async () => {
    await ensurePythonImage();
    app = await testApp([
      { benchmark: 'humaneval', file: he! },
      { benchmark: 'humaneval-plus', file: hePlus!, version: 'v0.1.10' },
    ]);
  }, 900_000);
  afterAll(async () => {
    await app?.close();
  });

  const failures = (vs: Array<{ problem_id: string; status: string; reason: string | null; detail?: string }>, want: string) =>
    vs.filter((v) => v.status !== want).map((v) => `${v.problem_id}: ${v.status} ${v.reason} ${v.detail ?? ''}`.slice(0, 300));

  it('passes all 164 canonical solutions', async () => {
    const problems = app.store.allProblems('humaneval', app.store.defaultVersion('humaneval')!);
    expect(problems).toHaveLength(164);
    const vs = await mapLimit(problems, 4, (p) =>
      app.grader.grade({ benchmark: 'humaneval', problem_id: p.id, completion: String(p.hidden.canonical_solution) }),
    );
    expect(failures(vs, 'pass')).toEqual([]);
  }, 600_000);

  it('fails all 164 when the body raises NotImplementedError', async () => {
    const problems = app.store.allProblems('humaneval', app.store.defaultVersion('humaneval')!);
    const vs = await mapLimit(problems, 4, (p) =>
      app.grader.grade({ benchmark: 'humaneval', problem_id: p.id, completion: '    raise NotImplementedError\n' }),
    );
    expect(failures(vs, 'fail')).toEqual([]);
    expect(vs.every((v) => v.reason === 'runtime_error')).toBe(true);
  }, 600_000);

  it('passes all 164 HumanEval+ canonical solutions on base and plus inputs', async () => {
    const problems = app.store.allProblems('humaneval-plus', 'v0.1.10');
    expect(problems).toHaveLength(164);
    const vs = await mapLimit(problems, 4, (p) =>
      app.grader.grade({ benchmark: 'humaneval-plus', problem_id: p.id, completion: String(p.hidden.canonical_solution) }),
    );
    expect(failures(vs, 'pass')).toEqual([]);
    expect(vs.every((v) => v.groups?.base === 'pass' && v.groups?.plus === 'pass')).toBe(true);
  }, 1_200_000);
});
