import { describe, expect, it } from 'vitest';

describe('inline stdin/stdout verdicts keep the tests hidden', () => {
  it('no stderr line, token counts or checker words in the detail; run-only details are kept', async () => {
    const { judgeOutcome } = await import('../src/benchmarks/inline/judge.js');
    const report = (detail: string, verdict: 'WA' | 'RE' | 'TLE' = 'RE') => ({
      compile: { ok: true, timeMs: 0 },
      verdict,
      cases: [
        { index: 0, verdict: 'AC' as const, timeMs: 1, memoryKb: 1 },
        { index: 1, verdict, timeMs: 1, memoryKb: 1, detail },
      ],
    });
    const leaks = [
      judgeOutcome(report('exit code 1: the secret input 1234 5678')),
      judgeOutcome(report('expected 17 tokens, got 3', 'WA')),
      judgeOutcome(report('rejected by the interactor: expected 42, got 7', 'WA')),
    ];
    expect(leaks.map((o) => o.detail)).toEqual(['test 2: runtime error', 'test 2: wrong answer', 'test 2: wrong answer']);
    expect(leaks.map((o) => [o.status, o.reason])).toEqual([['fail', 'runtime_error'], ['fail', 'wrong_answer'], ['fail', 'wrong_answer']]);
    expect(judgeOutcome(report('wall time limit exceeded', 'TLE')).detail).toBe('test 2: wall time limit exceeded');
    expect(judgeOutcome(report('output limit exceeded', 'WA')).detail).toBe('test 2: output limit exceeded');
  });
});
