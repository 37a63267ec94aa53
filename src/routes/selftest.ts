import type { FastifyInstance } from 'fastify';
import type { AnyBenchmark } from '../benchmarks/types.js';
import { unknownBenchmark } from '../errors.js';
import type { GradeService } from '../grading/grader.js';
import { runSelftest } from '../grading/selftest.js';
import type { ProblemStore } from '../store/store.js';
import { API } from './contract.js';
import { route } from './route.js';

/** POST /v1/benchmarks/:name/selftest: grade the reference solutions, report the pass rate and each failure's cause. */
export function selftestRoutes(app: FastifyInstance, grader: GradeService, store: ProblemStore, benchmarks: ReadonlyMap<string, AnyBenchmark>): void {
  route(app, API.selftest, async ({ params: { name }, body }) => {
    const bench = benchmarks.get(name);
    if (!bench) throw unknownBenchmark(name, 'name');
    return runSelftest(grader, store, bench, {
      ...(body.version ? { version: body.version } : {}),
      ...(body.problem_ids ? { problemIds: body.problem_ids } : {}),
      ...(body.limit ? { limit: body.limit } : {}),
      concurrency: body.concurrency,
    });
  });
}
