import { z } from 'zod';

// The judge core's contract: one stdin/stdout (or file) program, many tests,
// compiled once and run in one warm container; outputs compared in the
// service. Judge benchmarks (Codeforces, inline stdin problems) build a JudgeTask
// and read a JudgeReport; nothing here knows about any of them.

export const JudgeLanguageSchema = z.enum(['python3', 'cpp17', 'java']);
export type JudgeLanguage = z.infer<typeof JudgeLanguageSchema>;

export const CheckerSchema = z.object({
  kind: z.literal('checker'),
  /**
   * python: `python3 checker.py input expected actual`, pass iff stdout is `1` or `100` (open-r1);
   * testlib: `checker input actual expected`, exit 0 = accepted.
   */
  style: z.enum(['python', 'testlib']),
  source: z.string().min(1),
  language: JudgeLanguageSchema,
  /** per check, wall */
  timeLimitMs: z.number().int().positive().max(120_000).default(10_000),
});
export type Checker = z.infer<typeof CheckerSchema>;

export const ComparatorSchema = z.discriminatedUnion('kind', [
  /** byte-for-byte */
  z.object({ kind: z.literal('exact') }),
  /** equal after stripping leading/trailing whitespace of the whole output (USACO) */
  z.object({ kind: z.literal('strip') }),
  /** equal sequences of whitespace-separated tokens */
  z.object({ kind: z.literal('token') }),
  /** LiveCodeBench: strip, split lines, strip each, equal line count, each line equal or Decimal-equal tokens */
  z.object({ kind: z.literal('lcb') }),
  /** open-r1/Piston: \r and empty lines dropped, yes/no upper-cased, all whitespace collapsed */
  z.object({ kind: z.literal('openr1') }),
  /** tokens equal, or both numbers within abs or rel tolerance */
  z.object({ kind: z.literal('float'), abs: z.number().nonnegative().default(1e-6), rel: z.number().nonnegative().default(1e-6) }),
  /** both outputs are JSON texts, equal as values */
  z.object({ kind: z.literal('json') }),
  CheckerSchema,
]);
export type Comparator = z.infer<typeof ComparatorSchema>;
export type ComparatorInput = z.input<typeof ComparatorSchema>;

export const JudgeCaseSchema = z.object({
  input: z.string(),
  expected: z.string(),
  name: z.string().optional(),
});
export type JudgeCase = z.infer<typeof JudgeCaseSchema>;

export const ProgramSchema = z.object({ language: JudgeLanguageSchema, source: z.string().min(1) });

export const JudgeTaskSchema = z.object({
  language: JudgeLanguageSchema,
  source: z.string(),
  cases: z.array(JudgeCaseSchema),
  /** per test, wall clock */
  timeLimitMs: z.number().int().positive().max(600_000),
  /** per test, CPU (whole seconds are enforced, rounded up) */
  cpuLimitMs: z.number().int().positive().max(600_000).optional(),
  /** address space of the program (ulimit -v), as Codeforces/Piston; Java gets -Xmx instead */
  memoryMb: z.number().int().min(16).max(16_384),
  comparator: ComparatorSchema,
  /** true: stop at the first failing test (rewards); false: run all (reports) */
  stopOnFirstFailure: z.boolean().default(true),
  /** file: the program reads input.txt and writes output.txt */
  inputMode: z.enum(['stdio', 'file']).default('stdio'),
  /** interactive: the interactor is wired to the program's stdin/stdout; it gets `input.txt output.txt` as argv and exit 0 = accepted */
  interactor: ProgramSchema.optional(),
  /** more files beside the program (headers, data) */
  extraFiles: z.array(z.object({ path: z.string().min(1), content: z.string() })).optional(),
  /** stdout beyond this kills the program (WA, detail output limit) */
  outputLimitBytes: z.number().int().positive().max(256 << 20).default(64 << 20),
  compileTimeLimitMs: z.number().int().positive().max(300_000).default(60_000),
});
export type JudgeTask = z.infer<typeof JudgeTaskSchema>;
export type JudgeTaskInput = z.input<typeof JudgeTaskSchema>;

export const CaseVerdictSchema = z.enum(['AC', 'WA', 'TLE', 'MLE', 'RE']);
export type CaseVerdict = z.infer<typeof CaseVerdictSchema>;

export const CaseResultSchema = z.object({
  index: z.number().int(),
  verdict: CaseVerdictSchema,
  timeMs: z.number(),
  cpuMs: z.number().optional(),
  memoryKb: z.number(),
  /** short reason; may quote the program's output, never the test */
  detail: z.string().optional(),
});
export type CaseResult = z.infer<typeof CaseResultSchema>;

export const JudgeVerdictSchema = z.enum(['AC', 'WA', 'TLE', 'MLE', 'RE', 'CE']);
export type JudgeVerdict = z.infer<typeof JudgeVerdictSchema>;

export const JudgeReportSchema = z.object({
  compile: z.object({ ok: z.boolean(), output: z.string().optional(), timeMs: z.number() }),
  /** AC iff every case is AC (and there is at least one); else the first failing case's verdict */
  verdict: JudgeVerdictSchema,
  /** in test order; with stopOnFirstFailure the cases after the first failure are absent */
  cases: z.array(CaseResultSchema),
});
export type JudgeReport = z.infer<typeof JudgeReportSchema>;
