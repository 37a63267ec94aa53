import type { FastifyInstance } from 'fastify';
import type { AnyBenchmark } from '../benchmarks/types.js';
import { unknownBenchmark } from '../errors.js';
import type { GradeService } from '../grading/grader.js';
import { runSelftest, SelftestRequestSchema } from '../grading/selftest.js';
import { ProblemParamsSchema } from '../schemas.js';
import type { ProblemStore } from '../store/store.js';
import { parseOr400 } from '../validate.js';

/** POST /v1/benchmarks/:name/selftest: grade the reference solutions, report the pass rate and each failure's cause. */
export function selftestRoutes(app: FastifyInstance, grader: GradeService, store: ProblemStore, benchmarks: ReadonlyMap<string, AnyBenchmark>): void {
  app.post('/v1/benchmarks/:name/selftest', async (req) => {
    const { name } = parseOr400(ProblemParamsSchema, req.params, 'params');
    const body = parseOr400(SelftestRequestSchema, req.body ?? {}, 'body');
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
