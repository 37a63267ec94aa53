import type { z } from 'zod';
import type { ExecResult, FileEntry, Step, VolumeFill, VolumeMount } from '../sandbox/types.js';
import type { ProblemRecord } from '../store/store.js';
import type { Reason, TestResult } from '../schemas.js';
import type { JudgeReport, JudgeTask } from '../judge/types.js';

/** Container needs of a plan; `image` is a sandbox name (folder under sandboxes/). */
export interface PlanProfile {
  image: string;
  memoryBytes: number;
  cpus: number;
  pidsLimit: number;
  workBytes: number;
  tmpBytes: number;
  /** named volumes mounted read-only (e.g. compiler caches filled by `volumes` at import) */
  volumes?: VolumeMount[];
}

export interface RunPlan {
  profile: PlanProfile;
  /** per-run secret a trusted in-sandbox judge tags its output with */
  nonce?: string;
  files: FileEntry[];
  /** run in order in one container; a step with stopOnFailure ends the plan when it exits non-zero */
  steps: Array<Step & { stopOnFailure?: boolean }>;
}

/** Thrown by a benchmark for a problem this installation cannot grade (e.g. a dependency no image has). */
export class UnsupportedProblemError extends Error {}

/** What a benchmark concludes from the raw results; the grader adds the rest. */
export interface Outcome {
  status: 'pass' | 'fail' | 'infra_error';
  reason: Reason | null;
  detail?: string;
  tests: TestResult[];
  groups?: Record<string, 'pass' | 'fail' | 'skipped'>;
  /** a reward other than pass = 1 / else 0 (e.g. Codeforces partial or weighted_sum scoring) */
  reward?: number;
  /** what the official harness would say, when the (strict) status differs from it */
  official?: { status: 'pass' | 'fail'; reason: Reason | null };
}

/** `verdict import` flags; each benchmark reads the ones it knows. */
export interface ReadOptions {
  version?: string;
  ids?: string;
  /** LiveCodeBench: release_v1…release_v6, release_latest, v1…v6, v1_v3, … */
  release?: string;
  /** LiveCodeBench: contest_date window, YYYY-MM-DD, inclusive as --start_date/--end_date */
  startDate?: string;
  endDate?: string;
}

export interface ImportResult {
  version: string;
  problems: ProblemRecord[];
}

/**
 * One benchmark: official files → problems; (problem, completion, options) →
 * run plan; raw results → outcome. Nothing here touches Docker.
 */
export interface Benchmark<Options = unknown, Calibration = unknown> {
  name: string;
  description: string;
  /** bumps whenever grading semantics change, so cached verdicts are not reused across it */
  graderVersion: string;
  /** per-request options (beyond the common ones), validated by the grader */
  options: z.ZodType<Options>;
  /** read the benchmark's official files; `ids` is a file listing the task ids of a subset */
  read(path: string, opts: ReadOptions): Promise<ImportResult>;
  /** extract the code to run from a model completion */
  extract(problem: ProblemRecord, completion: string, options: Options): string;
  /** optional one-off sandbox run per problem whose result plans depend on (reference outputs, timings) */
  calibration?: {
    key(options: Options): string;
    plan(problem: ProblemRecord): RunPlan;
    parse(problem: ProblemRecord, results: ExecResult[], plan: RunPlan): Calibration;
  };
  plan(problem: ProblemRecord, code: string, options: Options, calibration: Calibration | undefined): RunPlan;
  /**
   * The container profile its plans take with these options, where most
   * problems share one: start-up warms it (default options) while the
   * benchmark is served (src/compose.ts). Left out where it varies by problem.
   */
  warmProfile?(options: Options): PlanProfile;
  outcome(problem: ProblemRecord, plan: RunPlan, results: ExecResult[]): Outcome;
  /**
   * Competitive programming: a judge task (src/judge) instead of a run plan.
   * When present the grader runs the judge core and calls judgeOutcome; plan
   * and outcome are then never called (see judgeOnly in src/judge/outcome.ts).
   * An Outcome instead of a task is the verdict without a run (e.g. no code);
   * undefined means this problem uses plan and outcome after all.
   */
  judge?(problem: ProblemRecord, code: string, options: Options): JudgeTask | Outcome | undefined;
  judgeOutcome?(problem: ProblemRecord, report: JudgeReport, options: Options): Outcome;
  /** the reference solution as a completion this benchmark grades as correct (for `verdict selftest`) */
  canonical?(problem: ProblemRecord): { completion: string; options?: Record<string, unknown> };
  /**
   * Caches to fill at import from trusted benchmark files only (never candidate
   * code), run by src/sandbox/volumes.ts; grades mount them read-only.
   */
  volumes?(problems: ProblemRecord[]): VolumeFill[];
  /** fields of problem.public worth listing */
  entryPoint?(problem: ProblemRecord): string | undefined;
}

/** Methods are bivariant, so any concrete benchmark fits here. */
export type AnyBenchmark = Benchmark<unknown, unknown>;
