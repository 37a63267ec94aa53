// What the trainers' reward clients do over HTTP, written from their public
// behaviour (no code of theirs): the request each sends, its timeout, what it
// retries, and what it then makes of the answer. Used by test/rl.test.ts and
// bench/rl-run-code.ts.

import { setTimeout as sleep } from 'node:timers/promises';

export interface VerlCase {
  code: string;
  stdin: string;
  /** verl passes one `timeout` as both compile_timeout and run_timeout */
  timeout: number;
  memoryLimitMb?: number;
  language?: string;
}

export interface VerlCall {
  /** the parsed /run_code answer, or undefined when the call failed */
  response?: { status: string; run_result: { status: string; stdout: string | null; return_code: number | null } | null; timings?: { queue_ms: number } };
  /** verl's api_request_error: the sample then scores -1 (no reward) */
  error?: string;
  attempts: number;
  statuses: number[];
}

/**
 * verl's sandbox_fusion call_sandbox_api: POST /run_code with
 * {compile_timeout, run_timeout, code, stdin, memory_limit_MB, language,
 * files: {}, fetch_files: []}; request timeout compile_timeout + run_timeout
 * + 10 s; a 504 is retried (three attempts in all, sleeping 1 s then 2 s,
 * Retry-After ignored); a timeout, a connection error or any other status is
 * not retried.
 */
export async function verlCallSandboxApi(url: string, c: VerlCase): Promise<VerlCall> {
  const payload = JSON.stringify({
    compile_timeout: c.timeout,
    run_timeout: c.timeout,
    code: c.code,
    stdin: c.stdin,
    memory_limit_MB: c.memoryLimitMb ?? 1024,
    language: c.language ?? 'python',
    files: {},
    fetch_files: [],
  });
  const requestTimeoutMs = (c.timeout + c.timeout + 10) * 1000;
  const statuses: number[] = [];
  let last = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    let res: Response;
    try {
      res = await fetch(url.replace(/\/$/, '') + '/run_code', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: payload,
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
    } catch (e) {
      return { error: `API Request Error: ${e instanceof Error ? e.name + ' ' + e.message : String(e)}`, attempts: attempt + 1, statuses };
    }
    statuses.push(res.status);
    if (res.status === 504) {
      await res.arrayBuffer().catch(() => undefined);
      last = `Gateway Timeout (504) on attempt ${attempt + 1}/3`;
      if (attempt < 2) await sleep(1000 * (attempt + 1));
      continue;
    }
    if (!res.ok) return { error: `HTTP ${res.status}`, attempts: attempt + 1, statuses };
    try {
      return { response: (await res.json()) as VerlCall['response'], attempts: attempt + 1, statuses };
    } catch (e) {
      return { error: `JSON decode error: ${String(e)}`, attempts: attempt + 1, statuses };
    }
  }
  return { error: last, attempts: 3, statuses };
}

/** verl's per-case result: true / false, -1 api or sandbox error, -2 runtime error, -3 timeout, -4 compile error. */
export function verlCaseResult(call: VerlCall, expected: string): boolean | number {
  const r = call.response;
  if (call.error || !r) return -1;
  const run = r.run_result;
  if (r.status === 'SandboxError') return -1;
  if (r.status === 'Failed') {
    if (!run) return -1;
    if (run.status === 'TimeLimitExceeded') return -3;
    if (run.status === 'Error' || (run.status === 'Finished' && run.return_code !== 0)) return -2;
    return -1;
  }
  if (r.status === 'Success' && run?.status === 'Finished') {
    return (run.stdout ?? '').replace(/\n+$/, '') === expected.replace(/\n+$/, '');
  }
  return -1;
}

/** Run `n` jobs through `workers` concurrent workers (a client's thread pool). */
export async function pool<T>(n: number, workers: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array<T>(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(workers, n) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await job(i);
      }
    }),
  );
  return out;
}
