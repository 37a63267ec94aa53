// Bench + conformance: the 450 controls of Aider Polyglot (each exercise's
// reference solution, and its untouched stub) graded through the service,
// compared with what aider's own harness gives (benchmarks.md §7,
// polyglot-offline.md), with per-language grade times.
// Writes bench/results/polyglot-<stamp>.json (rewritten as results come in).
//
//   npx tsx bench/polyglot.ts [--data /tmp/polyglot] [--concurrency 2] [--lang go,rust] [--ids java/bowling,…] [--cold]
//
// --data is a work tree of Aider-AI/polyglot-benchmark (not in /work/shared).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import pino from 'pino';
import { createApp } from '../src/app.js';
import { CPP_CACHE, LANGUAGE_SPECS, LANGUAGES } from '../src/benchmarks/polyglot/languages.js';
import { PolyglotHiddenSchema } from '../src/benchmarks/polyglot/read.js';
import { polyglot } from '../src/benchmarks/polyglot/benchmark.js';
import { loadConfig } from '../src/config.js';
import { fillVolumes } from '../src/sandbox/volumes.js';
import type { Verdict } from '../src/schemas.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '/tmp/polyglot' },
    concurrency: { type: 'string', default: '2' },
    lang: { type: 'string' },
    ids: { type: 'string' },
    cold: { type: 'boolean', default: false },
    // C++ only: every control also graded with an empty cache (a scratch volume), side by side
    'cache-ab': { type: 'boolean', default: false },
  },
});
const concurrency = Number(values.concurrency);
const langs = values.lang ? values.lang.split(',') : [...LANGUAGES];

// Where the official harness itself gives the "wrong" answer (see polyglot-offline.md).
const STUB_PASSES = new Set(['go/counter', 'go/ledger', 'go/markdown', 'javascript/ledger', 'java/ledger', 'java/tree-building']);
const REFERENCE_FAILS = new Set(['rust/alphametics', 'rust/decimal', 'rust/grep', 'rust/pig-latin', 'rust/poker', 'rust/robot-name']);
const INFRA = new Set(['java/hangman']);

const { problems, version } = await polyglot.read(values.data, {});
const ids = values.ids?.split(',');
const selected = problems.filter((p) => langs.includes(String(p.public.language)) && (!ids || ids.includes(p.id)));
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-bench-'));
const config = loadConfig(process.env, { dataDir, port: 0, concurrency, warm: 0, prewarm: false, cacheEntries: 0, instance: `bench-polyglot-${process.pid}` });
// (an instance removes its own leftovers at start: concurrent benches need their own names)
const app = await createApp(config, { log: pino({ level: 'warn' }) });
app.store.importVersion({ name: 'polyglot', version, source: values.data, sha256: '-' }, problems);
// as `verdict import` does: Catch2's main into the read-only C++ compiler cache (--cold: none, the volume is removed)
if (values.cold) await new Docker().getVolume(CPP_CACHE.name).remove().catch(() => undefined);
const COLD = { ...CPP_CACHE, name: `${CPP_CACHE.name}-bench-cold` };
await new Docker().getVolume(COLD.name).remove().catch(() => undefined);
const fillS = values.cold ? null : (await fillVolumes(new Docker(), config.sandboxesDir, polyglot.volumes!(selected), (l) => console.error(l))).reduce((s, r) => s + r.seconds, 0);

type Kind = 'reference' | 'stub';
type Cache = 'warm' | 'cold';
interface Row {
  cache?: Cache;
  id: string;
  language: string;
  kind: Kind;
  status: Verdict['status'];
  reason: Verdict['reason'];
  expected: Verdict['status'];
  ms: number;
  sandbox_ms: number;
  detail?: string;
}
const expected = (id: string, kind: Kind): Verdict['status'] => {
  if (INFRA.has(id)) return 'infra_error';
  if (kind === 'stub') return STUB_PASSES.has(id) ? 'pass' : 'fail';
  return REFERENCE_FAILS.has(id) ? 'fail' : 'pass';
};

const jobs: Array<{ id: string; language: string; kind: Kind; completion: string; cache?: Cache }> = [];
for (const p of selected) {
  const h = PolyglotHiddenSchema.parse(p.hidden);
  const caches: Array<Cache | undefined> = values['cache-ab'] && h.language === 'cpp' ? ['cold', 'warm'] : [undefined];
  for (const cache of caches) {
    jobs.push({ id: p.id, language: h.language, kind: 'reference', completion: JSON.stringify(h.reference), ...(cache ? { cache } : {}) });
    jobs.push({ id: p.id, language: h.language, kind: 'stub', completion: '{}', ...(cache ? { cache } : {}) });
  }
}

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const out = path.join(import.meta.dirname, 'results', `polyglot-${stamp}.json`);
const rows: Row[] = [];
const t0 = performance.now();

const median = (xs: number[]) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor((s.length - 1) / 2)]!);
};
function report() {
  const perLanguage: Record<string, unknown> = {};
  for (const l of langs) {
    const mine = rows.filter((r) => r.language === l);
    const count = (kind: Kind, status: Verdict['status']) => mine.filter((r) => r.kind === kind && r.status === status).length;
    const ms = (kind: Kind) => mine.filter((r) => r.kind === kind && r.status !== 'infra_error').map((r) => r.ms);
    perLanguage[l] = {
      graded: mine.length,
      references: { pass: count('reference', 'pass'), fail: count('reference', 'fail'), infra_error: count('reference', 'infra_error') },
      stubs: { pass: count('stub', 'pass'), fail: count('stub', 'fail'), infra_error: count('stub', 'infra_error') },
      as_official: mine.filter((r) => r.status === r.expected).length,
      median_ms: { reference: median(ms('reference')), stub: median(ms('stub')) },
      ...(values['cache-ab'] && l === 'cpp'
        ? {
            by_cache: Object.fromEntries(
              (['cold', 'warm'] as const).map((c) => {
                const sel = (kind: Kind) => mine.filter((r) => r.cache === c && r.kind === kind).map((r) => r.ms);
                return [c, { reference: median(sel('reference')), stub: median(sel('stub')), all: median([...sel('reference'), ...sel('stub')]) }];
              }),
            ),
          }
        : {}),
      max_ms: Math.round(Math.max(0, ...mine.map((r) => r.ms))),
    };
  }
  const doc = {
    bench: 'polyglot',
    when: new Date().toISOString(),
    machine: { cpus: os.cpus().length, load: os.loadavg().map((x) => Math.round(x * 10) / 10) },
    concurrency,
    benchmark_version: version,
    cache_fill_s: fillS,
    controls: jobs.length,
    done: rows.length,
    wall_s: Math.round((performance.now() - t0) / 1000),
    as_official: rows.filter((r) => r.status === r.expected).length,
    unexpected: rows.filter((r) => r.status !== r.expected).map((r) => ({ id: r.id, kind: r.kind, status: r.status, reason: r.reason, detail: r.detail === undefined ? undefined : withoutSource(r.detail) })),
    per_language: perLanguage,
    rows: rows.map(({ detail: _d, ...r }) => r),
  };
  fs.writeFileSync(out, JSON.stringify(doc, null, 2) + '\n');
  return doc;
}

let next = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < jobs.length) {
      const j = jobs[next++]!;
      // plan() reads the profile at call time: a cold grade mounts an empty scratch volume
      LANGUAGE_SPECS.cpp.profile.volumes = [j.cache === 'cold' ? COLD : CPP_CACHE];
      const t = performance.now();
      const res = await app.server.inject({ method: 'POST', url: '/v1/grade', payload: { benchmark: 'polyglot', problem_id: j.id, completion: j.completion } });
      const v = res.json() as Verdict;
      const row: Row = {
        id: j.id,
        language: j.language,
        kind: j.kind,
        status: v.status,
        reason: v.reason,
        expected: expected(j.id, j.kind),
        ms: performance.now() - t,
        ...(j.cache ? { cache: j.cache } : {}),
        sandbox_ms: v.timings?.sandbox_ms ?? 0,
      };
      if (v.detail) row.detail = v.detail;
      rows.push(row);
      const mark = row.status === row.expected ? 'ok ' : 'BAD';
      console.log(`${mark} ${(j.cache ?? '').padEnd(4)} ${j.kind.padEnd(9)} ${j.id.padEnd(40)} ${v.status}${v.reason ? ` (${v.reason})` : ''} ${(row.ms / 1000).toFixed(1)} s`);
      if (rows.length % 10 === 0) report();
    }
  }),
);
const doc = report();
console.log(JSON.stringify({ ...doc, rows: undefined }, null, 2));
console.log(`wrote ${out}`);
await app.close();

/** A failure's detail without the test runner's source excerpts: results files must not carry the benchmark's tests. */
function withoutSource(detail: string): string {
  return detail
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split('\n')
    .filter((l) => !/^\s*(>\s*)?\d*\s*\|/.test(l))
    .join('\n')
    .slice(-600);
}
