import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { floatJson } from '../rl/floats.js';
import type { RewardService } from '../rl/reward-service.js';
import { wantsJson } from './accept.js';
import { clientGone } from './client-gone.js';
import { API } from './contract.js';
import { route } from './route.js';

export function batchRoutes(app: FastifyInstance, reward: RewardService): void {
  route(app, API.batch, async ({ body }, req, reply) => {
    // a client that hangs up: its grades still queued (and wanted by no other request) are dropped
    const gone = clientGone(reply);
    // format=json, or Accept: application/json from a client that cannot read a stream
    if (body.format === 'json' || wantsJson(req.headers.accept)) {
      const verdicts = await reward.batch(body, () => undefined, undefined, gone);
      return reply.type('application/json; charset=utf-8').send(floatJson({ results: verdicts.map((v, index) => ({ index, ...v })) }));
    }
    // Validation and the queue's gate come before the first byte, so a 4xx/429
    // is still a plain status; after that, one line per verdict as it finishes.
    const out = new PassThrough();
    let admitted!: () => void;
    const ready = new Promise<void>((r) => (admitted = r));
    const done = reward.batch(body, (index, v) => void (out.destroyed || out.write(floatJson({ index, ...v }) + '\n')), admitted, gone);
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
