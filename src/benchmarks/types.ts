import type { z } from 'zod';
import type { ExecResult, FileEntry, Step, VolumeFill, VolumeMount } from '../sandbox/types.js';
import type { JudgeReport, JudgeTask } from '../judge/types.js';
import type { Reason, TestResult, ProblemRecord } from '../domain.js';
import type { Outcome } from '../domain.js';

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

/** What extract() reads off a completion: the code to run, and whatever else its benchmark needs (Codeforces: the block's language). */
export interface Extraction {
  code: string;
}

/** What every benchmark has, whichever way it runs. */
interface BenchmarkBase<Options, Extracted extends Extraction> {
  name: string;
  description: string;
  /** bumps whenever grading semantics change, so cached verdicts are not reused across it */
  graderVersion: string;
  /** per-request options (beyond the common ones), validated by the grader */
  options: z.ZodType<Options>;
  /** read the benchmark's official files; `ids` is a file listing the task ids of a subset */
  read(path: string, opts: ReadOptions): Promise<ImportResult>;
  /** the code to run (and what else a grade needs of the completion), passed on to plan or judge */
  extract(problem: ProblemRecord, completion: string, options: Options): Extracted;
  /**
   * The container profile its plans take with these options, where most
   * problems share one: start-up warms it (default options) while the
   * benchmark is served (src/compose.ts). Left out where it varies by problem.
   */
  warmProfile?(options: Options): PlanProfile;
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

/**
 * A benchmark graded by run plans: (problem, extraction, options) → run plan;
 * raw results → outcome. Nothing here touches Docker.
 */
export interface PlanBenchmark<Options = unknown, Calibration = unknown, Extracted extends Extraction = Extraction> extends BenchmarkBase<Options, Extracted> {
  kind: 'plan';
  /** optional one-off sandbox run per problem whose result plans depend on (reference outputs, timings) */
  calibration?: {
    key(options: Options): string;
    plan(problem: ProblemRecord): RunPlan;
    parse(problem: ProblemRecord, results: ExecResult[], plan: RunPlan): Calibration;
  };
  /** an answer decided without running (e.g. Polyglot's refused APIs), before calibration and plan; undefined: it runs */
  refuse?(problem: ProblemRecord, extracted: Extracted, options: Options): Outcome | undefined;
  plan(problem: ProblemRecord, extracted: Extracted, options: Options, calibration: Calibration | undefined): RunPlan;
  outcome(problem: ProblemRecord, plan: RunPlan, results: ExecResult[]): Outcome;
}

/** What a judge benchmark does with one answer. */
export type Judging =
  /** the judge core runs the task; judgeOutcome reads its report */
  | { kind: 'judge'; task: JudgeTask }
  /** a run plan instead (inline problems with assert tests), with the outcome of its results */
  | { kind: 'plan'; plan: RunPlan; outcome(results: ExecResult[]): Outcome }
  /** the verdict without a run (e.g. no code) */
  | { kind: 'decided'; outcome: Outcome };

/** Competitive programming: stdin/stdout programs on the judge core (src/judge). */
export interface JudgeBenchmark<Options = unknown, Extracted extends Extraction = Extraction> extends BenchmarkBase<Options, Extracted> {
  kind: 'judge';
  judge(problem: ProblemRecord, extracted: Extracted, options: Options): Judging;
  judgeOutcome(problem: ProblemRecord, report: JudgeReport, options: Options): Outcome;
}

export type Benchmark<Options = unknown, Calibration = unknown, Extracted extends Extraction = Extraction> =
  | PlanBenchmark<Options, Calibration, Extracted>
  | JudgeBenchmark<Options, Extracted>;

/** Methods are bivariant, so any concrete benchmark fits here. */
export type AnyBenchmark = Benchmark<unknown, unknown, Extraction>;
