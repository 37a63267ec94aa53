import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Verdict } from '../src/schemas.js';
import { testApp } from './helpers/app.js';
import { dockerAvailable, ensurePythonImage } from './helpers/docker.js';
import { mapLimit, sharedFile } from './helpers/shared.js';
import { ti } from './helpers/instance.js';

// The official MBPP and MBPP+ files through the whole service.
const hasDocker = await dockerAvailable();
const full = sharedFile('mbpp/mbpp.jsonl');
const sanitized = sharedFile('mbpp/sanitized-mbpp.json');
const plus = sharedFile('mbpp/MbppPlus.jsonl.gz');

const failures = (vs: Verdict[], want: string) =>
  vs.filter((v) => v.status !== want).map((v) => `${v.problem_id}: ${v.status} ${v.reason} ${v.detail ?? ''}`.slice(0, 300));

/**
 * A reference solution made wrong by one: its entry point's result is nudged
 * (numbers +1, booleans negated, strings and containers changed in their first
 * element). Recursive calls inside keep seeing the original function.
 */
function offByOne(code: string, entry: string): string {
  return [
    code,
    'import types as __vt',
    'def __verdict_off_by_one(v):',
    '    if isinstance(v, bool): return not v',
    '    if isinstance(v, (int, float)): return v + 1',
    '    if isinstance(v, str): return v + "x"',
    '    if isinstance(v, (list, tuple)): return type(v)([__verdict_off_by_one(v[0])] + list(v[1:])) if v else type(v)([None])',
    '    if isinstance(v, (set, frozenset)): return type(v)(set(v) | {-987654321})',
    '    if isinstance(v, dict): return {**v, "__verdict__": 1}',
    '    return None if v is not None else 1',
    '__vg = dict(globals())',
    `__vorig = __vt.FunctionType(${entry}.__code__, __vg, ${entry}.__name__, ${entry}.__defaults__, ${entry}.__closure__)`,
    `__vorig.__kwdefaults__ = ${entry}.__kwdefaults__`,
    `__vg[${JSON.stringify(entry)}] = __vorig`,
    `def ${entry}(*a, **k):`,
    '    return __verdict_off_by_one(__vorig(*a, **k))',
    '',
  ].join('\n');
}

describe.skipIf(!hasDocker || !full || !sanitized || !plus)('MBPP, MBPP sanitized and MBPP+ official data in the sandbox', () => {
  let app: Awaited<ReturnType<typeof testApp>>;
  beforeAll(async () => {
    await ensurePythonImage();
    app = await testApp(
      [
        { benchmark: 'mbpp', file: full! },
        { benchmark: 'mbpp-sanitized', file: sanitized! },
        { benchmark: 'mbpp-plus', file: plus! },
      ],
      { instance: ti('test-mbpp-real') },
    );
  }, 900_000);
  afterAll(async () => {
    await app?.close();
  });

  const gradeAll = (benchmark: string, completion: (code: string) => string, options: Record<string, unknown> = {}) => {
    const problems = app.store.allProblems(benchmark, app.store.defaultVersion(benchmark)!);
    return mapLimit(problems, 4, (p) =>
      app.grader.grade({ benchmark, problem_id: p.id, completion: completion(String(p.hidden.code ?? p.hidden.canonical_solution)), options }),
    );
  };

  /**
   * Reference solutions that fail only by the official 3 s limit are
   * machine-speed dependent (task 123 needs ~6 s of CPU on this project's CI
   * machine): those are graded again with a 60 s limit and must pass then.
   */
  const passOrSlow = async (benchmark: string, vs: Verdict[], options: Record<string, unknown>) => {
    const slow = vs.filter((v) => v.status === 'fail' && v.reason === 'timeout');
    if (slow.length) console.warn(`[mbpp.real] ${benchmark}: ${slow.map((v) => v.problem_id).join(', ')} exceeded 3 s here; regraded with 60 s`);
    const again = await mapLimit(slow, 2, (v) => {
      const p = app.store.problem(benchmark, v.benchmark_version, v.problem_id)!;
      return app.grader.grade({ benchmark, problem_id: p.id, completion: String(p.hidden.code), options: { ...options, timeout_s: 60 } });
    });
    expect(failures(again, 'pass')).toEqual([]);
    return vs.filter((v) => !(v.status === 'fail' && v.reason === 'timeout'));
  };

  it('MBPP: 972/974 reference solutions pass with test_list alone (367 and 927 need test_setup_code)', async () => {
    const options = { extractor: 'raw@1' };
    const vs = await gradeAll('mbpp', (c) => c, options);
    expect(vs).toHaveLength(974);
    const rest = await passOrSlow('mbpp', vs, options);
    expect(failures(rest, 'pass').map((f) => f.split(':')[0]).sort()).toEqual(['367', '927']);
  }, 900_000);

  // Only 13 tasks have test_setup_code or challenge tests; for the other 961
  // these options build the very program the test above graded.
  it('MBPP: the 13 reference solutions with test_setup_code or challenge tests pass with them', async () => {
    const options = { extractor: 'raw@1', test_setup_code: true, challenge_tests: true };
    const problems = app.store
      .allProblems('mbpp', app.store.defaultVersion('mbpp')!)
      .filter((p) => String(p.hidden.test_setup_code ?? '').trim() !== '' || (Array.isArray(p.hidden.challenge_test_list) && p.hidden.challenge_test_list.length > 0));
    expect(problems.map((p) => p.id).sort()).toHaveLength(13);
    const vs = await mapLimit(problems, 4, (p) => app.grader.grade({ benchmark: 'mbpp', problem_id: p.id, completion: String(p.hidden.code), options }));
    expect(failures(await passOrSlow('mbpp', vs, options), 'pass')).toEqual([]);
  }, 900_000);

  it('MBPP sanitized: every reference solution passes', async () => {
    const options = { extractor: 'raw@1' };
    const vs = await gradeAll('mbpp-sanitized', (c) => c, options);
    expect(vs).toHaveLength(427);
    expect(failures(await passOrSlow('mbpp-sanitized', vs, options), 'pass')).toEqual([]);
  }, 900_000);

  it('MBPP+ v0.2.0: 378/378 canonical solutions pass on base and plus inputs', async () => {
    expect(app.store.defaultVersion('mbpp-plus')).toBe('v0.2.0');
    const problems = app.store.allProblems('mbpp-plus', 'v0.2.0');
    expect(problems).toHaveLength(378);
    const vs = await mapLimit(problems, 4, (p) =>
      app.grader.grade({ benchmark: 'mbpp-plus', problem_id: p.id, completion: String(p.hidden.canonical_solution) }),
    );
    expect(failures(vs, 'pass')).toEqual([]);
  }, 1_800_000);

  it('MBPP+: every canonical solution with an injected off-by-one fails', async () => {
    const problems = app.store.allProblems('mbpp-plus', 'v0.2.0');
    const vs = await mapLimit(problems, 4, (p) =>
      app.grader.grade({
        benchmark: 'mbpp-plus',
        problem_id: p.id,
        completion: offByOne(String(p.hidden.canonical_solution), String(p.hidden.entry_point)),
      }),
    );
    // (v0.2.0 dropped Mbpp/164, whose oracle accepted every answer)
    expect(failures(vs, 'fail')).toEqual([]);
  }, 1_800_000);
});
