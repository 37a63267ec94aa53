import { describe, expect, it } from 'vitest';
import { compareRuns, formatComparison, parseDomains } from '../src/eval/compare.js';
import { computeMetrics, passAtK, passAtKTable } from '../src/eval/passk.js';
import { bootstrapCI, cmh, erfc, pairedPermutationP, rng } from '../src/eval/stats.js';
import type { JobResult } from '../src/jobs/schemas.js';

/** C(n, k) exactly, for the reference estimator. */
function binom(n: number, k: number): bigint {
  if (k < 0 || k > n) return 0n;
  let r = 1n;
  for (let i = 0; i < k; i++) r = (r * BigInt(n - i)) / BigInt(i + 1);
  return r;
}

let seq = 0;
function res(benchmark: string, problem_id: string, status: JobResult['status'], extra: Partial<JobResult> = {}): JobResult {
  return { seq: seq++, line: seq, sub: 0, benchmark, problem_id, status, reward: status === 'pass' ? 1 : 0, reason: status === 'fail' ? 'wrong_answer' : null, ...extra };
}

describe('unbiased pass@k', () => {
  it('matches hand-computed values', () => {
    // n=5, c=2: 1 - C(3,k)/C(5,k)
    expect(passAtK(5, 2, 1)).toBeCloseTo(1 - 3 / 5, 12);
    expect(passAtK(5, 2, 2)).toBeCloseTo(1 - 3 / 10, 12);
    expect(passAtK(5, 2, 3)).toBeCloseTo(1 - 1 / 10, 12);
    expect(passAtK(5, 2, 4)).toBe(1);
    expect(passAtK(10, 0, 3)).toBe(0);
    expect(passAtK(3, 3, 1)).toBe(1);
    expect(passAtK(1, 1, 1)).toBe(1);
    expect(passAtK(1, 0, 1)).toBe(0);
    expect(() => passAtK(3, 1, 4)).toThrow(RangeError);
  });

  it('equals 1 - C(n-c,k)/C(n,k) computed exactly with big integers', () => {
    for (const [n, c, k] of [[200, 10, 100], [50, 7, 10], [20, 19, 1], [100, 1, 50], [64, 32, 16]] as const) {
      const num = binom(n - c, k);
      const den = binom(n, k);
      // ratio to 1e-15 relative precision via scaled integer division
      const scale = 10n ** 18n;
      const exact = 1 - Number((num * scale) / den) / 1e18;
      expect(passAtK(n, c, k)).toBeCloseTo(exact, 12);
    }
  });

  it('averages over problems for every k up to the smallest n', () => {
    const t = passAtKTable([{ n: 2, c: 1 }, { n: 2, c: 0 }, { n: 3, c: 3 }]);
    expect(t.min_n).toBe(2);
    expect(Object.keys(t.pass_at_k)).toEqual(['1', '2']);
    expect(t.pass_at_k['1']).toBeCloseTo((0.5 + 0 + 1) / 3, 12);
    expect(t.pass_at_k['2']).toBeCloseTo((1 + 0 + 1) / 3, 12);
  });

  it('computes per benchmark and overall, and never scores infra errors or bad lines', () => {
    const rs = [
      res('humaneval', 'A', 'pass'), res('humaneval', 'A', 'fail'), res('humaneval', 'A', 'infra_error'),
      res('humaneval', 'B', 'fail'), res('humaneval', 'B', 'fail'),
      res('mbpp', 'X', 'pass'), res('mbpp', 'X', 'pass'), res('mbpp', 'X', 'pass'),
      res('mbpp', 'X', 'invalid', { problem_id: null }),
    ];
    const m = computeMetrics(rs);
    const he = m.benchmarks.find((b) => b.benchmark === 'humaneval')!;
    expect(he.problems).toBe(2);
    expect(he.samples).toBe(4);
    expect(he.pass_at_k['1']).toBeCloseTo(0.25, 12);
    expect(he.pass_at_k['2']).toBeCloseTo(0.5, 12);
    expect(he.infra_errors).toBe(1);
    expect(he.reasons).toEqual({ wrong_answer: 3, infra_error: 1 });
    const mb = m.benchmarks.find((b) => b.benchmark === 'mbpp')!;
    expect(mb.pass_at_k).toEqual({ '1': 1, '2': 1, '3': 1 });
    expect(mb.invalid).toBe(1);
    expect(m.overall.problems).toBe(3);
    expect(m.overall.min_n).toBe(2);
    expect(m.overall.pass_at_k['1']).toBeCloseTo((0.5 + 0 + 1) / 3, 12);
  });

  it('splits EvalPlus base and plus', () => {
    const g = (base: 'pass' | 'fail', plus: 'pass' | 'fail' | 'skipped') => ({ groups: { base, plus } });
    const rs = [
      res('humaneval-plus', 'P0', 'pass', g('pass', 'pass')),
      res('humaneval-plus', 'P0', 'fail', g('pass', 'fail')),
      res('humaneval-plus', 'P1', 'fail', g('fail', 'skipped')),
      res('humaneval-plus', 'P1', 'fail', g('pass', 'fail')),
    ];
    const m = computeMetrics(rs).benchmarks[0]!;
    expect(m.evalplus!.base.pass_at_k['1']).toBeCloseTo((1 + 0.5) / 2, 12);
    expect(m.evalplus!.plus.pass_at_k['1']).toBeCloseTo((0.5 + 0) / 2, 12);
    expect(m.pass_at_k['1']).toBeCloseTo(m.evalplus!.plus.pass_at_k['1']!, 12);
  });

  it('slices LiveCodeBench by difficulty and by date window', () => {
    const lcb = (id: string, s: JobResult['status'], difficulty: string, contest_date: string) =>
      res('livecodebench', id, s, { meta: { difficulty, contest_date } });
    const rs = [
      lcb('q1', 'pass', 'easy', '2024-08-03T00:00:00'),
      lcb('q1', 'fail', 'easy', '2024-08-03T00:00:00'),
      lcb('q2', 'fail', 'hard', '2024-09-10T00:00:00'),
      lcb('q2', 'fail', 'hard', '2024-09-10T00:00:00'),
    ];
    const m = computeMetrics(rs).benchmarks[0]!;
    expect(m.by_difficulty!.easy!.pass_at_k['1']).toBeCloseTo(0.5, 12);
    expect(m.by_difficulty!.hard!.pass_at_k['1']).toBe(0);
    expect(Object.keys(m.by_window!)).toEqual(['2024-08', '2024-09']);
    const custom = computeMetrics(rs, { windows: [{ name: 'late', start: '2024-09-01', end: '2025-01-31' }] }).benchmarks[0]!;
    expect(Object.keys(custom.by_window!)).toEqual(['late']);
    expect(custom.by_window!.late!.problems).toBe(1);
  });
});

describe('statistics', () => {
  it('erfc and the χ² survival function agree with known values', () => {
    expect(erfc(0)).toBeCloseTo(1, 6);
    expect(erfc(1)).toBeCloseTo(0.157299207, 6);
    // χ²(1) = 3.841 at p = 0.05
    expect(cmh([{ treatedPass: 0, treatedFail: 0, controlPass: 0, controlFail: 0 }]).p).toBe(1);
  });

  it('CMH matches a hand-computed two-stratum example', () => {
    // stratum 1: treated 20/30 pass, control 10/30; stratum 2: treated 15/20, control 10/20
    const t = [
      { treatedPass: 20, treatedFail: 10, controlPass: 10, controlFail: 20 },
      { treatedPass: 15, treatedFail: 5, controlPass: 10, controlFail: 10 },
    ];
    // E1 = 30*30/60 = 15, V1 = 30*30*30*30/(60^2*59) = 3.8136; E2 = 20*25/40 = 12.5, V2 = 20*20*25*15/(40^2*39) = 2.4038
    const A = 35;
    const E = 27.5;
    const V = 810000 / (3600 * 59) + 150000 / (1600 * 39);
    const chi2 = (Math.abs(A - E) - 0.5) ** 2 / V;
    const r = cmh(t);
    expect(r.chi2).toBeCloseTo(chi2, 10);
    expect(r.p).toBeCloseTo(erfc(Math.sqrt(chi2 / 2)), 10);
    expect(r.odds_ratio).toBeCloseTo((20 * 20 / 60 + 15 * 10 / 40) / (10 * 10 / 60 + 5 * 10 / 40), 10);
  });

  it('the permutation test is exact on small samples', () => {
    // 3 non-zero differences, all positive: only the identity and the full flip reach |sum| = 3 → p = 2/8
    expect(pairedPermutationP([1, 1, 1, 0, 0])).toBeCloseTo(0.25, 12);
    expect(pairedPermutationP([0, 0, 0])).toBe(1);
  });

  it('bootstrap CIs are deterministic for a seed and zero-width on constant differences', () => {
    expect(bootstrapCI([[0, 0, 0]])).toEqual([0, 0]);
    const d = Array.from({ length: 50 }, (_, i) => (i % 3) - 0.5);
    expect(bootstrapCI([d], { seed: 3 })).toEqual(bootstrapCI([d], { seed: 3 }));
  });
});

describe('compare', () => {
  /** Two runs over the same problems: each problem has a latent difficulty; RL adds `effect` to the pass probability on `boosted`. */
  function synthetic(effect: number, boosted: string[]): { base: JobResult[]; rl: JobResult[] } {
    const rand = rng(42);
    const base: JobResult[] = [];
    const rl: JobResult[] = [];
    for (const bench of ['humaneval', 'mbpp', 'livecodebench']) {
      for (let p = 0; p < 150; p++) {
        const q = rand() * 0.8;
        const qr = boosted.includes(bench) ? Math.min(1, q + effect) : q;
        for (let s = 0; s < 5; s++) {
          base.push(res(bench, `${bench}/${p}`, rand() < q ? 'pass' : 'fail'));
          rl.push(res(bench, `${bench}/${p}`, rand() < qr ? 'pass' : 'fail'));
        }
      }
    }
    return { base, rl };
  }

  it('recovers a known effect in-domain and none out-of-domain', () => {
    const { base, rl } = synthetic(0.15, ['humaneval', 'mbpp']);
    const c = compareRuns(base, rl, { domains: parseDomains(['in-domain=humaneval,mbpp', 'out-of-domain=livecodebench']) });
    for (const name of ['humaneval', 'mbpp']) {
      const b = c.benchmarks.find((x) => x.benchmark === name)!;
      expect(b.domain).toBe('in-domain');
      expect(b.problems).toBe(150);
      // the true effect is a bit under 0.15 (capped at 1); the CI covers it and excludes 0
      expect(b.ci95[0]).toBeGreaterThan(0.05);
      expect(b.ci95[0]).toBeLessThan(0.15);
      expect(b.ci95[1]).toBeGreaterThan(0.12);
      expect(b.p).toBeLessThan(0.001);
    }
    const lcb = c.benchmarks.find((x) => x.benchmark === 'livecodebench')!;
    expect(lcb.ci95[0]).toBeLessThan(0);
    expect(lcb.ci95[1]).toBeGreaterThan(0);
    expect(lcb.p).toBeGreaterThan(0.05);
    const ind = c.domains.find((d) => d.domain === 'in-domain')!;
    const ood = c.domains.find((d) => d.domain === 'out-of-domain')!;
    expect(ind.cmh.p).toBeLessThan(1e-6);
    expect(ind.cmh.odds_ratio!).toBeGreaterThan(1.5);
    expect(ood.cmh.p).toBeGreaterThan(0.05);
    expect(formatComparison(c)).toContain('in-domain: Δpass@1');
  });

  it('reports no effect between two identical runs', () => {
    const { base } = synthetic(0, []);
    const c = compareRuns(base, base.map((r) => ({ ...r })), { domains: { all: ['humaneval', 'mbpp', 'livecodebench'] } });
    for (const b of c.benchmarks) {
      expect(b.delta).toBe(0);
      expect(b.ci95).toEqual([0, 0]);
      expect(b.p).toBe(1);
    }
    expect(c.overall.cmh.p).toBe(1);
    expect(c.overall.cmh.odds_ratio).toBeCloseTo(1, 12);
  });

  it('leaves out problems only one run graded, and says so', () => {
    const base = [res('humaneval', 'A', 'pass'), res('humaneval', 'B', 'fail')];
    const rl = [res('humaneval', 'A', 'fail'), res('humaneval', 'C', 'pass')];
    const c = compareRuns(base, rl);
    expect(c.benchmarks[0]!.problems).toBe(1);
    expect(c.benchmarks[0]!.delta).toBe(-1);
    expect(c.unpaired).toEqual({ humaneval: { base_only: 1, rl_only: 1 } });
  });
});
