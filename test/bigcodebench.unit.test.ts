import { describe, expect, it } from 'vitest';
import { bigcodebench, bigcodebenchHard, bigcodebenchProgram, parseIdList } from '../src/benchmarks/bigcodebench/benchmark.js';
import { classifyFailure } from '../src/grading/selftest.js';
import type { Verdict } from '../src/schemas.js';
import { BIGCODEBENCH_MINI, writeBigCodeBenchFixtures } from './fixtures/bigcodebench.js';

const fx = writeBigCodeBenchFixtures();
const row = (i: number) => BIGCODEBENCH_MINI[i]!;

describe('BigCodeBench files', () => {
  it('reads the official fields, both prompts, and the version from the file name', async () => {
    const { version, problems } = await bigcodebench.read(fx.file, {});
    expect(version).toBe('v0.0.9');
    expect(problems.map((p) => p.id)).toEqual(BIGCODEBENCH_MINI.map((r) => r.task_id));
    const p = problems[1]!;
    expect(p.prompt).toBe(row(1).complete_prompt);
    expect(p.public.instruct_prompt).toBe(row(1).instruct_prompt);
    expect(p.public.entry_point).toBe('task_func');
    expect(p.hidden.test).toBe(row(1).test);
    expect(JSON.stringify(p.public)).not.toContain('TestCases');
  });

  it('takes the hard subset from an id list, and refuses a full file without one', async () => {
    const hard = await bigcodebenchHard.read(fx.file, { ids: fx.ids });
    expect(hard.problems.map((p) => p.id)).toEqual(['BigCodeBench/1', 'BigCodeBench/3']);
    expect(hard.version).toMatch(/^v0\.0\.9\+ids-[0-9a-f]{8}$/);
    await expect(bigcodebenchHard.read(fx.file, {})).rejects.toThrow(/--ids/);
    expect(parseIdList('["BigCodeBench/5", 7]', 'x')).toEqual(['BigCodeBench/5', 'BigCodeBench/7']);
    expect(() => parseIdList('[null]', 'x')).toThrow(/item 1/);
  });

  it('builds the official program: code_prompt + pass, then the solution', async () => {
    const { problems } = await bigcodebench.read(fx.file, {});
    const p = problems[0]!;
    const body = row(0).canonical_solution;
    expect(bigcodebenchProgram(p, 'X', { completion_format: 'solution', calibrated: true })).toBe(row(0).code_prompt + '\n    pass\nX');
    expect(bigcodebenchProgram(p, body, { completion_format: 'completion', calibrated: false })).toBe(row(0).complete_prompt + body);
  });

  it('names the cause of a failing reference solution', () => {
    const f = (reason: Verdict['reason'], detail: string) => classifyFailure({ status: 'fail', reason, detail });
    expect(f('runtime_error', "ModuleNotFoundError: No module named 'tensorflow'")).toBe('missing_library');
    expect(f('runtime_error', 'LookupError: Resource stopwords not found.')).toBe('missing_data');
    expect(f('runtime_error', 'socket.gaierror: [Errno -3] Temporary failure in name resolution')).toBe('needs_network');
    expect(f('timeout', 'no result within 242 s')).toBe('timeout');
    expect(f('wrong_answer', 'AssertionError: 1 != 2')).toBe('version_difference');
  });
});
