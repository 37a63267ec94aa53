import type { FastifyInstance } from 'fastify';
import type { AnyBenchmark } from '../benchmarks/types.js';
import { unknownBenchmark, unknownVersion } from '../errors.js';
import { gradingFingerprint } from '../grading/fingerprint.js';
import { ProblemListQuerySchema, ProblemParamsSchema } from '../schemas.js';
import type { ProblemStore } from '../store/store.js';
import { parseOr400 } from '../validate.js';

export function benchmarkRoutes(app: FastifyInstance, store: ProblemStore, benchmarks: ReadonlyMap<string, AnyBenchmark>): void {
  app.get('/v1/benchmarks', async () => ({
    benchmarks: [...benchmarks.values()].map((b) => ({
      name: b.name,
      description: b.description,
      grader_version: b.graderVersion,
      grader_fingerprint: gradingFingerprint(b.name),
      default_version: store.defaultVersion(b.name) ?? null,
      versions: store.versions(b.name).map((v) => ({
        version: v.version,
        problems: v.count,
        source: v.source,
        imported_at: v.importedAt,
      })),
      import_command: `npm run verdict -- import ${b.name} PATH`,
    })),
  }));

  app.get('/v1/benchmarks/:name/problems', async (req) => {
    const { name } = parseOr400(ProblemParamsSchema, req.params, 'params');
    const q = parseOr400(ProblemListQuerySchema, req.query, 'query');
    const bench = benchmarks.get(name);
    if (!bench) throw unknownBenchmark(name, 'name');
    const version = q.version ?? store.defaultVersion(name);
    if (!version || !store.versions(name).some((v) => v.version === version)) {
      throw unknownVersion(name, version, 'version');
    }
    const page = store.listProblems(name, version, q.offset, q.limit);
    return {
      benchmark: name,
      version,
      total: page.total,
      offset: q.offset,
      // ids and prompts only: hidden tests never leave the store
      problems: page.items.map((p) => {
        const { entry_point: ep, ...metadata } = p.public;
        return {
          id: p.id,
          prompt: p.prompt,
          ...(typeof ep === 'string' ? { entry_point: ep } : {}),
          ...(Object.keys(metadata).length ? { metadata } : {}),
        };
      }),
    };
  });
}
