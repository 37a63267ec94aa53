import type { AnyBenchmark } from '../benchmarks/types.js';
import { DomainError, unknownVersion } from '../errors.js';
import { z } from 'zod';
import type { Verdict } from '../schemas.js';
import type { ProblemStore } from '../store/store.js';
import type { GradeService } from './grader.js';
import { ReasonSchema } from '../domain.js';

// Ground truth of an image: grade every reference solution through the normal
// grading path and say why each failing one failed.

export const FailureCauseSchema = z.enum([
  'missing_library',
  'missing_data',
  'needs_network',
  'timeout',
  'memory',
  'version_difference',
  'error',
  'infra_error',
]);
export type FailureCause = z.infer<typeof FailureCauseSchema>;

export const SelftestRequestSchema = z
  .object({
    version: z.string().min(1).optional(),
    problem_ids: z.array(z.string().min(1).max(500)).min(1).max(5000).optional(),
    limit: z.number().int().min(1).optional().describe('first N problems only (a full run takes long: prefer the CLI)'),
    concurrency: z.number().int().min(1).max(16).default(2),
  })
  .strict()
  .meta({ id: 'SelftestRequest' });

export const SelftestReportSchema = z
  .object({
    benchmark: z.string(),
    version: z.string(),
    total: z.number().int(),
    passed: z.number().int(),
    pass_rate: z.number(),
    by_cause: z.partialRecord(FailureCauseSchema, z.number().int()),
    failures: z.array(
      z.object({
        problem_id: z.string(),
        status: z.enum(['pass', 'fail', 'infra_error']),
        reason: ReasonSchema.nullable(),
        cause: FailureCauseSchema,
        detail: z.string(),
      }),
    ),
    seconds: z.number(),
    problem_ids: z.array(z.string()).optional().describe('the problems graded, when not every problem of the version'),
  })
  .meta({ id: 'SelftestReport' });
export type SelftestReport = z.infer<typeof SelftestReportSchema>;
type SelftestFailure = SelftestReport['failures'][number];

const NETWORK =
  /(Temporary failure in name resolution|Name or service not known|gaierror|Network is unreachable|ConnectionError|Max retries exceeded|URLError|NewConnectionError|getaddrinfo|herror|Connection refused|No address associated)/;

/** Why a reference solution failed, from the verdict's reason and detail (Python tracebacks). */
export function classifyFailure(v: Pick<Verdict, 'status' | 'reason' | 'detail'>): FailureCause {
  const d = v.detail ?? '';
  if (v.status === 'infra_error') return 'infra_error';
  if (/ModuleNotFoundError|No module named|ImportError/.test(d)) return 'missing_library';
  if (/Resource \S+ not found|nltk_data|LookupError/.test(d)) return 'missing_data';
  if (NETWORK.test(d)) return 'needs_network';
  if (v.reason === 'timeout') return 'timeout';
  if (v.reason === 'memory_limit' || /MemoryError/.test(d)) return 'memory';
  if (v.reason === 'wrong_answer' || /AttributeError|TypeError|has no attribute|unexpected keyword/.test(d)) return 'version_difference';
  return 'error';
}

export interface SelftestOptions {
  version?: string;
  problemIds?: string[];
  limit?: number;
  concurrency?: number;
  options?: Record<string, unknown>;
  onResult?: (v: Verdict, done: number, total: number) => void;
}

export async function runSelftest(
  grader: GradeService,
  store: ProblemStore,
  bench: AnyBenchmark,
  opts: SelftestOptions = {},
): Promise<SelftestReport> {
  if (!bench.canonical) throw new DomainError('no_reference', `benchmark '${bench.name}' has no reference solutions to self-test`, 'name');
  const version = opts.version ?? store.defaultVersion(bench.name);
  if (!version || !store.versions(bench.name).some((v) => v.version === version)) {
    throw unknownVersion(bench.name, version, 'version');
  }
  const all = store.listProblems(bench.name, version, 0, 1_000_000).items.map((p) => p.id);
  let ids = all;
  if (opts.problemIds?.length) {
    const known = new Set(ids);
    const unknown = opts.problemIds.filter((id) => !known.has(id));
    if (unknown.length) throw new DomainError('unknown_problem', `not in ${bench.name} ${version}: ${unknown.slice(0, 5).join(', ')}`, 'problem_ids');
    ids = opts.problemIds;
  }
  if (opts.limit !== undefined) ids = ids.slice(0, opts.limit);
  const t0 = performance.now();
  const verdicts: Verdict[] = [];
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      const problem = store.problem(bench.name, version, id)!;
      const ref = bench.canonical!(problem);
      const v = await grader.grade({
        benchmark: bench.name,
        problem_id: id,
        completion: ref.completion,
        options: { version, ...ref.options, ...opts.options },
      });
      verdicts.push(v);
      opts.onResult?.(v, verdicts.length, ids.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 2, ids.length)) }, worker));
  const order = new Map(ids.map((id, i) => [id, i]));
  verdicts.sort((a, b) => order.get(a.problem_id)! - order.get(b.problem_id)!);
  const failures: SelftestFailure[] = verdicts
    .filter((v) => v.status !== 'pass')
    .map((v) => ({ problem_id: v.problem_id, status: v.status, reason: v.reason, cause: classifyFailure(v), detail: (v.detail ?? '').slice(0, 400) }));
  const by_cause: Partial<Record<FailureCause, number>> = {};
  for (const f of failures) by_cause[f.cause] = (by_cause[f.cause] ?? 0) + 1;
  const passed = verdicts.length - failures.length;
  return {
    benchmark: bench.name,
    version,
    total: verdicts.length,
    passed,
    pass_rate: verdicts.length ? passed / verdicts.length : 0,
    by_cause,
    failures,
    seconds: Math.round((performance.now() - t0) / 100) / 10,
    ...(ids.length < all.length ? { problem_ids: ids } : {}),
  };
}
