// The error catalogue: every `error` code the API answers with, its HTTP
// status and what it means. Domain code (grading, rl, jobs, store) throws a
// DomainError carrying only a code; the HTTP layer (src/server.ts) alone turns
// the code into a status, so a status is written down once, here.

interface CatalogueEntry {
  status: number;
  meaning: string;
}

export const ERROR_CATALOGUE = {
  invalid_request: { status: 400, meaning: 'the request is malformed; `field` names what is wrong' },
  invalid_options: { status: 400, meaning: 'an option the benchmark (or an inline problem) does not take' },
  unsupported_language: { status: 400, meaning: '/run_code: a language this server has no toolchain for' },
  unreadable_input: { status: 400, meaning: 'a job path the service cannot read' },
  no_reference: { status: 400, meaning: 'self-test of a benchmark without reference solutions' },
  unauthorized: { status: 401, meaning: 'missing or wrong bearer API key' },
  path_not_allowed: { status: 403, meaning: 'a job path outside VERDICT_JOB_INPUT_DIR' },
  not_found: { status: 404, meaning: 'no such route' },
  unknown_benchmark: { status: 404, meaning: 'no benchmark (or SandboxFusion dataset) of that name' },
  not_imported: { status: 404, meaning: 'the benchmark has no problems imported' },
  unknown_version: { status: 404, meaning: 'the benchmark has no such version' },
  unknown_problem: { status: 404, meaning: 'no such problem in the benchmark version (or provided_data)' },
  unknown_job: { status: 404, meaning: 'no job of that id' },
  // the SandboxFusion routes answer it as 504, the status verl retries on (src/routes/drop-ins.ts)
  overloaded: { status: 429, meaning: 'the grading queue is full; retry after the Retry-After header' },
  client_closed: { status: 499, meaning: 'the client disconnected before the answer' },
  internal: { status: 500, meaning: 'a bug or unexpected failure; the message names the request id to find in the log' },
  store_unavailable: { status: 503, meaning: 'the store cannot be written (disk full or failing); retry later' },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export function httpStatus(code: ErrorCode): number {
  return ERROR_CATALOGUE[code].status;
}

/** Something the caller asked for that cannot be done; `field` is the offending field, dotted path. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

// Messages that several modules raise, worded once.

export const unknownBenchmark = (name: string, field: string) => new DomainError('unknown_benchmark', `unknown benchmark '${name}'`, field);

export const unknownVersion = (bench: string, version: string | undefined, field: string) =>
  new DomainError('unknown_version', `benchmark '${bench}' has no version '${version ?? '(none imported)'}'`, field);

export const unknownJob = (id: string) => new DomainError('unknown_job', `no job '${id}'`, 'id');
