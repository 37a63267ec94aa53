import type { JobResult } from '../jobs/schemas.js';

// Pure metrics over result lines: unbiased pass@k (Chen et al. 2021) for every
// k up to the smallest sample count, per benchmark and overall, with the
// EvalPlus base/plus split and LiveCodeBench slices. infra_error and invalid
// lines are not samples: they are counted, never scored as failures.

/** 1 - C(n-c, k) / C(n, k), computed as a product so large n cannot overflow. */
export function passAtK(n: number, c: number, k: number): number {
  if (k < 1 || k > n) throw new RangeError(`pass@${k} needs 1 <= k <= n (n=${n})`);
  if (c < 0 || c > n) throw new RangeError(`c=${c} outside 0..${n}`);
  if (n - c < k) return 1;
  let prod = 1;
  for (let i = n - c + 1; i <= n; i++) prod *= 1 - k / i;
  return 1 - prod;
}

export interface ProblemTally {
  n: number;
  c: number;
}

export interface PassAtK {
  problems: number;
  samples: number;
  /** smallest samples per problem: pass@k is given for every k up to it */
  min_n: number;
  pass_at_k: Record<string, number>;
}

/** Mean over problems of pass@k, for k = 1..min n. */
export function passAtKTable(tallies: Iterable<ProblemTally>): PassAtK {
  const list = [...tallies].filter((t) => t.n > 0);
  const minN = list.length ? Math.min(...list.map((t) => t.n)) : 0;
  const out: Record<string, number> = {};
  for (let k = 1; k <= minN; k++) {
    out[String(k)] = list.reduce((s, t) => s + passAtK(t.n, t.c, k), 0) / list.length;
  }
  return { problems: list.length, samples: list.reduce((s, t) => s + t.n, 0), min_n: minN, pass_at_k: out };
}

type Scorer = (r: JobResult) => boolean | undefined;

function tally(results: JobResult[], pass: Scorer): Map<string, ProblemTally> {
  const m = new Map<string, ProblemTally>();
  for (const r of results) {
    const ok = pass(r);
    if (ok === undefined) continue;
    const key = `${r.benchmark}\u0000${r.problem_id ?? ''}`;
    const t = m.get(key) ?? { n: 0, c: 0 };
    t.n += 1;
    if (ok) t.c += 1;
    m.set(key, t);
  }
  return m;
}

const graded = (r: JobResult) => r.status === 'pass' || r.status === 'fail';
const byStatus: Scorer = (r) => (graded(r) ? r.status === 'pass' : undefined);
/** EvalPlus base: the base group alone (the original HumanEval/MBPP inputs). */
const byBase: Scorer = (r) => (graded(r) && r.groups?.base ? r.groups.base === 'pass' : undefined);
/** EvalPlus plus: base and plus both pass, which is the sample's status when plus ran. */
const byPlus: Scorer = (r) => (graded(r) && r.groups?.plus && r.groups.plus !== 'skipped' ? r.status === 'pass' : r.groups?.base === 'fail' ? false : undefined);

export interface BenchmarkMetrics extends PassAtK {
  benchmark: string;
  infra_errors: number;
  invalid: number;
  reasons: Record<string, number>;
  evalplus?: { base: PassAtK; plus: PassAtK };
  by_difficulty?: Record<string, PassAtK>;
  by_window?: Record<string, PassAtK>;
}

export interface Metrics {
  overall: PassAtK & { infra_errors: number; invalid: number };
  benchmarks: BenchmarkMetrics[];
}

export interface MetricsOptions {
  /** LiveCodeBench date windows [start, end] (ISO dates, inclusive); default: one per calendar month */
  windows?: Array<{ name?: string; start: string; end: string }>;
}

/** `late=2024-08-01..2025-01-31` → a named inclusive date window (`--window`) */
export function parseWindow(spec: string): { name: string; start: string; end: string } {
  const m = /^(?:([^=]+)=)?(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(spec);
  if (!m) throw new Error('expected [NAME=]YYYY-MM-DD..YYYY-MM-DD');
  return { name: m[1] ?? `${m[2]}..${m[3]}`, start: m[2]!, end: m[3]! };
}

function windowOf(date: string, windows: MetricsOptions['windows']): string[] {
  const day = date.slice(0, 10);
  if (!windows) return [date.slice(0, 7)];
  return windows.filter((w) => day >= w.start.slice(0, 10) && day <= w.end.slice(0, 10)).map((w) => w.name ?? `${w.start}..${w.end}`);
}

function slices(results: JobResult[], keyOf: (r: JobResult) => string[]): Record<string, PassAtK> | undefined {
  const groups = new Map<string, JobResult[]>();
  for (const r of results) for (const k of keyOf(r)) (groups.get(k) ?? groups.set(k, []).get(k)!).push(r);
  if (!groups.size) return undefined;
  return Object.fromEntries([...groups.keys()].sort().map((k) => [k, passAtKTable(tally(groups.get(k)!, byStatus).values())]));
}

export function computeMetrics(results: JobResult[], opts: MetricsOptions = {}): Metrics {
  const byBench = new Map<string, JobResult[]>();
  for (const r of results) (byBench.get(r.benchmark) ?? byBench.set(r.benchmark, []).get(r.benchmark)!).push(r);
  const benchmarks: BenchmarkMetrics[] = [];
  for (const name of [...byBench.keys()].sort()) {
    const rs = byBench.get(name)!;
    const reasons: Record<string, number> = {};
    for (const r of rs) if (r.status !== 'pass') {
      const k = r.status === 'invalid' ? 'invalid' : (r.reason ?? r.status);
      reasons[k] = (reasons[k] ?? 0) + 1;
    }
    const m: BenchmarkMetrics = {
      benchmark: name,
      ...passAtKTable(tally(rs, byStatus).values()),
      infra_errors: rs.filter((r) => r.status === 'infra_error').length,
      invalid: rs.filter((r) => r.status === 'invalid').length,
      reasons,
    };
    if (rs.some((r) => r.groups?.base)) {
      m.evalplus = { base: passAtKTable(tally(rs, byBase).values()), plus: passAtKTable(tally(rs, byPlus).values()) };
    }
    const diff = slices(rs, (r) => (r.meta?.difficulty ? [r.meta.difficulty] : []));
    if (diff) m.by_difficulty = diff;
    const win = slices(rs, (r) => (r.meta?.contest_date ? windowOf(r.meta.contest_date, opts.windows) : []));
    if (win) m.by_window = win;
    benchmarks.push(m);
  }
  return {
    overall: {
      ...passAtKTable(tally(results, byStatus).values()),
      infra_errors: results.filter((r) => r.status === 'infra_error').length,
      invalid: results.filter((r) => r.status === 'invalid').length,
    },
    benchmarks,
  };
}
