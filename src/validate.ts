import type { z } from 'zod';
import { DomainError } from './errors.js';

/** Parse or throw a 400 whose message names the offending field. */
export function parseOr400<T>(schema: z.ZodType<T>, value: unknown, where: 'body' | 'query' | 'params'): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  let field = issue?.path.map(String).join('.') ?? '';
  if (issue?.code === 'unrecognized_keys') field = [field, issue.keys[0]].filter(Boolean).join('.');
  const name = field || where;
  const msg =
    issue?.code === 'unrecognized_keys'
      ? `unknown field '${name}'`
      : issue?.code === 'invalid_type' && value !== null && typeof value === 'object' && !(field.split('.')[0]! in value)
        ? `missing required field '${name}'`
        : `${name}: ${issue?.message ?? 'invalid'}`;
  throw new DomainError('invalid_request', msg, name);
}
