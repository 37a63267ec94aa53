import type { FastifyInstance } from 'fastify';
import { floatJson } from '../rl/floats.js';
import type { GradeRequest, Verdict } from '../schemas.js';
import { clientGone } from './client-gone.js';
import { API } from './contract.js';
import { route } from './route.js';

/** `grader`: the grader itself, or the reward service around it (admission, cache). */
export function gradeRoutes(app: FastifyInstance, grader: { grade(req: GradeRequest, signal?: AbortSignal): Promise<Verdict> }): void {
  route(app, API.grade, async ({ body }, _req, reply) => {
    const verdict = await grader.grade(body, clientGone(reply));
    // the benchmark's image is still being built in the background
    if (verdict.reason === 'image_building') void reply.header('retry-after', '30');
    // the reward as a JSON float (1.0), as trainers building float tensors need
    return reply.type('application/json; charset=utf-8').send(floatJson(verdict));
  });
}
