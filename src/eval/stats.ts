// Pure statistics for comparing two runs: a seeded RNG, paired bootstrap,
// paired sign-flip permutation test, and the Cochran–Mantel–Haenszel test.

/** mulberry32: small, seeded, good enough for resampling. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

function quantile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * Percentile bootstrap CI of a statistic over strata of paired differences:
 * each replicate resamples problems with replacement within every stratum and
 * takes the mean over strata of the stratum means (one stratum = one benchmark).
 */
export function bootstrapCI(strata: ReadonlyArray<readonly number[]>, opts: { reps?: number; seed?: number; level?: number } = {}): [number, number] {
  const reps = opts.reps ?? 10_000;
  const level = opts.level ?? 0.95;
  const rand = rng(opts.seed ?? 1);
  const live = strata.filter((s) => s.length > 0);
  if (!live.length) return [0, 0];
  const stats = new Float64Array(reps);
  for (let b = 0; b < reps; b++) {
    let total = 0;
    for (const s of live) {
      let sum = 0;
      for (let i = 0; i < s.length; i++) sum += s[Math.floor(rand() * s.length)]!;
      total += sum / s.length;
    }
    stats[b] = total / live.length;
  }
  const sorted = Array.from(stats).sort((x, y) => x - y);
  return [quantile(sorted, (1 - level) / 2), quantile(sorted, 1 - (1 - level) / 2)];
}

/**
 * Two-sided paired sign-flip permutation test of mean difference 0: exact when
 * at most 20 differences are non-zero, Monte Carlo otherwise.
 */
export function pairedPermutationP(diffs: readonly number[], opts: { reps?: number; seed?: number } = {}): number {
  const d = diffs.filter((x) => x !== 0);
  if (!d.length) return 1;
  const obs = Math.abs(d.reduce((a, b) => a + b, 0));
  const eps = 1e-12 * Math.max(1, obs);
  if (d.length <= 20) {
    let hits = 0;
    const total = 2 ** d.length;
    for (let mask = 0; mask < total; mask++) {
      let s = 0;
      for (let i = 0; i < d.length; i++) s += mask & (1 << i) ? -d[i]! : d[i]!;
      if (Math.abs(s) >= obs - eps) hits += 1;
    }
    return hits / total;
  }
  const reps = opts.reps ?? 10_000;
  const rand = rng(opts.seed ?? 2);
  let hits = 0;
  for (let b = 0; b < reps; b++) {
    let s = 0;
    for (const x of d) s += rand() < 0.5 ? -x : x;
    if (Math.abs(s) >= obs - eps) hits += 1;
  }
  return (hits + 1) / (reps + 1);
}

/** One stratum's 2×2 table: passes and fails of the treated (RL) and control (base) runs. */
export interface Table2x2 {
  treatedPass: number;
  treatedFail: number;
  controlPass: number;
  controlFail: number;
}

export interface CmhResult {
  chi2: number;
  p: number;
  /** Mantel–Haenszel common odds ratio (treated vs control odds of passing) */
  odds_ratio: number | null;
}

/** Cochran–Mantel–Haenszel test (1 df, continuity-corrected) across strata. */
export function cmh(tables: readonly Table2x2[]): CmhResult {
  let sumA = 0;
  let sumE = 0;
  let sumV = 0;
  let orNum = 0;
  let orDen = 0;
  for (const t of tables) {
    const n1 = t.treatedPass + t.treatedFail;
    const n2 = t.controlPass + t.controlFail;
    const m1 = t.treatedPass + t.controlPass;
    const m2 = t.treatedFail + t.controlFail;
    const N = n1 + n2;
    if (N < 2 || n1 === 0 || n2 === 0) continue;
    sumA += t.treatedPass;
    sumE += (n1 * m1) / N;
    sumV += (n1 * n2 * m1 * m2) / (N * N * (N - 1));
    orNum += (t.treatedPass * t.controlFail) / N;
    orDen += (t.treatedFail * t.controlPass) / N;
  }
  if (sumV === 0) return { chi2: 0, p: 1, odds_ratio: orDen > 0 ? orNum / orDen : null };
  const dev = Math.max(0, Math.abs(sumA - sumE) - 0.5);
  const chi2 = (dev * dev) / sumV;
  return { chi2, p: chi2Sf1(chi2), odds_ratio: orDen > 0 ? orNum / orDen : null };
}

/** Survival function of χ² with one degree of freedom. */
export function chi2Sf1(x: number): number {
  return x <= 0 ? 1 : erfc(Math.sqrt(x / 2));
}

/** Complementary error function (Numerical Recipes erfcc, |error| < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
