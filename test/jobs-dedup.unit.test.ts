import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { humaneval } from '../src/benchmarks/humaneval/benchmark.js';
import { DomainError } from '../src/errors.js';
import type { GradeService, Resolved } from '../src/grading/grader.js';
import { SharedGrades } from '../src/grading/shared-grades.js';
import { JobRunner } from '../src/jobs/runner.js';
import type { Job, JobResult } from '../src/jobs/schemas.js';
import { Admission } from '../src/rl/admission.js';
import { RewardService } from '../src/rl/reward-service.js';
import type { GradeRequest, Verdict } from '../src/schemas.js';
import { JobStore } from '../src/store/jobs.js';
import { ResultCache } from '../src/store/result-cache.js';
import { HUMANEVAL_MINI } from './fixtures/humaneval.js';

// Issue 16.3: a job grades each distinct program once (result cache and
// single-flight, shared with the RL routes, without their admission queue),
// and every line still gets exactly one result. The grader here is a fake
// that counts the programs it is asked to run; test/jobs.test.ts counts real
// sandbox runs.

const log = pino({ level: 'silent' });
const problems = new Map(
  HUMANEVAL_MINI.map((p) => [
    p.task_id,
    { id: p.task_id, prompt: p.prompt, public: { entry_point: p.entry_point }, hidden: { test: p.test, canonical_solution: p.canonical_solution, entry_point: p.entry_point } },
  ]),
);
const canonical = (i: number) => HUMANEVAL_MINI[i]!.canonical_solution;

/** A grader whose runs are counted; a run that starts while `hold` is set waits for it; `infra`: runs to fail on our side, per completion; `return 0` fails. */
class FakeGrader implements GradeService {
  runs: string[] = [];
  running = 0;
  maxRunning = 0;
  infra = new Map<string, number>();
  hold: Promise<void> | undefined;
  delayMs = 20;

  resolve(req: GradeRequest): Resolved {
    const problem = problems.get(req.problem_id);
    if (!problem) throw new DomainError('unknown_problem', `problem '${req.problem_id}' not found`, 'problem_id');
    return { bench: humaneval, version: 'v1', problem, options: humaneval.options.parse({}) };
  }

  async grade(req: GradeRequest, resolved?: Resolved): Promise<Verdict> {
    const r = resolved ?? this.resolve(req);
    const { code } = r.bench.extract(r.problem, req.completion, r.options);
    const hold = this.hold;
    this.runs.push(code);
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      await new Promise((res) => setTimeout(res, this.delayMs));
      if (hold) await hold;
      const left = this.infra.get(req.completion) ?? 0;
      if (left > 0) this.infra.set(req.completion, left - 1);
      const status = left > 0 ? 'infra_error' : code.includes('return 0') ? 'fail' : 'pass';
      return {
        status, reward: status === 'pass' ? 1 : 0, reason: status === 'pass' ? null : status === 'fail' ? 'wrong_answer' : 'sandbox_error',
        retryable: status === 'infra_error', benchmark: 'humaneval', benchmark_version: 'v1', grader_version: humaneval.graderVersion,
        problem_id: r.problem.id, tests: [], extracted_code: code, attempts: 1, timings: { queue_ms: 0, sandbox_ms: this.delayMs, total_ms: this.delayMs },
      };
    } finally {
      this.running -= 1;
    }
  }
}

function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface Rig {
  db: Database.Database;
  store: JobStore;
  grader: FakeGrader;
  shared: SharedGrades;
  runner: JobRunner;
  reward: RewardService;
  admission: Admission;
}

const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.runner.close();
});

function rig(over: { db?: Database.Database; grader?: FakeGrader; concurrency?: number } = {}): Rig {
  let db = over.db;
  if (!db) {
    db = new Database(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-jobs-dedup-')), 'v.sqlite'));
    // as the service's store opens it
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  const grader = over.grader ?? new FakeGrader();
  const shared = new SharedGrades({ cache: new ResultCache(db, 1000), imagesKey: async () => 'images', runtime: 'runc', fingerprint: () => 'fp' });
  const store = new JobStore(db);
  const runner = new JobRunner({ jobs: store, grader, shared, benchmarks: new Map([['humaneval', humaneval]]), log, concurrency: over.concurrency ?? 2, retryDelayMs: 10 });
  runner.start();
  const admission = new Admission(1, 10);
  const reward = new RewardService({ grader, admission, shared, log });
  const r = { db, store, grader, shared, runner, reward, admission };
  rigs.push(r);
  return r;
}

const line = (problem: number, completion: string) => JSON.stringify({ problem_id: `Mini/${problem}`, completion });

async function runJob(r: Rig, lines: string[]): Promise<{ job: Job; results: JobResult[] }> {
  const created = await r.runner.create({ benchmark: 'humaneval', format: 'auto', reply_field: 'response', jsonl: lines.join('\n') });
  await until(() => r.runner.get(created.id)!.state !== 'running', 'the job');
  const results = r.store.results(created.id, -1, 1e6).map((x) => JSON.parse(x.json) as JobResult);
  return { job: r.runner.get(created.id)!, results };
}

describe('jobs grade each distinct program once', () => {
  it('duplicates take the verdict of their twin, every line gets one result, and duplicates do not hold slots', async () => {
    const r = rig();
    // GRPO-like: each program's copies together; 4 distinct programs, 40 lines
    const programs = [[0, canonical(0)], [0, '    return 0\n'], [1, canonical(1)], [2, canonical(2)]] as const;
    const lines = programs.flatMap(([p, c]) => Array.from({ length: 10 }, () => line(p, c)));
    const { job, results } = await runJob(r, lines);
    expect(r.grader.runs).toHaveLength(4);
    expect(new Set(r.grader.runs).size).toBe(4);
    // the two slots ran distinct programs side by side (a duplicate waiting for its twin held none)
    expect(r.grader.maxRunning).toBe(2);
    expect(job).toMatchObject({ state: 'done', total: 40, done: 40, passes: 30, fails: 10, infra_errors: 0 });
    expect(results.map((x) => x.line)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(results.map((x) => x.status)).toEqual(lines.map((_, i) => (i >= 10 && i < 20 ? 'fail' : 'pass')));
    // the line that ran is not marked; its copies are
    for (let g = 0; g < 4; g++) {
      const group = results.slice(g * 10, g * 10 + 10);
      expect(group.filter((x) => !x.cached)).toHaveLength(1);
    }
    // a second job on the same programs is answered from the cache: nothing runs
    const again = await runJob(r, lines.slice(0, 20));
    expect(r.grader.runs).toHaveLength(4);
    expect(again.results.every((x) => x.cached === true)).toBe(true);
    expect(again.job).toMatchObject({ done: 20, passes: 10, fails: 10 });
    // options.cache=false grades every line again
    const created = await r.runner.create({ benchmark: 'humaneval', format: 'auto', reply_field: 'response', jsonl: lines.slice(0, 3).join('\n'), options: { cache: false } });
    await until(() => r.runner.get(created.id)!.state === 'done', 'the uncached job');
    expect(r.grader.runs).toHaveLength(7);
  });

  it('a job and an RL grade of the same program run it once, whichever asked first; jobs skip the RL admission queue', async () => {
    const r = rig();
    const g = gate();
    r.grader.hold = g.wait;
    // the job leads, the trainer's grade joins
    const created = await r.runner.create({ benchmark: 'humaneval', format: 'auto', reply_field: 'response', jsonl: [line(0, canonical(0)), line(0, canonical(0))].join('\n') });
    await until(() => r.grader.runs.length === 1, 'the job to start grading');
    const rl = r.reward.grade({ benchmark: 'humaneval', problem_id: 'Mini/0', completion: canonical(0) });
    await new Promise((res) => setTimeout(res, 50));
    g.open();
    expect(await rl).toMatchObject({ status: 'pass', cached: true });
    await until(() => r.runner.get(created.id)!.state === 'done', 'the job');
    expect(r.grader.runs).toHaveLength(1);

    // the trainer leads (its only admission slot is then taken), the job joins without admission
    const g2 = gate();
    r.grader.hold = g2.wait;
    const rl2 = r.reward.grade({ benchmark: 'humaneval', problem_id: 'Mini/1', completion: canonical(1) });
    await until(() => r.grader.runs.length === 2, 'the RL grade to start');
    expect(r.admission.stats().running).toBe(1);
    const admitted = r.admission.stats().admitted;
    const job2 = await r.runner.create({
      benchmark: 'humaneval', format: 'auto', reply_field: 'response',
      jsonl: [line(1, canonical(1)), line(2, canonical(2)), line(1, canonical(1))].join('\n'),
    });
    // Mini/2 is graded by the job while the RL slot is busy: the job does not wait for RL admission
    await until(() => r.grader.runs.length === 3, 'the job to grade its other program');
    g2.open();
    expect((await rl2).cached).toBeUndefined();
    await until(() => r.runner.get(job2.id)!.state === 'done', 'the second job');
    expect(r.grader.runs).toHaveLength(3);
    expect(r.admission.stats().admitted).toBe(admitted);
    const res = r.store.results(job2.id, -1, 10).map((x) => JSON.parse(x.json) as JobResult);
    expect(res.map((x) => [x.status, x.cached ?? false])).toEqual([['pass', true], ['pass', false], ['pass', true]]);
  });

  it('an infra_error is never cached: it is retried, and a later job grades the program again', async () => {
    const r = rig();
    const flaky = '    return a + b + c  # flaky\n';
    const down = '    return a + b + c  # down\n';
    r.grader.infra.set(flaky, 1);
    r.grader.infra.set(down, 100);
    const { job, results } = await runJob(r, [line(0, flaky), line(0, flaky), line(0, flaky), line(0, down), line(0, down)]);
    // flaky: one infra_error, then one good run its copies share
    expect(r.grader.runs.filter((c) => c.includes('flaky'))).toHaveLength(2);
    expect(results.slice(0, 3).map((x) => x.status)).toEqual(['pass', 'pass', 'pass']);
    // down: infra_error after the job's retries, on both lines
    expect(results.slice(3).map((x) => x.status)).toEqual(['infra_error', 'infra_error']);
    expect(results.slice(3).every((x) => !x.cached)).toBe(true);
    expect(job).toMatchObject({ passes: 3, infra_errors: 2 });
    const downRuns = r.grader.runs.filter((c) => c.includes('down')).length;
    const later = await runJob(r, [line(0, down)]);
    expect(later.results[0]!.status).toBe('infra_error');
    expect(r.grader.runs.filter((c) => c.includes('down')).length).toBeGreaterThan(downRuns);
  });

  it('closing leaves a sample waiting for someone else\'s grade to the next run, which records it once', async () => {
    const r = rig();
    const g = gate();
    r.grader.hold = g.wait;
    // a trainer's grade in flight that does not finish before the service closes
    const rl = r.reward.grade({ benchmark: 'humaneval', problem_id: 'Mini/2', completion: canonical(2) });
    await until(() => r.grader.runs.length === 1, 'the RL grade to start');
    r.grader.hold = undefined;
    const created = await r.runner.create({ benchmark: 'humaneval', format: 'auto', reply_field: 'response', jsonl: [line(2, canonical(2)), line(0, canonical(0))].join('\n') });
    await until(() => r.store.counts(created.id).done === 1, 'the job\'s other line');
    await r.runner.close(); // returns without waiting for the grade it only follows
    expect(r.store.counts(created.id).done).toBe(1);
    g.open();
    await rl;
    // the next run: the program is cached by now
    const next = rig({ db: r.db, grader: r.grader });
    await until(() => next.runner.get(created.id)!.state === 'done', 'the resumed job');
    const res = next.store.results(created.id, -1, 10).map((x) => JSON.parse(x.json) as JobResult);
    expect(res.map((x) => [x.line, x.status, x.cached ?? false])).toEqual([[1, 'pass', true], [2, 'pass', false]]);
    expect(r.grader.runs).toHaveLength(2);
  });

  it('cancelling drops the samples that wait; the grades running land', async () => {
    const r = rig({ concurrency: 1 });
    const g = gate();
    r.grader.hold = g.wait;
    const lines = Array.from({ length: 30 }, (_, i) => line(0, `    return a + b + c  # ${i % 10}\n`));
    const created = await r.runner.create({ benchmark: 'humaneval', format: 'auto', reply_field: 'response', jsonl: lines.join('\n') });
    await until(() => r.grader.runs.length === 1, 'the first grade');
    expect(r.runner.cancel(created.id)!.state).toBe('cancelled');
    g.open();
    await new Promise((res) => setTimeout(res, 200));
    expect(r.grader.runs).toHaveLength(1);
    expect(r.store.counts(created.id).done).toBe(1);
  });
});
