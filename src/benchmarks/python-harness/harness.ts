import crypto from 'node:crypto';
import { z } from 'zod';
import type { ExecResult, ProcessLimits } from '../../sandbox/types.js';
import { runnerCode } from '../python-runner.js';
import { stringifyWithRaw } from '../raw-json.js';
import type { PlanProfile, RunPlan } from '../types.js';
import { ReasonSchema, type Reason, type TestResult, type Outcome } from '../../domain.js';

// The in-sandbox Python judge (verdict_harness.py, beside this file) is
// shipped with every run rather than baked into an image, so it is versioned
// with the graders that speak its protocol.
export const HARNESS_FILE = 'verdict_harness.py';
export function harnessCode(): string {
  return runnerCode('python-harness', HARNESS_FILE);
}

export function pythonProfile(memoryBytes: number): PlanProfile {
  return { image: 'python', memoryBytes, cpus: 1, pidsLimit: 256, workBytes: 64 << 20, tmpBytes: 64 << 20 };
}

export const SPEC_FILE = 'spec.json';

/**
 * A plan that runs the harness once. The harness deletes the spec file before
 * any candidate code starts, and tags its lines with a per-run nonce the
 * candidate never sees, so only its own lines count.
 */
export function harnessPlan(profile: PlanProfile, spec: Record<string, unknown>, limits: ProcessLimits): RunPlan {
  const nonce = crypto.randomBytes(16).toString('hex');
  return {
    profile,
    nonce,
    files: [
      { path: HARNESS_FILE, content: harnessCode(), owner: 'judge' },
      // the judge's alone: code under test runs as another uid and cannot read it
      { path: SPEC_FILE, content: stringifyWithRaw({ ...spec, nonce }), mode: 0o600, owner: 'judge' },
    ],
    steps: [
      {
        argv: ['python3', '-I', HARNESS_FILE, SPEC_FILE],
        // the harness is trusted and runs candidates in fresh interpreters
        pythonFork: true,
        // its candidates are forked from a clean pre-started interpreter
        forkServer: true,
        // and it is one long-lived judge process per container, not a fork per grade
        judgeServer: true,
        identity: 'judge',
        env: { PYTHONDONTWRITEBYTECODE: '1', OMP_NUM_THREADS: '1', TZ: 'UTC' },
        limits,
      },
    ],
  };
}

const EventSchema = z.looseObject({ event: z.string() });
const TestEventSchema = z.looseObject({
  event: z.literal('test'),
  index: z.number().int(),
  group: z.string().optional(),
  status: z.enum(['pass', 'fail', 'timeout', 'error']),
  time_ms: z.number().optional(),
});
const ResultEventSchema = z.looseObject({
  event: z.literal('result'),
  status: z.enum(['pass', 'fail', 'error']),
  reason: z.string().nullable().optional(),
  detail: z.string().nullable().optional(),
  groups: z.record(z.string(), z.enum(['pass', 'fail', 'skipped'])).optional(),
  official: z.object({ status: z.enum(['pass', 'fail']), reason: z.string().nullable() }).optional(),
});

export type HarnessEvent = z.infer<typeof EventSchema>;

export function harnessEvents(stdout: Buffer, nonce: string | undefined): HarnessEvent[] {
  const out: HarnessEvent[] = [];
  for (const line of stdout.toString('utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const r = EventSchema.safeParse(JSON.parse(line));
      if (r.success && (nonce === undefined || r.data.nonce === nonce)) out.push(r.data);
    } catch {
      /* a partial last line after a kill */
    }
  }
  return out;
}

/** Raw results of a harness run → outcome, never trusting the candidate's exit code. */
export function harnessOutcome(plan: RunPlan, results: ExecResult[]): Outcome {
  const r = results[0];
  if (!r) return infra('harness_error', 'no result from the sandbox');
  if (r.spawnError) return infra('harness_error', `could not start the harness: ${r.spawnError}`);
  const events = harnessEvents(r.stdout, plan.nonce);
  const tests: TestResult[] = [];
  for (const e of events) {
    const t = TestEventSchema.safeParse(e);
    if (t.success) {
      const tr: TestResult = { index: t.data.index, status: t.data.status };
      if (t.data.group !== undefined) tr.group = t.data.group;
      if (t.data.time_ms !== undefined) tr.time_ms = t.data.time_ms;
      tests.push(tr);
    }
  }
  const final = events.reverse().find((e) => e.event === 'result');
  const res = final ? ResultEventSchema.safeParse(final) : undefined;
  if (res?.success) {
    const d = res.data;
    if (d.status === 'error') return infra('harness_error', d.detail ?? 'harness error', tests);
    let reason = d.status === 'pass' ? null : parseReason(d.reason);
    // The judge sees only a SIGKILLed candidate; the agent saw the OOM killer fire.
    if (reason === 'runtime_error' && r.oomKilled) reason = 'memory_limit';
    const out: Outcome = { status: d.status, reason, tests };
    if (d.detail) out.detail = d.detail;
    if (d.groups) out.groups = d.groups;
    if (d.official) out.official = { status: d.official.status, reason: d.official.status === 'pass' ? null : parseReason(d.official.reason) };
    return out;
  }
  // No verdict line: decide from how the harness ended.
  if (r.oomKilled) return { status: 'fail', reason: 'memory_limit', detail: 'killed by the out-of-memory killer', tests };
  if (r.timedOut) return { status: 'fail', reason: 'timeout', detail: 'wall-clock limit of the run exceeded', tests };
  if (r.outputLimitExceeded) return { status: 'fail', reason: 'output_limit', tests };
  if (r.signal !== null) {
    // Only the candidate runs next to the harness: a signal death is its doing.
    return { status: 'fail', reason: 'runtime_error', detail: `grading process killed by signal ${r.signal}`, tests };
  }
  const err = r.stderr.toString('utf8').trim().slice(-800);
  return infra('harness_error', `harness exited ${r.exitCode} without a verdict: ${err}`, tests);
}

function parseReason(v: string | null | undefined): Reason {
  const r = ReasonSchema.safeParse(v);
  return r.success ? r.data : 'runtime_error';
}

function infra(reason: Reason, detail: string, tests: TestResult[] = []): Outcome {
  return { status: 'infra_error', reason, detail, tests };
}

/**
 * The sandbox's wall-clock backstop for a harness run whose own limit is
 * `budgetS`. The harness enforces the real limit on a load-adjusted clock
 * (run-queue waits do not count), so on a busy machine a legitimate run may
 * take several times its budget in wall time; the backstop only catches a
 * harness that hangs.
 */
export function harnessBackstopMs(budgetS: number): number {
  return Math.ceil(budgetS * 1000) * 10 + 30_000;
}
