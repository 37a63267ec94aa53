import type { FastifyInstance } from 'fastify';
import type { Grader } from '../grading/grader.js';
import { GradeRequestSchema } from '../schemas.js';
import { parseOr400 } from '../validate.js';

export function gradeRoutes(app: FastifyInstance, grader: Grader): void {
  app.post('/v1/grade', async (req) => {
    const body = parseOr400(GradeRequestSchema, req.body, 'body');
    return grader.grade(body);
  });
}
