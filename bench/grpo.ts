// Bench (issue 16 item 5): a GRPO reward load over mixed benchmarks, beside
// the official harnesses' throughput on the same programs, in one run.
//
// verdict runs in-process (createApp) as a trainer would run it: result cache
// ON, so identical completions are graded once (cache and single-flight).
// `--clients` concurrent trainer clients (64) each send `--groups` GRPO groups
// one after another to POST /v1/grade/batch (NDJSON): 8 completions for one
// prompt, drawn from 4 answers (correct, the same reformatted, wrong,
// crashing; weights .45/.2/.2/.15), tagged per group so that groups never
// share a cache entry. The groups cycle through the kinds:
//   humaneval      HumanEval (../shared/benchmarks/humaneval), completions = bodies
//   mbpp-plus      MBPP+ v0.2.0 (../shared/benchmarks/mbpp), graded on base+plus
//                  inputs; the reference outputs of the problems drawn are
//                  calibrated before the timed run (reported apart)
//   livecodebench  LiveCodeBench-style stdin: the CodeContests Codeforces rows
//                  we hold Python solutions for, written as LiveCodeBench rows
//                  (as bench/stdin-official.ts does)
//   codeforces     the same problems' C++ solutions through the codeforces judge
// Phases: (1) the mixed load, (2) unless --skip-solo, each kind's groups alone
// through verdict (fresh tags, same load shape), (3) unless --skip-official,
// every completion of phase 1 (no dedup) through each kind's official side,
// `--workers` at a time (2, as bench/humaneval-official.ts compares):
//   humaneval      openai/human-eval check_correctness (--official-humaneval DIR)
//   livecodebench  LiveCodeBench evaluate_generations (--official-lcb DIR)
//   codeforces     host g++ with the judge's flags and <bits/stdc++.h>
//                  precompiled, then the tests run bare up to the first failure
//                  (no official harness exists for this; it is the bare minimum)
//   mbpp-plus      NOT official: EvalPlus cannot run on this machine (no Debian
//                  package, PyPI unreachable, no checkout to run it from). In
//                  its place two bare runners (bench/official.ts mbppBare),
//                  host python3 per completion: a differential one (the
//                  completion on every base+plus input against the canonical
//                  outputs computed beforehand, up to the first mismatch; the
//                  figure the ratio uses) and the row's original MBPP asserts
//                  (prompt + completion + `assertion`; less work than EvalPlus).
// The official harnesses are not part of this repository: each runs from a
// checkout outside it (see bench/official.ts).
//
//   npx tsx bench/grpo.ts [--clients 64] [--groups 1] [--kinds humaneval,mbpp-plus,livecodebench,codeforces]
//       [--workers 2] [--concurrency CPUs] [--official-humaneval /tmp/human-eval] [--official-lcb /tmp/LiveCodeBench]
//       [--lcb-python /usr/bin/python3] [--skip-solo] [--skip-official] [--seed 1]
// Writes bench/results/grpo-<stamp>.json. Exits 1 if any grade was an
// infra_error or any request was not answered 200.
//
// Size: the default, 64 clients × 1 group (64 groups, 512 completions, 16 per
// kind), is meant for about 10 minutes on a quiet 2-core machine. That is an
// extrapolation from runs of 4 and 8 groups (8 groups took 4 min 15 s at load
// 7-9, of which verdict mixed 54 s, verdict solo 51 s, the official side 98 s),
// not a measured full run. The C++ kind dominates (a bare compile per
// completion; one problem has 138 tests); --skip-solo saves about a quarter.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createApp } from '../src/app.js';
import { codeforces } from '../src/benchmarks/codeforces/benchmark.js';
import { humaneval } from '../src/benchmarks/humaneval/benchmark.js';
import { livecodebench } from '../src/benchmarks/livecodebench/benchmark.js';
import { mbppPlus } from '../src/benchmarks/evalplus/mbpp-plus.js';
import { parsePythonJson } from '../src/benchmarks/raw-json.js';
import { loadConfig } from '../src/config.js';
import { SOLUTIONS } from '../test/fixtures/codeforces/solutions.js';
import { loadavg, pct, readNdjson, writeResult } from './lib.js';
import {
  bareCpp,
  humanevalOfficial,
  isHumanEvalCheckout,
  isLcbCheckout,
  lcbOfficial,
  mbppBare,
  pool,
  prepareCppPch,
  solvedCodeContests,
  writeLcbRows,
  type PoolRun,
  type StdinTest,
} from './official.js';
import type { ProblemRecord } from '../src/domain.js';

const ALL_KINDS = ['humaneval', 'mbpp-plus', 'livecodebench', 'codeforces'] as const;
type Kind = (typeof ALL_KINDS)[number];
const isKind = (k: string): k is Kind => (ALL_KINDS as readonly string[]).includes(k);

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '64' },
    groups: { type: 'string', default: '1' },
    kinds: { type: 'string', default: ALL_KINDS.join(',') },
    workers: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: String(os.availableParallelism()) },
    'official-humaneval': { type: 'string', default: '/tmp/human-eval' },
    'official-lcb': { type: 'string', default: '/tmp/LiveCodeBench' },
    'lcb-python': { type: 'string', default: '/usr/bin/python3' },
    'humaneval-data': { type: 'string' },
    'mbpp-plus-data': { type: 'string' },
    'codeforces-data': { type: 'string' },
    'skip-solo': { type: 'boolean', default: false },
    'skip-official': { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
  },
});
const clients = Number(values.clients);
const groupsPerClient = Number(values.groups);
const workers = Number(values.workers);
const concurrency = Number(values.concurrency);
const GROUP = 8;
const WEIGHTS = [0.45, 0.2, 0.2, 0.15];
const shared = path.resolve(import.meta.dirname, '..', '..', 'shared', 'benchmarks');
const files: Record<Kind, string> = {
  humaneval: values['humaneval-data'] ?? path.join(shared, 'humaneval', 'HumanEval.jsonl.gz'),
  'mbpp-plus': values['mbpp-plus-data'] ?? path.join(shared, 'mbpp', 'MbppPlus.jsonl.gz'),
  livecodebench: values['codeforces-data'] ?? path.join(shared, 'codeforces', 'code-contests-test-codeforces.jsonl'),
  codeforces: values['codeforces-data'] ?? path.join(shared, 'codeforces', 'code-contests-test-codeforces.jsonl'),
};
const notes: string[] = [];
const asked = values.kinds.split(',').map((k) => k.trim());
for (const k of asked) {
  if (!isKind(k)) {
    console.error(`unknown kind ${k} (kinds: ${ALL_KINDS.join(', ')})`);
    process.exit(2);
  }
}
const kinds = (asked as Kind[]).filter((k) => {
  if (fs.existsSync(files[k])) return true;
  const why = `${k}: no data at ${files[k]}; kind skipped`;
  console.error(why);
  notes.push(why);
  return false;
});
if (kinds.length === 0) process.exit(2);
if (clients * groupsPerClient < kinds.length) {
  console.error(`${clients * groupsPerClient} groups cannot cover ${kinds.length} kinds: raise --clients or --groups`);
  process.exit(2);
}

// ------------------------------------------------------------------ problems

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-bench-grpo-'));
const pools: Partial<Record<Kind, ProblemRecord[]>> = {};
if (kinds.includes('humaneval')) pools.humaneval = (await humaneval.read(files.humaneval, {})).problems;
if (kinds.includes('mbpp-plus')) pools['mbpp-plus'] = (await mbppPlus.read(files['mbpp-plus'], {})).problems;
const stdin = kinds.includes('livecodebench') || kinds.includes('codeforces') ? solvedCodeContests(files.codeforces) : undefined;
const lcbFile = path.join(scratch, 'lcb.jsonl');
if (stdin) {
  writeLcbRows(lcbFile, stdin.ids, stdin.rows);
  if (kinds.includes('livecodebench')) pools.livecodebench = (await livecodebench.read(lcbFile, {})).problems;
  if (kinds.includes('codeforces')) pools.codeforces = (await codeforces.read(files.codeforces, {})).problems.filter((p) => stdin.ids.includes(p.id));
}
const testsOf = (kind: Kind, problemId: string): StdinTest[] => stdin!.rows.get(kind === 'livecodebench' ? problemId.replace(/^cc/, '') : problemId)!.tests;

type HumanEvalHidden = { canonical_solution: string; entry_point: string; test: string };
type MbppHidden = { canonical_solution: string; entry_point: string; task_json: string };
const fence = (lang: string, code: string) => '```' + lang + '\n' + code + '\n```';

/** One answer: what verdict is sent, and the program the official side is given for it. */
interface Answer {
  completion: string;
  official: string;
  correct: boolean;
}

/** The 4 distinct answers of a group for problem p, tagged with the group's tag. */
function answers(kind: Kind, p: ProblemRecord, tag: string): Answer[] {
  const both = (code: string, correct: boolean, lang?: string): Answer => ({ completion: lang ? fence(lang, code) : code, official: code, correct });
  switch (kind) {
    case 'humaneval': {
      const h = p.hidden as HumanEvalHidden;
      const t = `    # ${tag}\n`;
      return [both(h.canonical_solution + t, true), both(t + h.canonical_solution, true), both(t + '    return None\n', false), both(t + '    raise ValueError("no")\n', false)];
    }
    case 'mbpp-plus': {
      const h = p.hidden as MbppHidden;
      const t = `# ${tag}\n`;
      return [
        both(h.canonical_solution + '\n' + t, true),
        both(t + h.canonical_solution, true),
        both(`${t}def ${h.entry_point}(*args, **kwargs):\n    return None\n`, false),
        both(`${t}def ${h.entry_point}(*args, **kwargs):\n    raise ValueError("no")\n`, false),
      ];
    }
    case 'livecodebench': {
      const sol = SOLUTIONS[p.id.replace(/^cc/, '')]!.python;
      const t = `# ${tag}\n`;
      return [both(sol + '\n' + t, true, 'python'), both(t + sol, true, 'python'), both(`${t}import sys\nsys.stdin.read()\nprint(-1)\n`, false, 'python'), both(`${t}raise ValueError("no")\n`, false, 'python')];
    }
    case 'codeforces': {
      const sol = SOLUTIONS[p.id]!.cpp;
      const t = `// ${tag}\n`;
      return [
        both(sol + '\n' + t, true, 'cpp'),
        both(t + sol, true, 'cpp'),
        both(`${t}#include <cstdio>\nint main() { puts("-1"); }\n`, false, 'cpp'),
        both(`${t}#include <cstdlib>\nint main() { std::abort(); }\n`, false, 'cpp'),
      ];
    }
  }
}

// deterministic sampling
let state = Number(values.seed) >>> 0 || 1;
const rand = () => {
  state = (state * 1664525 + 1013904223) >>> 0;
  return state / 2 ** 32;
};
const pick = (): number => {
  let x = rand();
  for (let i = 0; i < WEIGHTS.length; i++) if ((x -= WEIGHTS[i]!) < 0) return i;
  return 0;
};

interface Group {
  kind: Kind;
  problem: ProblemRecord;
  /** the problem and the 8 samples' answer indices: phases re-tag the same draw */
  samples: number[];
}
/** The groups, kinds interleaved so every kind is in flight at once. */
const draw: Group[] = Array.from({ length: clients * groupsPerClient }, (_, g) => {
  const kind = kinds[g % kinds.length]!;
  const ps = pools[kind]!;
  return { kind, problem: ps[Math.floor(rand() * ps.length)]!, samples: Array.from({ length: GROUP }, pick) };
});
const itemsOf = (g: Group, tag: string): Answer[] => {
  const a = answers(g.kind, g.problem, tag);
  return g.samples.map((i) => a[i]!);
};

// ------------------------------------------------------------------ service

const dataDir = path.join(scratch, 'data');
const config = loadConfig(process.env, {
  dataDir,
  port: 0,
  concurrency,
  warm: concurrency,
  instance: process.env.VERDICT_TEST_PREFIX ? `${process.env.VERDICT_TEST_PREFIX}bench-grpo` : 'bench-grpo',
});
const app = await createApp(config, { log: pino({ level: 'warn' }) });
for (const k of kinds) app.store.importVersion({ name: k, version: 'bench', source: k === 'livecodebench' ? lcbFile : files[k], sha256: '-' }, pools[k]!);
const address = await app.server.listen({ host: '127.0.0.1', port: 0 });

interface GroupResult {
  kind: Kind;
  started: number;
  ended: number;
  http: number;
  statuses: string[];
  cached: number;
  completionMs: number[];
  distinct: number;
  expected: number;
}

/** One group: POST /v1/grade/batch, NDJSON; latency = request start → each line, and the last line for the group. */
async function postGroup(kind: Kind, problemId: string, items: Answer[], opts: { cache: boolean; format?: 'json' }): Promise<GroupResult> {
  const started = performance.now();
  const res = await fetch(`${address}/v1/grade/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      benchmark: kind,
      ...(opts.format ? { format: opts.format } : {}),
      options: { version: 'bench', cache: opts.cache },
      items: items.map((a) => ({ problem_id: problemId, completion: a.completion })),
    }),
  });
  const r: GroupResult = { kind, started, ended: started, http: res.status, statuses: [], cached: 0, completionMs: [], distinct: new Set(items.map((a) => a.completion)).size, expected: items.filter((a) => a.correct).length };
  if (res.status !== 200) {
    console.error(`${kind} ${problemId}: HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
    r.ended = performance.now();
    return r;
  }
  const take = (v: { status: string; cached?: boolean; detail?: string }) => {
    r.statuses.push(v.status);
    if (v.cached === true) r.cached++;
    r.completionMs.push(performance.now() - started);
    if (v.status === 'infra_error') console.error(`${kind} ${problemId}: infra_error ${v.detail ?? ''}`);
  };
  if (opts.format === 'json') {
    for (const v of ((await res.json()) as { results: Array<{ status: string; cached?: boolean }> }).results) take(v);
  } else {
    await readNdjson(res, take);
  }
  r.ended = performance.now();
  return r;
}

/** `clients` clients, each taking the next group until none is left. */
async function serviceRun(groups: Group[], phase: string): Promise<GroupResult[]> {
  const out: GroupResult[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < groups.length) {
        const g = draw.indexOf(groups[next]!);
        const group = groups[next++]!;
        out.push(await postGroup(group.kind, group.problem.id, itemsOf(group, `grpo ${phase} group ${g}`), { cache: true }));
      }
    }),
  );
  return out;
}

/** Containers created so far, per image, from GET /healthz's pool stats. */
async function containersCreated(): Promise<Record<string, number>> {
  const body = (await (await fetch(`${address}/healthz`)).json()) as { pools?: Array<{ image: string; created: number }> };
  const out: Record<string, number> = {};
  for (const p of body.pools ?? []) out[p.image] = (out[p.image] ?? 0) + p.created;
  return out;
}
/** What a phase cost in containers: created during it, per image. */
async function phase<T>(run: () => Promise<T>): Promise<{ value: T; containers_created: Record<string, number> }> {
  const before = await containersCreated();
  const value = await run();
  const after = await containersCreated();
  return { value, containers_created: Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)])) };
}

const r1 = (x: number) => +x.toFixed(1);
function summary(rs: GroupResult[]) {
  const t0 = Math.min(...rs.map((r) => r.started));
  const wall = (Math.max(...rs.map((r) => r.ended)) - t0) / 1000;
  const completions = rs.reduce((n, r) => n + r.statuses.length, 0);
  const distinct = rs.reduce((n, r) => n + r.distinct, 0);
  const statuses: Record<string, number> = {};
  const http: Record<number, number> = {};
  for (const r of rs) {
    http[r.http] = (http[r.http] ?? 0) + 1;
    for (const s of r.statuses) statuses[s] = (statuses[s] ?? 0) + 1;
  }
  const groupMs = rs.map((r) => r.ended - r.started);
  const compMs = rs.flatMap((r) => r.completionMs);
  return {
    groups: rs.length,
    completions,
    distinct_programs: distinct,
    cached_answers: rs.reduce((n, r) => n + r.cached, 0),
    passed: statuses.pass ?? 0,
    expected_passes: rs.reduce((n, r) => n + r.expected, 0),
    infra_errors: statuses.infra_error ?? 0,
    statuses,
    http_status: http,
    wall_s: +wall.toFixed(2),
    completions_per_s: +(completions / wall).toFixed(2),
    distinct_programs_per_s: +(distinct / wall).toFixed(2),
    group_p50_ms: r1(pct(groupMs, 0.5)),
    group_p90_ms: r1(pct(groupMs, 0.9)),
    group_p99_ms: r1(pct(groupMs, 0.99)),
    completion_p50_ms: r1(pct(compMs, 0.5)),
    completion_p99_ms: r1(pct(compMs, 0.99)),
  };
}
type Summary = ReturnType<typeof summary>;
const byKind = (rs: GroupResult[]): Partial<Record<Kind, Summary>> => Object.fromEntries(kinds.map((k) => [k, summary(rs.filter((r) => r.kind === k))]));

// ------------------------------------------------------------------ run

const load_start = loadavg();
console.log(`grpo: ${draw.length} groups of ${GROUP} (${kinds.join(', ')}), ${clients} clients, sandbox concurrency ${concurrency}; load ${load_start.join(' ')}`);

// warm-up: containers of both images, and MBPP+'s reference outputs for the problems drawn (as a trainer's service has them)
for (const k of kinds) {
  const p = pools[k]!.find((q) => draw.some((g) => g.problem === q)) ?? pools[k]![0]!;
  await postGroup(k, p.id, [answers(k, p, 'warm-up')[0]!], { cache: false, format: 'json' });
}
let calibration: { problems: number; wall_s: number } | undefined;
if (kinds.includes('mbpp-plus')) {
  const ps = [...new Set(draw.filter((g) => g.kind === 'mbpp-plus').map((g) => g.problem))];
  const t = performance.now();
  await Promise.all(ps.map((p) => postGroup('mbpp-plus', p.id, [answers('mbpp-plus', p, 'calibration')[0]!], { cache: false, format: 'json' })));
  calibration = { problems: ps.length, wall_s: +((performance.now() - t) / 1000).toFixed(2) };
  console.log('mbpp-plus calibration', JSON.stringify(calibration));
}

const mixedPhase = await phase(() => serviceRun(draw, 'mixed'));
const mixed = mixedPhase.value;
const mixedSummary = { overall: summary(mixed), per_kind: byKind(mixed), containers_created: mixedPhase.containers_created };
console.log('verdict mixed', JSON.stringify(mixedSummary.overall));
for (const k of kinds) console.log(`  ${k}`, JSON.stringify(mixedSummary.per_kind[k]));

let solo: Partial<Record<Kind, Summary & { containers_created: Record<string, number> }>> | undefined;
if (!values['skip-solo']) {
  solo = {};
  for (const k of kinds) {
    const r = await phase(() => serviceRun(draw.filter((g) => g.kind === k), 'solo'));
    solo[k] = { ...summary(r.value), containers_created: r.containers_created };
    console.log(`verdict solo ${k}`, JSON.stringify(solo[k]));
  }
}

// ------------------------------------------------------------------ official side

interface OfficialRun extends PoolRun {
  harness: string;
  official: boolean;
}
const official: Partial<Record<Kind, OfficialRun | { skipped: string }>> = {};
let mbppAsserts: OfficialRun | undefined;
if (!values['skip-official']) {
  const jobsOf = (k: Kind) =>
    draw
      .map((g, i) => ({ g, i }))
      .filter(({ g }) => g.kind === k)
      .flatMap(({ g, i }) => itemsOf(g, `grpo mixed group ${i}`).map((a) => ({ problem: g.problem, code: a.official })));
  const timed = async <J>(jobs: J[], run: (j: J) => Promise<boolean>): Promise<PoolRun> => {
    const t = performance.now();
    const ok = await pool(jobs, workers, run);
    const wall = (performance.now() - t) / 1000;
    return { passed: ok.filter(Boolean).length, n: jobs.length, wall_s: +wall.toFixed(2), per_s: +(jobs.length / wall).toFixed(2) };
  };
  for (const k of kinds) {
    const jobs = jobsOf(k);
    let run: OfficialRun | { skipped: string };
    if (k === 'humaneval') {
      const dir = values['official-humaneval'];
      run = isHumanEvalCheckout(dir)
        ? {
            harness: `openai/human-eval check_correctness (timeout 3.0), ThreadPoolExecutor of ${workers}`,
            official: true,
            ...(await humanevalOfficial(dir, pools.humaneval!, scratch).pool(
              workers,
              jobs.map((j) => ({ task_id: j.problem.id, completion: j.code })),
            )),
          }
        : { skipped: `no openai/human-eval checkout at ${dir} (--official-humaneval)` };
    } else if (k === 'livecodebench') {
      const dir = values['official-lcb'];
      run = isLcbCheckout(dir)
        ? {
            harness: `LiveCodeBench evaluate_generations (timeout 6), ${workers} processes`,
            official: true,
            ...(await lcbOfficial(dir, lcbFile, scratch, values['lcb-python']).evaluate(
              jobs.map((j) => ({ qid: j.problem.id, code: j.code })),
              workers,
            )),
          }
        : { skipped: `no LiveCodeBench checkout at ${dir} (--official-lcb)` };
    } else if (k === 'codeforces') {
      const pchDir = prepareCppPch(scratch);
      run = {
        harness: `bare judge: host g++ (judge flags, <bits/stdc++.h> precompiled) then each test up to the first failure, ${workers} at a time`,
        official: false,
        ...(await timed(jobs, async (j) => (await bareCpp(j.code, testsOf(k, j.problem.id), { scratch, pchDir, stopOnFail: true, timeoutMs: 10_000 })).ok)),
      };
    } else {
      const ps = [...new Set(jobs.map((j) => j.problem))];
      const bare = mbppBare(
        ps.map((p) => {
          const taskJson = (p.hidden as MbppHidden).task_json;
          return { id: p.id, prompt: p.prompt, taskJson, assertion: String((parsePythonJson(taskJson) as { assertion?: string }).assertion ?? '') };
        }),
        scratch,
      );
      const asserts = await timed(jobs, (j) => bare.asserts(j.problem.id, j.code));
      mbppAsserts = { harness: `NOT official: host python3 running prompt + completion + the row's original MBPP asserts, ${workers} at a time`, official: false, ...asserts };
      console.log('bare mbpp-plus asserts', JSON.stringify(mbppAsserts));
      try {
        const unprepared = await bare.prepare();
        if (unprepared.length > 0) notes.push(`mbpp-plus bare differential: no canonical outputs for ${unprepared.join(', ')}; those problems were run by their asserts`);
        run = {
          harness: `NOT official (EvalPlus cannot run here): bare differential runner, host python3 per completion calling it on every base+plus input against the canonical outputs (computed beforehand), up to the first mismatch, ${workers} at a time`,
          official: false,
          ...(await timed(jobs, (j) => bare.differential(j.problem.id, j.code))),
        };
      } catch (e) {
        const why = `mbpp-plus bare differential runner unavailable: ${(e as Error).message.slice(0, 300)}`;
        console.error(why);
        notes.push(why);
        run = mbppAsserts;
      }
    }
    official[k] = run;
    console.log(`official ${k}`, JSON.stringify(run));
  }
}

// ------------------------------------------------------------------ result

const ratios: Record<string, unknown> = {};
let officialWall = 0;
let officialN = 0;
for (const k of kinds) {
  const o = official[k];
  if (!o || 'skipped' in o) continue;
  officialWall += o.wall_s;
  officialN += o.n;
  ratios[k] = {
    ...(solo?.[k] ? { verdict_solo_vs_official: +(solo[k].completions_per_s / o.per_s).toFixed(2) } : {}),
    verdict_in_mix_vs_official: +(mixedSummary.per_kind[k]!.completions_per_s / o.per_s).toFixed(2),
    official_is_official: o.official,
  };
}
const allOfficial = kinds.every((k) => {
  const o = official[k];
  return o && !('skipped' in o);
});
if (allOfficial) {
  // the same completions, one harness after another (official where one runs here, bare elsewhere), against the mixed load
  ratios.overall_mixed_vs_harnesses_one_after_another = +(mixedSummary.overall.completions_per_s / (officialN / officialWall)).toFixed(2);
  ratios.harnesses_one_after_another = { n: officialN, wall_s: +officialWall.toFixed(2), per_s: +(officialN / officialWall).toFixed(2), includes_bare: kinds.filter((k) => k === 'mbpp-plus' || k === 'codeforces') };
}
if (solo) {
  // the mix against the same groups sent one kind after another
  const soloN = Object.values(solo).reduce((n, x) => n + x.completions, 0);
  const soloWall = Object.values(solo).reduce((n, x) => n + x.wall_s, 0);
  ratios.overall_mixed_vs_solo_one_after_another = +(mixedSummary.overall.completions_per_s / (soloN / soloWall)).toFixed(2);
}
const infra = mixedSummary.overall.infra_errors + Object.values(solo ?? {}).reduce((n, s) => n + s.infra_errors, 0);
const non200 = [mixedSummary.overall, ...Object.values(solo ?? {})].reduce((n, s) => n + Object.entries(s.http_status).filter(([c]) => c !== '200').reduce((m, [, v]) => m + v, 0), 0);

const result = {
  bench: 'grpo',
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, mem_gb: Math.round(os.totalmem() / 2 ** 30) },
  load_start,
  load_end: loadavg(),
  setup: {
    clients,
    groups_per_client: groupsPerClient,
    groups: draw.length,
    group_size: GROUP,
    kinds,
    problems_drawn: Object.fromEntries(kinds.map((k) => [k, draw.filter((g) => g.kind === k).map((g) => g.problem.id)])),
    variant_weights: { correct: WEIGHTS[0], reformatted_correct: WEIGHTS[1], wrong: WEIGHTS[2], crashing: WEIGHTS[3] },
    sandbox_concurrency: concurrency,
    official_workers: workers,
    runtime: config.runtime,
    cache: 'on',
  },
  mbpp_plus_calibration: calibration ?? null,
  verdict_mixed: mixedSummary,
  verdict_solo: solo ?? null,
  official,
  mbpp_plus_bare_asserts: mbppAsserts ?? null,
  ratios,
  infra_errors: infra,
  non_200_requests: non200,
  notes: [
    ...notes,
    'verdict figures count every completion (8 per group); distinct_programs = distinct completions per group, summed: what verdict runs, the cache and single-flight answering the repeats. The official side runs every completion (no dedup), one kind after another, after the verdict phases (the service idle, its warm containers still up).',
    'group latency = request start → the last NDJSON line of the group, with all clients queueing on the sandbox slots (one FIFO for every kind: in the mix a HumanEval group waits behind C++ compiles); in the mix, a kind\'s completions_per_s is over its own span while sharing the machine with the other kinds, so the per-kind ratio that compares like with like is verdict_solo_vs_official.',
    'mbpp-plus: EvalPlus (the official evaluator) cannot run on this machine: no Debian package, PyPI is unreachable, and no checkout of it is at hand. Its figure is a bare runner, NOT official: host python3 per completion calling it on every base+plus input against the canonical outputs computed beforehand (JSON inputs without EvalPlus\'s per-task deserialisation; floats by == or atol), up to the first mismatch; mbpp_plus_bare_asserts is the lighter prompt + completion + the original MBPP asserts. MBPP+ reference outputs are calibrated before the timed run (mbpp_plus_calibration).',
    'codeforces: there is no official harness; the bare judge (host g++ with the judge flags and a precompiled <bits/stdc++.h>, tests run unsandboxed up to the first failure) is the bare minimum a judge does.',
  ],
};
writeResult('grpo', result);
await app.close();
fs.rmSync(scratch, { recursive: true, force: true });
if (infra > 0 || non200 > 0) {
  console.error(`FAILED: ${infra} infra_error grades, ${non200} requests not answered 200`);
  process.exit(1);
}
