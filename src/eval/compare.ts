import type { JobResult } from '../jobs/schemas.js';
import { bootstrapCI, cmh, mean, pairedPermutationP, type CmhResult, type Table2x2 } from './stats.js';

// Base vs RL: per-benchmark Δpass@1 over the problems both runs graded, a 95%
// paired-bootstrap CI over problems, a paired permutation p-value, and CMH
// across the benchmarks of each user-labelled domain and overall.

export interface BenchmarkDelta {
  benchmark: string;
  domain: string | null;
  problems: number;
  base_pass_at_1: number;
  rl_pass_at_1: number;
  delta: number;
  ci95: [number, number];
  p: number;
}

export interface DomainDelta {
  domain: string;
  benchmarks: string[];
  /** mean of the benchmarks' Δ (each benchmark weighs the same) */
  delta: number;
  ci95: [number, number];
  cmh: CmhResult;
}

export interface Comparison {
  benchmarks: BenchmarkDelta[];
  domains: DomainDelta[];
  overall: DomainDelta;
  /** problems graded by only one of the runs, left out */
  unpaired: Record<string, { base_only: number; rl_only: number }>;
}

export interface CompareOptions {
  /** domain label → benchmarks in it */
  domains?: Record<string, string[]>;
  reps?: number;
  seed?: number;
}

interface Tally {
  n: number;
  c: number;
}

function perProblem(results: JobResult[]): Map<string, Map<string, Tally>> {
  const out = new Map<string, Map<string, Tally>>();
  for (const r of results) {
    if (r.status !== 'pass' && r.status !== 'fail') continue;
    const b = out.get(r.benchmark) ?? out.set(r.benchmark, new Map()).get(r.benchmark)!;
    const id = r.problem_id ?? '';
    const t = b.get(id) ?? { n: 0, c: 0 };
    t.n += 1;
    if (r.status === 'pass') t.c += 1;
    b.set(id, t);
  }
  return out;
}

interface Paired {
  benchmark: string;
  diffs: number[];
  base: number[];
  rl: number[];
  table: Table2x2;
}

export function compareRuns(base: JobResult[], rl: JobResult[], opts: CompareOptions = {}): Comparison {
  const reps = opts.reps ?? 10_000;
  const seed = opts.seed ?? 7;
  const B = perProblem(base);
  const R = perProblem(rl);
  const domainOf = new Map<string, string>();
  for (const [d, names] of Object.entries(opts.domains ?? {})) for (const n of names) domainOf.set(n, d);
  const paired: Paired[] = [];
  const unpaired: Comparison['unpaired'] = {};
  for (const name of [...new Set([...B.keys(), ...R.keys()])].sort()) {
    const b = B.get(name) ?? new Map<string, Tally>();
    const r = R.get(name) ?? new Map<string, Tally>();
    const p: Paired = { benchmark: name, diffs: [], base: [], rl: [], table: { treatedPass: 0, treatedFail: 0, controlPass: 0, controlFail: 0 } };
    for (const [id, tb] of b) {
      const tr = r.get(id);
      if (!tr) continue;
      // pass@1 of a problem is its pass rate (unbiased for any n)
      p.base.push(tb.c / tb.n);
      p.rl.push(tr.c / tr.n);
      p.diffs.push(tr.c / tr.n - tb.c / tb.n);
      p.table.treatedPass += tr.c;
      p.table.treatedFail += tr.n - tr.c;
      p.table.controlPass += tb.c;
      p.table.controlFail += tb.n - tb.c;
    }
    const baseOnly = [...b.keys()].filter((id) => !r.has(id)).length;
    const rlOnly = [...r.keys()].filter((id) => !b.has(id)).length;
    if (baseOnly || rlOnly) unpaired[name] = { base_only: baseOnly, rl_only: rlOnly };
    if (p.diffs.length) paired.push(p);
  }
  const benchmarks: BenchmarkDelta[] = paired.map((p, i) => ({
    benchmark: p.benchmark,
    domain: domainOf.get(p.benchmark) ?? null,
    problems: p.diffs.length,
    base_pass_at_1: mean(p.base),
    rl_pass_at_1: mean(p.rl),
    delta: mean(p.diffs),
    ci95: bootstrapCI([p.diffs], { reps, seed: seed + i }),
    p: pairedPermutationP(p.diffs, { reps, seed: seed + 1000 + i }),
  }));
  const group = (domain: string, members: Paired[]): DomainDelta => ({
    domain,
    benchmarks: members.map((m) => m.benchmark),
    delta: mean(members.map((m) => mean(m.diffs))),
    ci95: bootstrapCI(members.map((m) => m.diffs), { reps, seed: seed + 2000 }),
    cmh: cmh(members.map((m) => m.table)),
  });
  const domains = Object.keys(opts.domains ?? {})
    .map((d) => group(d, paired.filter((p) => domainOf.get(p.benchmark) === d)))
    .filter((d) => d.benchmarks.length > 0);
  return { benchmarks, domains, overall: group('overall', paired), unpaired };
}

/** `in-domain=humaneval,mbpp` → { 'in-domain': ['humaneval', 'mbpp'] } */
export function parseDomains(specs: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const s of specs) {
    const m = /^([^=]+)=(.+)$/.exec(s);
    if (!m) throw new Error(`'${s}': expected LABEL=benchmark[,benchmark...]`);
    out[m[1]!.trim()] = m[2]!.split(',').map((x) => x.trim()).filter(Boolean);
  }
  return out;
}

function pct(x: number): string {
  return (x * 100).toFixed(1);
}

function pval(p: number): string {
  return p < 1e-4 ? p.toExponential(1) : p.toFixed(4);
}

/** A plain-text table for the terminal. */
export function formatComparison(c: Comparison): string {
  const lines = ['benchmark                domain          n     base    rl      Δpass@1  95% CI            p'];
  for (const b of c.benchmarks) {
    lines.push(
      `${b.benchmark.padEnd(24)} ${(b.domain ?? '-').padEnd(15)} ${String(b.problems).padStart(5)} ${pct(b.base_pass_at_1).padStart(6)}% ${pct(b.rl_pass_at_1).padStart(6)}% ${(pct(b.delta) + ' pt').padStart(9)}  [${pct(b.ci95[0])}, ${pct(b.ci95[1])}]`.padEnd(96) + ` ${pval(b.p)}`,
    );
  }
  lines.push('');
  for (const d of [...c.domains, c.overall]) {
    const or = d.cmh.odds_ratio === null ? '-' : d.cmh.odds_ratio.toFixed(2);
    lines.push(
      `${d.domain}: Δpass@1 ${pct(d.delta)} pt [${pct(d.ci95[0])}, ${pct(d.ci95[1])}]  CMH χ²=${d.cmh.chi2.toFixed(2)} p=${pval(d.cmh.p)} OR=${or}  (${d.benchmarks.join(', ')})`,
    );
  }
  for (const [b, u] of Object.entries(c.unpaired)) {
    lines.push(`note: ${b}: ${u.base_only} problems only in BASE, ${u.rl_only} only in RL (left out)`);
  }
  return lines.join('\n');
}
