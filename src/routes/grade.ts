import type { FastifyInstance } from 'fastify';
import { GradeRequestSchema, type GradeRequest, type Verdict } from '../schemas.js';
import { parseOr400 } from '../validate.js';

/** `grader`: the grader itself, or the reward service around it (admission, cache). */
export function gradeRoutes(app: FastifyInstance, grader: { grade(req: GradeRequest): Promise<Verdict> }): void {
  app.post('/v1/grade', async (req, reply) => {
    const body = parseOr400(GradeRequestSchema, req.body, 'body');
    const verdict = await grader.grade(body);
    // the benchmark's image is still being built in the background
    if (verdict.reason === 'image_building') void reply.header('retry-after', '30');
    return verdict;
  });
}
