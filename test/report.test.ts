import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRuns } from '../src/eval/compare.js';
import { renderReport } from '../src/eval/report.js';
import { rng } from '../src/eval/stats.js';
import type { JobResult } from '../src/jobs/schemas.js';

const CHROMIUM = process.env.VERDICT_CHROMIUM ?? '/usr/bin/chromium';
const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium) {
  if (process.env.CI) throw new Error(`CI=true but ${CHROMIUM} is absent: scripts/prepare.sh installs Debian's chromium`);
  console.warn(`[skip] ${CHROMIUM} is absent: the report is not rendered (apt-get install chromium)`);
}

/** Two runs over three benchmarks: HumanEval+ with groups, LiveCodeBench with difficulty and dates. */
function runs(): { base: JobResult[]; rl: JobResult[] } {
  const rand = rng(5);
  const base: JobResult[] = [];
  const rl: JobResult[] = [];
  let seq = 0;
  const reasons = ['wrong_answer', 'timeout', 'runtime_error'] as const;
  for (const bench of ['humaneval-plus', 'mbpp', 'livecodebench']) {
    for (let p = 0; p < 40; p++) {
      const q = rand();
      for (let s = 0; s < 10; s++) {
        for (const [out, lift] of [[base, 0], [rl, 0.2]] as const) {
          const pass = rand() < Math.min(1, q + lift);
          const r: JobResult = {
            seq: seq++, line: seq, sub: 0, benchmark: bench, problem_id: `${bench}/${p}`,
            status: pass ? 'pass' : 'fail', reward: pass ? 1 : 0, reason: pass ? null : reasons[p % 3]!,
          };
          if (bench === 'humaneval-plus') r.groups = { base: pass || rand() < 0.3 ? 'pass' : 'fail', plus: pass ? 'pass' : 'fail' };
          if (bench === 'livecodebench') r.meta = { difficulty: ['easy', 'medium', 'hard'][p % 3]!, contest_date: `2024-0${1 + (p % 6)}-15T00:00:00` };
          out.push(r);
        }
      }
    }
  }
  base.push({ seq: seq++, line: seq, sub: 0, benchmark: 'mbpp', problem_id: null, status: 'invalid', reward: 0, reason: null, error: 'not JSON' });
  return { base, rl };
}

describe.skipIf(!hasChromium)('HTML report in headless Chromium', () => {
  let browser: Browser;
  let file: string;

  beforeAll(async () => {
    const { base, rl } = runs();
    const comparison = compareRuns(base, rl, { domains: { 'in-domain': ['humaneval-plus', 'mbpp'], 'out-of-domain': ['livecodebench'] }, reps: 2000 });
    const html = renderReport([{ label: 'base <model>', results: base }, { label: 'rl', results: rl }], { comparison, title: 'Base vs RL' });
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-report-')), 'report.html');
    fs.writeFileSync(file, html);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('renders every chart with visible marks, offline and without errors', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href);
    expect(await page.title()).toBe('Base vs RL');
    // self-contained: the page itself is the only request
    expect(requests).toEqual([pathToFileURL(file).href]);
    expect(errors).toEqual([]);

    const charts = await page.$$eval('svg.chart', (els) =>
      els.map((e) => {
        const box = e.getBoundingClientRect();
        return {
          kind: e.getAttribute('data-chart'),
          label: e.getAttribute('aria-label'),
          w: box.width,
          h: box.height,
          series: e.querySelectorAll('polyline.series').length,
          points: e.querySelectorAll('circle.point').length,
          cis: e.querySelectorAll('line.ci').length,
          estimates: e.querySelectorAll('rect.estimate').length,
          bars: e.querySelectorAll('rect.bar').length,
        };
      }),
    );
    const passk = charts.filter((c) => c.kind === 'passk');
    expect(passk.map((c) => c.label)).toEqual(['pass@k — humaneval-plus', 'pass@k — livecodebench', 'pass@k — mbpp']);
    for (const c of passk) {
      expect(c.w).toBeGreaterThan(300);
      expect(c.h).toBeGreaterThan(200);
      expect(c.series).toBe(2); // one line per run, k = 1..10
      expect(c.points).toBe(20);
    }
    const delta = charts.filter((c) => c.kind === 'delta');
    expect(delta).toHaveLength(1);
    // 3 benchmarks + 2 domains + overall
    expect(delta[0]!.cis).toBe(6);
    expect(delta[0]!.estimates).toBe(6);
    const reasons = charts.filter((c) => c.kind === 'reasons');
    expect(reasons).toHaveLength(1);
    expect(reasons[0]!.bars).toBeGreaterThanOrEqual(6 * 3);

    // the marks are actually painted: every chart is visible and has non-empty pixels
    for (const el of await page.$$('svg.chart')) {
      expect(await el.isVisible()).toBe(true);
      const png = await el.screenshot();
      expect(png.length).toBeGreaterThan(2000);
    }
    // the label was escaped, not injected
    expect(await page.locator('text=base <model>').count()).toBeGreaterThan(0);
    // the positive effect is drawn on the right of the zero line for the in-domain row
    const xs = await page.$$eval('svg.delta line.ci', (ls) => ls.map((l) => Number(l.getAttribute('x1'))));
    const zero = await page.$eval('svg.delta line[stroke-dasharray]', (l) => Number(l.getAttribute('x1')));
    expect(xs.filter((x) => x > zero).length).toBeGreaterThanOrEqual(3);
    await page.close();
  });
});
