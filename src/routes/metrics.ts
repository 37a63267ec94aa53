import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../metrics.js';
import { API } from './contract.js';
import { route } from './route.js';

export function metricsRoutes(app: FastifyInstance, metrics: Metrics): void {
  route(app, API.metrics, async (_in, _req, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
