import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { RewardService } from '../rl/reward-service.js';
import { BatchRequestSchema } from '../rl/schemas.js';
import { parseOr400 } from '../validate.js';

export function batchRoutes(app: FastifyInstance, reward: RewardService): void {
  app.post('/v1/grade/batch', async (req, reply) => {
    const body = parseOr400(BatchRequestSchema, req.body, 'body');
    if (body.format === 'json') {
      const verdicts = await reward.batch(body, () => undefined);
      return { results: verdicts.map((v, index) => ({ index, ...v })) };
    }
    // Validation and admission happen before the first byte, so a 4xx/429 is
    // still a plain status; after that, one line per verdict as it finishes.
    const out = new PassThrough();
    let admitted!: () => void;
    const ready = new Promise<void>((r) => (admitted = r));
    // a client that hung up gets no more lines; the grades still finish and are cached
    const done = reward.batch(body, (index, v) => void (out.destroyed || out.write(JSON.stringify({ index, ...v }) + '\n')), admitted);
    await Promise.race([ready, done]);
    done.then(
      () => void (out.destroyed || out.end()),
      (e: unknown) => {
        req.log.error({ err: e }, 'batch failed mid-stream');
        out.end(JSON.stringify({ error: 'internal', message: 'batch failed; see the service log for ' + req.id }) + '\n');
      },
    );
    return reply.type('application/x-ndjson').send(out);
  });
}
