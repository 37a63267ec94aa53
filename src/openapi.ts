import { z } from 'zod';
import YAML from 'yaml';
import {
  BenchmarkListSchema,
  ErrorSchema,
  GradeRequestSchema,
  HealthSchema,
  ProblemListQuerySchema,
  ProblemListSchema,
  VerdictSchema,
} from './schemas.js';
import {
  BatchRequestSchema,
  BatchResponseSchema,
  BatchResultSchema,
  EvalResultSchema,
  GetRewardRequestSchema,
  GetRewardResponseSchema,
  RunCodeRequestSchema,
  RunCodeResponseSchema,
  SubmitRequestSchema,
} from './rl/schemas.js';
import { SelftestReportSchema, SelftestRequestSchema } from './grading/selftest.js';
import { JobCreateSchema, JobListSchema, JobResultSchema, JobResultsQuerySchema, JobSchema } from './jobs/schemas.js';

// The OpenAPI document is derived from the zod schemas that validate requests.
type Schema = z.ZodType;
interface Route {
  method: 'get' | 'post' | 'delete';
  path: string;
  summary: string;
  body?: Schema;
  query?: z.ZodObject;
  params?: string[];
  ok: Schema | 'text';
  /** NDJSON stream whose lines follow this schema */
  ndjson?: Schema;
  status?: number;
  errors: number[];
}

const ROUTES: Route[] = [
  { method: 'post', path: '/v1/grade', summary: 'Grade one completion against a problem\'s hidden tests', body: GradeRequestSchema, ok: VerdictSchema, errors: [400, 401, 404, 413, 415] },
  { method: 'post', path: '/v1/grade/batch', summary: 'Grade many completions: NDJSON, one BatchResult per line as each finishes (format=json: one BatchResponse). 429 + Retry-After when the queue is full', body: BatchRequestSchema, ok: BatchResponseSchema, ndjson: BatchResultSchema, errors: [400, 401, 404, 413, 415, 429] },
  { method: 'post', path: '/run_code', summary: 'SandboxFusion-compatible: run a program with stdin (python, bash); 504 + Retry-After when overloaded, as verl retries on 504', body: RunCodeRequestSchema, ok: RunCodeResponseSchema, errors: [400, 401, 415, 504] },
  { method: 'post', path: '/submit', summary: 'SandboxFusion-compatible: grade a completion for a dataset problem (a verdict benchmark, or config.provided_data)', body: SubmitRequestSchema, ok: EvalResultSchema, errors: [400, 401, 404, 413, 415, 504] },
  { method: 'post', path: '/get_reward', summary: 'OpenRLHF remote reward: {query, prompts, labels} → {rewards, scores, extra_logs}; extra_logs.infra_error marks samples to mask', body: GetRewardRequestSchema, ok: GetRewardResponseSchema, errors: [400, 401, 404, 413, 415, 429] },
  { method: 'get', path: '/v1/benchmarks', summary: 'Benchmarks with their imported versions', ok: BenchmarkListSchema, errors: [401] },
  { method: 'get', path: '/v1/benchmarks/{name}/problems', summary: 'Problem ids and prompts (never hidden tests)', params: ['name'], query: ProblemListQuerySchema, ok: ProblemListSchema, errors: [400, 401, 404] },
  { method: 'post', path: '/v1/benchmarks/{name}/selftest', summary: 'Grade every reference solution (or problem_ids / the first limit): pass rate and each failure with its cause (missing library, needs network, timeout, version difference…)', params: ['name'], body: SelftestRequestSchema, ok: SelftestReportSchema, errors: [400, 401, 404] },
  { method: 'post', path: '/v1/jobs', summary: 'Start a batch regrading job from JSONL (uploaded or a server-side path)', body: JobCreateSchema, ok: JobSchema, status: 201, errors: [400, 401, 403, 404, 413, 415] },
  { method: 'get', path: '/v1/jobs', summary: 'Jobs, newest first', ok: JobListSchema, errors: [401] },
  { method: 'get', path: '/v1/jobs/{id}', summary: 'Progress of a job: done/total, passes so far, ETA, bad lines', params: ['id'], ok: JobSchema, errors: [400, 401, 404] },
  { method: 'get', path: '/v1/jobs/{id}/results', summary: 'Results so far as NDJSON (one JobResult per line, in input order), streamed', params: ['id'], query: JobResultsQuerySchema, ok: 'text', ndjson: JobResultSchema, errors: [400, 401, 404] },
  { method: 'delete', path: '/v1/jobs/{id}', summary: 'Cancel a job (results so far are kept)', params: ['id'], ok: JobSchema, errors: [400, 401, 404] },
  { method: 'get', path: '/healthz', summary: 'Docker reachable, images present (503 when degraded)', ok: HealthSchema, errors: [503] },
  { method: 'get', path: '/metrics', summary: 'Prometheus metrics', ok: 'text', errors: [401] },
  { method: 'get', path: '/openapi.json', summary: 'This document', ok: 'text', errors: [] },
];

const REF = (id: string) => `#/components/schemas/${id}`;

function ref(schema: Schema): Record<string, unknown> {
  const id = z.globalRegistry.get(schema)?.id;
  if (!id) throw new Error('route schemas must carry .meta({ id })');
  return { $ref: REF(id) };
}

export function openapiDocument(version: string): Record<string, unknown> {
  const all = z.toJSONSchema(z.globalRegistry, { target: 'draft-2020-12', uri: REF, io: 'output', unrepresentable: 'any' });
  const schemas: Record<string, unknown> = {};
  for (const [id, s] of Object.entries(all.schemas)) {
    const { $schema: _s, $id: _i, ...rest } = s as Record<string, unknown>;
    schemas[id] = rest;
  }
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const op: Record<string, unknown> = { summary: r.summary, operationId: `${r.method}${r.path.replace(/[^a-zA-Z]+/g, '_')}` };
    const parameters: unknown[] = [];
    for (const p of r.params ?? []) parameters.push({ name: p, in: 'path', required: true, schema: { type: 'string' } });
    if (r.query) {
      const js = z.toJSONSchema(r.query, { target: 'draft-2020-12', io: 'input' }) as {
        properties?: Record<string, unknown>;
        required?: string[];
      };
      for (const [name, schema] of Object.entries(js.properties ?? {})) {
        parameters.push({ name, in: 'query', required: js.required?.includes(name) ?? false, schema });
      }
    }
    if (parameters.length) op.parameters = parameters;
    if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: ref(r.body) } } };
    const responses: Record<string, unknown> = {
      [String(r.status ?? 200)]: r.ndjson
        ? { description: 'OK', content: { 'application/x-ndjson': { schema: ref(r.ndjson) } } }
        : r.ok === 'text' ? { description: 'OK', content: { 'text/plain': { schema: { type: 'string' } } } } : { description: 'OK', content: { 'application/json': { schema: ref(r.ok) } } },
    };
    for (const code of r.errors) {
      responses[String(code)] = { description: ERROR_TEXT[code] ?? 'error', content: { 'application/json': { schema: ref(code === 503 ? HealthSchema : ErrorSchema) } } };
    }
    op.responses = responses;
    if (r.path.startsWith('/v1/') || r.path === '/metrics') op.security = [{ bearer: [] }, {}];
    (paths[r.path] ??= {})[r.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'verdict',
      version,
      description: 'Sandboxed grading of model completions for code benchmarks against hidden tests.',
    },
    paths,
    components: { schemas, securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  };
}

const ERROR_TEXT: Record<number, string> = {
  400: 'Malformed request; `field` names what is wrong',
  401: 'Missing or wrong bearer API key',
  403: 'Not allowed: e.g. a job path outside VERDICT_JOB_INPUT_DIR',
  404: 'Unknown benchmark, version or problem',
  413: 'Body over the size limit',
  415: 'Body is not JSON',
  429: 'Queue full: retry after the Retry-After header (seconds)',
  504: 'Queue full (SandboxFusion drop-ins): retry after the Retry-After header',
  503: 'Degraded: Docker unreachable or images missing',
};

export function openapiYaml(version: string): string {
  return YAML.stringify(openapiDocument(version), { aliasDuplicateObjects: false });
}
