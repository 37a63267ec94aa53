import { z } from 'zod';
import YAML from 'yaml';
import { ROUTES } from './routes/contract.js';
import { ErrorSchema, HealthSchema } from './schemas.js';

// The OpenAPI document is derived from the route contract (src/routes/contract.ts):
// the same zod schemas the routes validate their input with.
type Schema = z.ZodType;

const REF = (id: string) => `#/components/schemas/${id}`;

function ref(schema: Schema): Record<string, unknown> {
  const id = z.globalRegistry.get(schema)?.id;
  if (!id) throw new Error('route schemas must carry .meta({ id })');
  return { $ref: REF(id) };
}

export function openapiDocument(version: string): Record<string, unknown> {
  const all = z.toJSONSchema(z.globalRegistry, { target: 'draft-2020-12', uri: REF, io: 'output', unrepresentable: 'any' });
  const schemas: Record<string, unknown> = {};
  // sorted by id: the registry's order is module load order, which no one should have to keep stable
  const ids = Object.keys(all.schemas).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const id of ids) {
    const s = all.schemas[id];
    const { $schema: _s, $id: _i, ...rest } = s as Record<string, unknown>;
    schemas[id] = rest;
  }
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const op: Record<string, unknown> = { summary: r.summary, operationId: `${r.method}${r.path.replace(/[^a-zA-Z]+/g, '_')}` };
    const parameters: unknown[] = [];
    for (const [where, obj] of [['path', r.params], ['query', r.query]] as const) {
      if (!obj) continue;
      const js = z.toJSONSchema(obj, { target: 'draft-2020-12', io: 'input' }) as {
        properties?: Record<string, unknown>;
        required?: string[];
      };
      for (const [name, schema] of Object.entries(js.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (js.required?.includes(name) ?? false), schema });
      }
    }
    if (parameters.length) op.parameters = parameters;
    if (r.body) op.requestBody = { required: !r.bodyOptional, content: { 'application/json': { schema: ref(r.body) } } };
    const responses: Record<string, unknown> = {
      [String(r.status ?? 200)]: r.ndjson
        ? { description: 'OK', content: { 'application/x-ndjson': { schema: ref(r.ndjson) }, ...(r.ok === 'text' ? {} : { 'application/json': { schema: ref(r.ok) } }) } }
        : r.ok === 'text' ? { description: 'OK', content: { 'text/plain': { schema: { type: 'string' } } } } : { description: 'OK', content: { 'application/json': { schema: ref(r.ok) } } },
    };
    for (const code of r.errors) {
      responses[String(code)] = { description: ERROR_TEXT[code] ?? 'error', content: { 'application/json': { schema: ref(code === 503 ? HealthSchema : ErrorSchema) } } };
    }
    op.responses = responses;
    if (!r.open) op.security = [{ bearer: [] }, {}];
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
