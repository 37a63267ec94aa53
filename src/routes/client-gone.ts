import { setMaxListeners } from 'node:events';
import type { FastifyReply } from 'fastify';

/**
 * Aborts when the client closes its connection before the whole response was
 * written (it timed out or went away), so the work it asked for can be
 * dropped. Not on a normal finish.
 */
export function clientGone(reply: FastifyReply): AbortSignal {
  const ctl = new AbortController();
  // one listener per grade of a batch (each leaves when its grade is done): not a leak
  setMaxListeners(0, ctl.signal);
  const res = reply.raw;
  res.once('close', () => {
    if (!res.writableFinished) ctl.abort();
  });
  return ctl.signal;
}
