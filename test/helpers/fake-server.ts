import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { humaneval } from '../../src/benchmarks/humaneval/benchmark.js';
import { DomainError, type ErrorCode } from '../../src/errors.js';
import type { GradeService, Resolved } from '../../src/grading/grader.js';
import { SharedGrades } from '../../src/grading/shared-grades.js';
import { JobRunner } from '../../src/jobs/runner.js';
import { Metrics } from '../../src/metrics.js';
import { Admission } from '../../src/rl/admission.js';
import { RewardService } from '../../src/rl/reward-service.js';
import { RunCodeLane } from '../../src/rl/run-code-lane.js';
import type { GradeRequest, Verdict } from '../../src/schemas.js';
import { buildServer } from '../../src/server.js';
import { JobStore } from '../../src/store/jobs.js';
import { ResultCache } from '../../src/store/result-cache.js';
import { ProblemStore } from '../../src/store/store.js';
import { HUMANEVAL_MINI } from '../fixtures/humaneval.js';

/**
 * The real server (routes, validation, error mapping, reward service, job
 * runner) over a grader that runs nothing: no Docker. A completion that
 * contains `return 0` fails, others pass; a completion `throw:<code>` makes
 * the grader throw that catalogue code; `delay:<ms>` passes after a while.
 */
export class FakeGrader implements GradeService {
  private readonly problems = new Map(
    HUMANEVAL_MINI.map((p) => [p.task_id, { id: p.task_id, prompt: p.prompt, public: { entry_point: p.entry_point }, hidden: { test: p.test, entry_point: p.entry_point } }]),
  );

  resolve(req: GradeRequest): Resolved {
    if (req.benchmark !== 'humaneval') throw new DomainError('unknown_benchmark', `unknown benchmark '${req.benchmark}'`, 'benchmark');
    const problem = this.problems.get(req.problem_id);
    if (!problem) throw new DomainError('unknown_problem', `problem '${req.problem_id}' not found`, 'problem_id');
    const thrown = /^throw:(\w+)$/.exec(req.completion);
    if (thrown) throw new DomainError(thrown[1] as ErrorCode, `thrown: ${thrown[1]}`, 'completion');
    return { bench: humaneval, version: 'v1', problem, options: humaneval.options.parse({}) };
  }

  async grade(req: GradeRequest, resolved?: Resolved): Promise<Verdict> {
    const r = resolved ?? this.resolve(req);
    const delay = /^delay:(\d+)$/.exec(req.completion);
    if (delay) await new Promise((res) => setTimeout(res, Number(delay[1])));
    const pass = !req.completion.includes('return 0');
    return {
      status: pass ? 'pass' : 'fail',
      reward: pass ? 1 : 0,
      reason: pass ? null : 'wrong_answer',
      retryable: false,
      benchmark: 'humaneval',
      benchmark_version: 'v1',
      grader_version: humaneval.graderVersion,
      problem_id: r.problem.id,
      tests: [],
      extracted_code: req.completion,
      attempts: 1,
      timings: { queue_ms: 0, sandbox_ms: 1, total_ms: 1 },
    };
  }
}

export interface FakeServer {
  server: FastifyInstance;
  runner: JobRunner;
  close(): Promise<void>;
}

export function fakeServer(over: { apiKeys?: string[] } = {}): FakeServer {
  const log = pino({ level: 'silent' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-fake-server-'));
  const store = new ProblemStore(dir);
  const grader = new FakeGrader();
  const shared = new SharedGrades({ cache: new ResultCache(store.db, 100), imagesKey: async () => 'images', runtime: 'runc', fingerprint: () => 'fp' });
  const admission = new Admission(2, 100);
  const reward = new RewardService({ grader, admission, shared, log });
  const runCodeLane = new RunCodeLane({
    admission,
    log,
    run: async () => {
      throw new Error('this fake runs no programs');
    },
  });
  const jobs = new JobStore(store.db);
  const benchmarks = new Map([['humaneval', humaneval]]);
  const runner = new JobRunner({ jobs, grader, shared, benchmarks, log, concurrency: 2, retryDelayMs: 10 });
  runner.start();
  const server = buildServer({
    log,
    store,
    health: async () => ({ ok: true, body: {} }),
    grader,
    metrics: new Metrics({ queue: () => 0, running: () => 0, pools: () => [] }),
    benchmarks,
    apiKeys: over.apiKeys ?? [],
    bodyLimitBytes: 1 << 20,
    sandboxesDir: dir,
    rl: { reward, admission, runCodeLane },
    jobs: { runner, store: jobs },
  });
  return {
    server,
    runner,
    async close() {
      await server.close();
      await runner.close();
      store.db.close();
    },
  };
}
