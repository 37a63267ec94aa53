import type { FastifyInstance } from 'fastify';
import { floatJson } from '../rl/floats.js';
import { GradeRequestSchema, type GradeRequest, type Verdict } from '../schemas.js';
import { parseOr400 } from '../validate.js';
import { clientGone } from './client-gone.js';

/** `grader`: the grader itself, or the reward service around it (admission, cache). */
export function gradeRoutes(app: FastifyInstance, grader: { grade(req: GradeRequest, signal?: AbortSignal): Promise<Verdict> }): void {
  app.post('/v1/grade', async (req, reply) => {
    const body = parseOr400(GradeRequestSchema, req.body, 'body');
    const verdict = await grader.grade(body, clientGone(reply));
    // the benchmark's image is still being built in the background
    if (verdict.reason === 'image_building') void reply.header('retry-after', '30');
    // the reward as a JSON float (1.0), as trainers building float tensors need
    return reply.type('application/json; charset=utf-8').send(floatJson(verdict));
  });
}
