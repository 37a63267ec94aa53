import type { PlanProfile } from '../benchmarks/types.js';
import type { ExecResult, FileEntry, PairResult, PairStep, Step } from '../sandbox/types.js';
import type { Comparison, TextComparator } from './compare.js';

// A sandbox program as data: a generator that yields what it wants done (open
// a session, put files, exec a step, …) and is resumed with the answer. It
// never awaits anything itself; src/grading/executor.ts performs the requests
// (the one place that drives sandbox sessions) and test code can answer them
// from a script. The judge core, run plans and /run_code are such programs.

/** A session's container: a plan's profile, or the judge's container for a program's memory limit. */
export type SessionProfile = PlanProfile | { judge: true; programMemoryMb: number };

export type SessionRequest =
  /** a session in a warm container (one at a time); `lane: 'run'` takes a slot of the run lane */
  | { kind: 'open'; profile: SessionProfile; lane?: 'cpu' | 'run' }
  | { kind: 'close' }
  | { kind: 'put'; files: FileEntry[] }
  | { kind: 'exec'; step: Step }
  | { kind: 'pair'; step: PairStep }
  | { kind: 'get'; paths: string[] }
  /** a comparison of a program's output (on a compare thread when large); needs no session */
  | { kind: 'compare'; comparator: TextComparator; expected: string; actual: Buffer };

export type SessionResponse =
  /** image: the image reference the session's container runs */
  | { kind: 'open'; image: string }
  | { kind: 'close' }
  | { kind: 'put' }
  | { kind: 'exec'; result: ExecResult }
  | { kind: 'pair'; result: PairResult }
  | { kind: 'get'; files: Map<string, Buffer> }
  | { kind: 'compare'; result: Comparison };

/**
 * A program of requests returning T. A request that fails is thrown into the
 * program at its `yield` (it may catch it); one it does not catch ends the run.
 */
export type SessionProgram<T> = Generator<SessionRequest, T, SessionResponse>;

type Answer<K extends SessionRequest['kind']> = Extract<SessionResponse, { kind: K }>;

function* ask<K extends SessionRequest['kind']>(req: Extract<SessionRequest, { kind: K }>): SessionProgram<Answer<K>> {
  const res = yield req;
  if (res.kind !== req.kind) throw new Error(`sandbox program: '${req.kind}' answered with '${res.kind}'`);
  return res as Answer<K>;
}

/** Open a session; returns the image reference its container runs. */
export function* open(profile: SessionProfile, lane?: 'cpu' | 'run'): SessionProgram<string> {
  return (yield* ask<'open'>({ kind: 'open', profile, ...(lane ? { lane } : {}) })).image;
}

export function* close(): SessionProgram<void> {
  yield* ask<'close'>({ kind: 'close' });
}

export function* put(files: FileEntry[]): SessionProgram<void> {
  yield* ask<'put'>({ kind: 'put', files });
}

export function* exec(step: Step): SessionProgram<ExecResult> {
  return (yield* ask<'exec'>({ kind: 'exec', step })).result;
}

export function* pair(step: PairStep): SessionProgram<PairResult> {
  return (yield* ask<'pair'>({ kind: 'pair', step })).result;
}

export function* get(paths: string[]): SessionProgram<Map<string, Buffer>> {
  return (yield* ask<'get'>({ kind: 'get', paths })).files;
}

export function* compare(comparator: TextComparator, expected: string, actual: Buffer): SessionProgram<Comparison> {
  return (yield* ask<'compare'>({ kind: 'compare', comparator, expected, actual })).result;
}

/** Thrown by a program whose own trusted step could not start in the container (the executor reports it as the sandbox's failure). */
export class NotStartedError extends Error {}
