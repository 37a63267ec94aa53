import type { z } from 'zod';
import { SelftestReportSchema, SelftestRequestSchema } from '../grading/selftest.js';
import { JobCreateSchema, JobListSchema, JobParamsSchema, JobResultSchema, JobResultsQuerySchema, JobResultsSchema, JobSchema } from '../jobs/schemas.js';
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
} from '../rl/schemas.js';
import {
  BenchmarkListSchema,
  GradeRequestSchema,
  HealthSchema,
  ProblemListQuerySchema,
  ProblemListSchema,
  ProblemParamsSchema,
  VerdictSchema,
} from '../schemas.js';

// Every route of the API, once: the schemas here are what the route validates
// its input with (src/routes/route.ts) and what openapi.yaml documents
// (src/openapi.ts). A route not listed here cannot be registered.

export interface RouteSpec {
  method: 'get' | 'post' | 'delete';
  /** OpenAPI form: /v1/jobs/{id} */
  path: string;
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** a request without a body is validated as {} */
  bodyOptional?: true;
  /** the JSON answer; 'text' for a plain-text one */
  ok: z.ZodType | 'text';
  /** NDJSON by default, one line of this schema per result; `Accept: application/json` gets `ok` instead */
  ndjson?: z.ZodType;
  status?: number;
  /** served without the bearer API key (VERDICT_API_KEYS) */
  open?: true;
  /** error statuses the route answers with (bodies: the Error schema; 503: Health) */
  errors: number[];
}

const spec = <const S extends RouteSpec>(s: S): S => s;

export const API = {
  grade: spec({ method: 'post', path: '/v1/grade', summary: 'Grade one completion against a problem\'s hidden tests', body: GradeRequestSchema, ok: VerdictSchema, errors: [400, 401, 404, 413, 415] }),
  batch: spec({ method: 'post', path: '/v1/grade/batch', summary: 'Grade many completions: NDJSON, one BatchResult per line as each finishes (format=json or Accept: application/json: one BatchResponse). 429 + Retry-After when the queue is full', body: BatchRequestSchema, ok: BatchResponseSchema, ndjson: BatchResultSchema, errors: [400, 401, 404, 413, 415, 429] }),
  runCode: spec({ method: 'post', path: '/run_code', summary: 'SandboxFusion-compatible: run a program with stdin (python, bash); 504 + Retry-After when overloaded, as verl retries on 504', body: RunCodeRequestSchema, ok: RunCodeResponseSchema, errors: [400, 401, 415, 504] }),
  submit: spec({ method: 'post', path: '/submit', summary: 'SandboxFusion-compatible: grade a completion for a dataset problem (a verdict benchmark, or config.provided_data)', body: SubmitRequestSchema, ok: EvalResultSchema, errors: [400, 401, 404, 413, 415, 504] }),
  getReward: spec({ method: 'post', path: '/get_reward', summary: 'OpenRLHF remote reward: {query, prompts, labels} → {rewards, scores, extra_logs}; extra_logs.infra_error marks samples to mask', body: GetRewardRequestSchema, ok: GetRewardResponseSchema, errors: [400, 401, 404, 413, 415, 429] }),
  benchmarks: spec({ method: 'get', path: '/v1/benchmarks', summary: 'Benchmarks with their imported versions', ok: BenchmarkListSchema, errors: [401] }),
  problems: spec({ method: 'get', path: '/v1/benchmarks/{name}/problems', summary: 'Problem ids and prompts (never hidden tests)', params: ProblemParamsSchema, query: ProblemListQuerySchema, ok: ProblemListSchema, errors: [400, 401, 404] }),
  selftest: spec({ method: 'post', path: '/v1/benchmarks/{name}/selftest', summary: 'Grade every reference solution (or problem_ids / the first limit): pass rate and each failure with its cause (missing library, needs network, timeout, version difference…)', params: ProblemParamsSchema, body: SelftestRequestSchema, bodyOptional: true, ok: SelftestReportSchema, errors: [400, 401, 404] }),
  createJob: spec({ method: 'post', path: '/v1/jobs', summary: 'Start a batch regrading job from JSONL (uploaded or a server-side path)', body: JobCreateSchema, ok: JobSchema, status: 201, errors: [400, 401, 403, 404, 413, 415] }),
  listJobs: spec({ method: 'get', path: '/v1/jobs', summary: 'Jobs, newest first', ok: JobListSchema, errors: [401] }),
  getJob: spec({ method: 'get', path: '/v1/jobs/{id}', summary: 'Progress of a job: done/total, passes so far, ETA, bad lines', params: JobParamsSchema, ok: JobSchema, errors: [400, 401, 404] }),
  jobResults: spec({ method: 'get', path: '/v1/jobs/{id}/results', summary: 'Results so far as NDJSON (one JobResult per line, in input order), streamed (Accept: application/json: one JobResults document)', params: JobParamsSchema, query: JobResultsQuerySchema, ok: JobResultsSchema, ndjson: JobResultSchema, errors: [400, 401, 404] }),
  cancelJob: spec({ method: 'delete', path: '/v1/jobs/{id}', summary: 'Cancel a job (results so far are kept)', params: JobParamsSchema, ok: JobSchema, errors: [400, 401, 404] }),
  health: spec({ method: 'get', path: '/healthz', summary: 'Docker reachable, images present (503 when degraded)', ok: HealthSchema, open: true, errors: [503] }),
  metrics: spec({ method: 'get', path: '/metrics', summary: 'Prometheus metrics', ok: 'text', errors: [401] }),
  openapi: spec({ method: 'get', path: '/openapi.json', summary: 'This document', ok: 'text', open: true, errors: [] }),
} as const;

/** In the order openapi.yaml lists them. */
export const ROUTES: readonly RouteSpec[] = Object.values(API);

/** The path as fastify routes it: /v1/jobs/:id */
export const fastifyPath = (s: RouteSpec): string => s.path.replace(/\{(\w+)\}/g, ':$1');
