import type { FastifyInstance } from 'fastify';
import type { AnyBenchmark } from '../benchmarks/types.js';
import { unknownBenchmark, unknownVersion } from '../errors.js';
import { gradingFingerprint } from '../grading/fingerprint.js';
import type { ProblemStore } from '../store/store.js';
import { API } from './contract.js';
import { route } from './route.js';

export function benchmarkRoutes(app: FastifyInstance, store: ProblemStore, benchmarks: ReadonlyMap<string, AnyBenchmark>): void {
  route(app, API.benchmarks, async () => ({
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

  route(app, API.problems, async ({ params: { name }, query: q }) => {
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
