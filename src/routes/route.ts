import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { z } from 'zod';
import { parseOr400 } from '../validate.js';
import { fastifyPath, type RouteSpec } from './contract.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** the contract entry the route was registered from (src/server.ts refuses routes without one) */
    contract?: RouteSpec;
  }
}

type Parsed<S, K extends 'params' | 'query' | 'body'> = S extends { [k in K]: infer T extends z.ZodType } ? z.output<T> : undefined;

/** What a handler receives: its params, query and body, already validated with the contract's schemas. */
export interface RouteInput<S extends RouteSpec> {
  params: Parsed<S, 'params'>;
  query: Parsed<S, 'query'>;
  body: Parsed<S, 'body'>;
}

/**
 * Register a route of the contract. Params, query and body are parsed in
 * that order with the contract's schemas (a 400 naming the field), so what a
 * route accepts is exactly what openapi.yaml says.
 */
export function route<const S extends RouteSpec>(
  app: FastifyInstance,
  spec: S,
  handler: (input: RouteInput<S>, req: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
  options: Omit<RouteShorthandOptions, 'config'> = {},
): void {
  app.route({
    ...options,
    method: spec.method.toUpperCase(),
    url: fastifyPath(spec),
    config: { contract: spec },
    handler: async (req, reply) => {
      const params = spec.params ? parseOr400(spec.params, req.params, 'params') : undefined;
      const query = spec.query ? parseOr400(spec.query, req.query, 'query') : undefined;
      const body = spec.body ? parseOr400(spec.body, spec.bodyOptional ? (req.body ?? {}) : req.body, 'body') : undefined;
      return handler({ params, query, body } as RouteInput<S>, req, reply);
    },
  });
}
