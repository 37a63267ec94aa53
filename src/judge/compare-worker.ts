import { parentPort } from 'node:worker_threads';
import { compareOutput } from './compare.js';
import type { CompareRequest, CompareResponse } from './compare-pool.js';

// A compare thread: large program outputs are decoded and compared here, off
// the service's event loop (compare-pool.ts).

parentPort?.on('message', (m: CompareRequest) => {
  let res: CompareResponse;
  try {
    res = { id: m.id, result: compareOutput(m.cmp, m.expected, Buffer.from(m.actual).toString('utf8')) };
  } catch (e) {
    res = { id: m.id, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort!.postMessage(res);
});
