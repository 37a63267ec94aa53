import type { JobResult } from '../jobs/schemas.js';
import type { Comparison } from './compare.js';
import { computeMetrics, type BenchmarkMetrics, type Metrics, type MetricsOptions, type PassAtK } from './passk.js';

// A self-contained HTML evaluation report: tables plus inline SVG charts
// (pass@k per benchmark, Δpass@1 with 95% CIs, failure reasons). No scripts,
// no external resources: it opens anywhere, offline.

export interface ReportRun {
  label: string;
  results: JobResult[];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const f = (x: number) => (Math.round(x * 10) / 10).toString();

/** Line chart of pass@k against k, one line per run. */
function passkChart(benchmark: string, series: Array<{ label: string; table: PassAtK }>): string {
  const W = 420;
  const H = 260;
  const m = { l: 48, r: 12, t: 28, b: 36 };
  const maxK = Math.max(1, ...series.map((s) => s.table.min_n));
  const x = (k: number) => m.l + (maxK === 1 ? (W - m.l - m.r) / 2 : ((k - 1) / (maxK - 1)) * (W - m.l - m.r));
  const y = (v: number) => H - m.b - v * (H - m.t - m.b);
  const parts: string[] = [];
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${f(y(t))}" y2="${f(y(t))}" stroke="#ddd"/>`);
    parts.push(`<text x="${m.l - 6}" y="${f(y(t) + 4)}" text-anchor="end" font-size="11">${t * 100}%</text>`);
  }
  const ticks = maxK <= 10 ? Array.from({ length: maxK }, (_, i) => i + 1) : [1, ...[0.25, 0.5, 0.75, 1].map((q) => Math.max(1, Math.round(q * maxK)))];
  for (const k of [...new Set(ticks)]) parts.push(`<text x="${f(x(k))}" y="${H - m.b + 16}" text-anchor="middle" font-size="11">${k}</text>`);
  parts.push(`<text x="${(W + m.l) / 2}" y="${H - 4}" text-anchor="middle" font-size="11">k</text>`);
  series.forEach((s, i) => {
    const pts = Object.entries(s.table.pass_at_k).map(([k, v]) => [x(Number(k)), y(v)] as const);
    const c = COLORS[i % COLORS.length]!;
    if (pts.length > 1) parts.push(`<polyline class="series" fill="none" stroke="${c}" stroke-width="2" points="${pts.map(([a, b]) => `${f(a)},${f(b)}`).join(' ')}"/>`);
    for (const [a, b] of pts.length <= 20 ? pts : [pts[0]!, pts[pts.length - 1]!]) parts.push(`<circle class="point" cx="${f(a)}" cy="${f(b)}" r="3" fill="${c}"/>`);
    parts.push(`<rect x="${m.l + 8}" y="${m.t + 4 + i * 14}" width="10" height="10" fill="${c}"/><text x="${m.l + 22}" y="${m.t + 13 + i * 14}" font-size="11">${esc(s.label)}</text>`);
  });
  return svg('passk', `pass@k — ${benchmark}`, W, H, parts);
}

/** Forest plot: Δpass@1 per benchmark and domain with 95% CIs. */
function deltaChart(c: Comparison): string {
  const rows = [
    ...c.benchmarks.map((b) => ({ name: b.benchmark + (b.domain ? ` (${b.domain})` : ''), d: b.delta, ci: b.ci95, p: b.p, bold: false })),
    ...[...c.domains, c.overall].map((d) => ({ name: d.domain, d: d.delta, ci: d.ci95, p: d.cmh.p, bold: true })),
  ];
  const W = 640;
  const rowH = 24;
  const m = { l: 220, r: 110, t: 28, b: 30 };
  const H = m.t + m.b + rows.length * rowH;
  const lo = Math.min(-0.05, ...rows.map((r) => r.ci[0]));
  const hi = Math.max(0.05, ...rows.map((r) => r.ci[1]));
  const x = (v: number) => m.l + ((v - lo) / (hi - lo)) * (W - m.l - m.r);
  const parts: string[] = [`<line x1="${f(x(0))}" x2="${f(x(0))}" y1="${m.t - 6}" y2="${H - m.b}" stroke="#888" stroke-dasharray="4 3"/>`];
  for (const t of [lo, (lo + hi) / 2, hi, 0]) parts.push(`<text x="${f(x(t))}" y="${H - m.b + 16}" text-anchor="middle" font-size="11">${(t * 100).toFixed(1)}</text>`);
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 2}" text-anchor="middle" font-size="11">Δpass@1 (points), 95% CI</text>`);
  rows.forEach((r, i) => {
    const cy = m.t + i * rowH + rowH / 2;
    const col = r.ci[0] > 0 ? '#2ca02c' : r.ci[1] < 0 ? '#d62728' : '#555';
    parts.push(`<text x="${m.l - 8}" y="${f(cy + 4)}" text-anchor="end" font-size="12"${r.bold ? ' font-weight="bold"' : ''}>${esc(r.name)}</text>`);
    parts.push(`<line class="ci" x1="${f(x(r.ci[0]))}" x2="${f(Math.max(x(r.ci[1]), x(r.ci[0]) + 1))}" y1="${f(cy)}" y2="${f(cy)}" stroke="${col}" stroke-width="2"/>`);
    parts.push(`<rect class="estimate" x="${f(x(r.d) - 4)}" y="${f(cy - 4)}" width="8" height="8" fill="${col}"/>`);
    parts.push(`<text x="${W - m.r + 8}" y="${f(cy + 4)}" font-size="11">${(r.d * 100).toFixed(1)} p=${r.p < 1e-4 ? r.p.toExponential(1) : r.p.toFixed(3)}</text>`);
  });
  return svg('delta', 'Δpass@1 (RL − base), 95% CI', W, H, parts);
}

/** Stacked bars: where the non-passing samples went, per benchmark and run. */
function reasonsChart(runs: Array<{ label: string; metrics: Metrics }>): string {
  const rows: Array<{ name: string; reasons: Record<string, number> }> = [];
  for (const r of runs) for (const b of r.metrics.benchmarks) rows.push({ name: `${b.benchmark} · ${r.label}`, reasons: b.reasons });
  const kinds = [...new Set(rows.flatMap((r) => Object.keys(r.reasons)))].sort();
  const W = 640;
  const rowH = 22;
  const m = { l: 220, r: 50, t: 28, b: 24 + 16 * Math.ceil(kinds.length / 4) };
  const H = m.t + m.b + Math.max(1, rows.length) * rowH;
  const max = Math.max(1, ...rows.map((r) => Object.values(r.reasons).reduce((a, b) => a + b, 0)));
  const parts: string[] = [];
  rows.forEach((r, i) => {
    const cy = m.t + i * rowH;
    parts.push(`<text x="${m.l - 8}" y="${cy + 15}" text-anchor="end" font-size="12">${esc(r.name)}</text>`);
    let x0 = m.l;
    kinds.forEach((k, j) => {
      const n = r.reasons[k] ?? 0;
      if (!n) return;
      const w = (n / max) * (W - m.l - m.r);
      parts.push(`<rect class="bar" x="${f(x0)}" y="${cy + 3}" width="${f(Math.max(w, 1))}" height="${rowH - 6}" fill="${COLORS[j % COLORS.length]}"><title>${esc(k)}: ${n}</title></rect>`);
      x0 += w;
    });
    const total = Object.values(r.reasons).reduce((a, b) => a + b, 0);
    parts.push(`<text x="${f(x0 + 4)}" y="${cy + 15}" font-size="11">${total}</text>`);
  });
  kinds.forEach((k, j) => {
    const lx = m.l + (j % 4) * 110 - 200;
    const ly = H - m.b + 18 + Math.floor(j / 4) * 16;
    parts.push(`<rect x="${lx + 200}" y="${ly - 9}" width="10" height="10" fill="${COLORS[j % COLORS.length]}"/><text x="${lx + 214}" y="${ly}" font-size="11">${esc(k)}</text>`);
  });
  return svg('reasons', 'Samples not passing, by reason', W, H, parts);
}

function svg(kind: string, title: string, w: number, h: number, parts: string[]): string {
  return (
    `<figure><svg class="chart ${kind}" data-chart="${kind}" xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(title)}">` +
    `<text x="8" y="16" font-size="13" font-weight="bold">${esc(title)}</text>${parts.join('')}</svg></figure>`
  );
}

function passkTable(label: string, b: BenchmarkMetrics): string {
  const ks = Object.keys(b.pass_at_k).filter((k) => ['1', '2', '5', '10', '20', '50', '100'].includes(k) || Number(k) === b.min_n);
  const cells = ks.map((k) => `pass@${k} ${pct(b.pass_at_k[k]!)}`).join(' · ');
  const extra: string[] = [];
  if (b.evalplus) extra.push(`base pass@1 ${pct(b.evalplus.base.pass_at_k['1'] ?? 0)} · plus pass@1 ${pct(b.evalplus.plus.pass_at_k['1'] ?? 0)}`);
  if (b.by_difficulty) extra.push(Object.entries(b.by_difficulty).map(([d, t]) => `${esc(d)} ${pct(t.pass_at_k['1'] ?? 0)} (${t.problems})`).join(' · '));
  if (b.by_window) extra.push(Object.entries(b.by_window).map(([d, t]) => `${esc(d)} ${pct(t.pass_at_k['1'] ?? 0)}`).join(' · '));
  return `<tr><td>${esc(b.benchmark)}</td><td>${esc(label)}</td><td>${b.problems}</td><td>${b.samples}</td><td>${cells}</td><td>${b.infra_errors}</td><td>${b.invalid}</td><td>${extra.join('<br>')}</td></tr>`;
}

export function renderReport(
  runs: ReportRun[],
  opts: { title?: string; comparison?: Comparison; generatedAt?: string; windows?: MetricsOptions['windows'] } = {},
): string {
  const title = opts.title ?? 'verdict evaluation report';
  const ms = runs.map((r) => ({ label: r.label, metrics: computeMetrics(r.results, opts.windows ? { windows: opts.windows } : {}) }));
  const names = [...new Set(ms.flatMap((r) => r.metrics.benchmarks.map((b) => b.benchmark)))].sort();
  const rows = names.flatMap((n) => ms.flatMap((r) => r.metrics.benchmarks.filter((b) => b.benchmark === n).map((b) => passkTable(r.label, b))));
  const charts = names.map((n) =>
    passkChart(
      n,
      ms.flatMap((r) => r.metrics.benchmarks.filter((b) => b.benchmark === n).map((b) => ({ label: r.label, table: b as PassAtK }))),
    ),
  );
  const overall = ms.map((r) => `<li>${esc(r.label)}: ${r.metrics.overall.problems} problems, ${r.metrics.overall.samples} samples, pass@1 ${pct(r.metrics.overall.pass_at_k['1'] ?? 0)}, ${r.metrics.overall.infra_errors} infra errors, ${r.metrics.overall.invalid} bad lines</li>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
.charts{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0;border:1px solid #eee;padding:4px}
.note{color:#666;font-size:12px}
</style></head><body>
<h1>${esc(title)}</h1>
<p class="note">Generated ${esc(opts.generatedAt ?? new Date().toISOString())}. pass@k is the unbiased estimator 1 − C(n−c,k)/C(n,k), averaged over problems, for every k up to the smallest sample count. Infra errors and bad lines are not counted as failures.</p>
<ul>${overall.join('')}</ul>
<h2>pass@k per benchmark</h2>
<div class="charts">${charts.join('')}</div>
<table><thead><tr><th>benchmark</th><th>run</th><th>problems</th><th>samples</th><th>pass@k</th><th>infra</th><th>bad lines</th><th>splits</th></tr></thead><tbody>${rows.join('')}</tbody></table>
${opts.comparison ? `<h2>Δpass@1: ${esc(runs[1]?.label ?? 'RL')} − ${esc(runs[0]?.label ?? 'base')}</h2><div class="charts">${deltaChart(opts.comparison)}</div><p class="note">CIs: paired bootstrap over problems. p: paired permutation test per benchmark; Cochran–Mantel–Haenszel across the benchmarks of a domain (bold rows; Δ of a domain = mean of its benchmarks).</p>` : ''}
<h2>Failure reasons</h2>
<div class="charts">${reasonsChart(ms)}</div>
</body></html>
`;
}
