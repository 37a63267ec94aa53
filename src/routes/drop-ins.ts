import type { FastifyInstance, FastifyReply } from 'fastify';
import { httpStatus } from '../errors.js';
import { OverloadError, type Admission } from '../rl/admission.js';
import { floatJson } from '../rl/floats.js';
import { rewardItems, rewardResponse } from '../rl/openrlhf.js';
import type { RewardService } from '../rl/reward-service.js';
import { checkRunCodeRequest } from '../rl/run-code.js';
import type { RunCodeLane } from '../rl/run-code-lane.js';
import { submit } from '../rl/submit.js';
import { clientGone } from './client-gone.js';
import { API } from './contract.js';
import { route } from './route.js';

// Drop-ins, so a trainer changes one URL: SandboxFusion's /run_code and
// /submit (verl's sandbox_fusion reward) and OpenRLHF's /get_reward.

/** The /submit client hung up while its programs ran: nothing to answer. */
class ClientGoneError extends Error {}

/** verl's SandboxFusion client retries only on 504, so "not now" is a 504 with Retry-After there. */
function gatewayBusy(reply: FastifyReply, retryAfterS: number, message: string): FastifyReply {
  return reply.code(504).header('retry-after', String(retryAfterS)).send({ error: 'overloaded', message });
}

export function dropInRoutes(
  app: FastifyInstance,
  deps: { reward: RewardService; admission: Admission; runCodeLane: RunCodeLane; benchmarks: ReadonlySet<string> },
): void {
  route(app, API.runCode, async ({ body }, _req, reply) => {
    const arrived = performance.now();
    // a language without a toolchain is a 400 (verl does not retry it), never a SandboxError
    checkRunCodeRequest(body);
    const answer = await deps.runCodeLane.handle(body, clientGone(reply), arrived);
    if (answer.kind === 'busy') return gatewayBusy(reply, answer.retryAfterS, answer.message);
    if (answer.kind === 'gone') return reply.code(httpStatus('client_closed')).send({ error: 'client_closed', message: 'the client disconnected; the program was stopped' });
    const queueMs = Math.round(answer.queueMs * 100) / 100;
    const totalMs = Math.round((performance.now() - arrived) * 100) / 100;
    return reply.header('x-verdict-queue-ms', String(queueMs)).send({ ...answer.body, timings: { queue_ms: queueMs, total_ms: totalMs } });
  });

  route(app, API.submit, async ({ body }, _req, reply) => {
    try {
      const gone = clientGone(reply);
      const result = await submit(body, {
        known: (n) => deps.benchmarks.has(n),
        grade: async (item) => (await deps.reward.batch({ items: [item], format: 'json' }, () => undefined, undefined, gone))[0]!,
        // each program of a CommonOJ / AutoEval row through the /run_code lane
        runCode: async (r) => {
          checkRunCodeRequest(r);
          const body = await deps.runCodeLane.run(r, gone);
          if (body) return body;
          if (gone.aborted) throw new ClientGoneError();
          throw new Error('run_code failed (see the log)');
        },
      });
      return reply.type('application/json; charset=utf-8').send(floatJson(result));
    } catch (e) {
      if (e instanceof OverloadError) return gatewayBusy(reply, e.retryAfterS, e.message);
      if (e instanceof ClientGoneError) return reply.code(httpStatus('client_closed')).send({ error: 'client_closed', message: 'the client disconnected; the programs were stopped' });
      throw e;
    }
  });

  route(app, API.getReward, async ({ body }, _req, reply) => {
    const items = rewardItems(body);
    const verdicts = await deps.reward.batch({ items, format: 'json' }, () => undefined, undefined, clientGone(reply));
    // rewards and scores as JSON floats (1.0): OpenRLHF's torch.tensor(rewards) must be a float tensor
    return reply.type('application/json; charset=utf-8').send(floatJson(rewardResponse(verdicts)));
  });
}
