import crypto from 'node:crypto';
import { z } from 'zod';
import { compareOutput, pySplit, pyStrip } from '../../judge/compare.js';
import type { ExecResult } from '../../sandbox/types.js';
import { lcbTests, readLiveCodeBench, type LcbHidden } from './data.js';
import { harnessEvents, pythonProfile } from '../python-harness/harness.js';
import { decodeTagged, parsePythonJson, pyEquals, type PyValue } from '../python-value.js';
import { runnerCode, workBucket } from '../python-runner.js';
import type { PlanBenchmark, RunPlan } from '../types.js';
import { newWitnessKey, signedReports, witnessKeyOf } from '../witness.js';
import type { Reason, TestResult, Outcome, ProblemRecord } from '../../domain.js';

// LiveCodeBench code generation, graded as lcb_runner/evaluation/
// testing_util.py @28fef95 does: the candidate runs in one process for all
// tests (lcb_runner.py reproduces the harness, stdin mocks and quirks
// included), each test under a 6 s alarm, the whole run under
// (timeout + 1) × tests + 5 s. Outputs come back to the service, which
// compares: stdin problems line by line then by Decimal tokens, functional
// problems by Python equality with a returned tuple read as a list. The
// expected outputs never enter the sandbox. The candidate shares the runner's
// interpreter, so a test passes only on a report signed by the runner's
// witness thread with a key the service hands it on stdin (witness.ts):
// reports the program writes itself count only as failures.

export const RUNNER_FILE = 'lcb_runner.py';

const OptionsSchema = z
  .object({
    mode: z
      .enum(['official', 'lenient'])
      .default('official')
      .describe(
        "official: the verdict LiveCodeBench's harness gives. lenient (NOT official, opt-in): floats compare within float_tolerance, " +
          'sys.stdin is a real text stream (iterable, working buffer.readline), sys.stdout.buffer works, no int→str digit limit',
      ),
    timeout_s: z.number().int().min(1).max(60).default(6).describe('per-test alarm in whole seconds (official: 6)'),
    extraction: z
      .enum(['last_fence', 'raw'])
      .default('last_fence')
      .describe('last_fence: lines between the last two lines containing ``` (official; fewer than two → empty code). raw: the whole completion, stripped (GenericBase models)'),
    float_tolerance: z.number().min(0).max(1).default(1e-6).describe('lenient mode only: absolute or relative tolerance for floats'),
    memory_mb: z.number().int().min(128).max(16384).default(2048).describe('container memory (official: no limit)'),
  })
  .strict();
type Options = z.infer<typeof OptionsSchema>;

/** the Python judge with the options' memory; a problem with a large test spec gets a larger /work */
const baseProfile = (options: Options) => pythonProfile(options.memory_mb * 1024 * 1024);

/** lcb_runner/utils/extraction_utils.py extract_code for chat models. */
export function extractLastFence(completion: string): string {
  const lines = completion.split('\n');
  const fences = lines.flatMap((l, i) => (l.includes('```') ? [i] : []));
  if (fences.length < 2) return '';
  return lines.slice(fences[fences.length - 2]! + 1, fences[fences.length - 1]).join('\n');
}

export const livecodebench: PlanBenchmark<Options> = {
  kind: 'plan',
  name: 'livecodebench',
  description: 'LiveCodeBench code generation (code_generation_lite, release_v1…v6), graded with the official testing_util semantics',
  graderVersion: '1',
  options: OptionsSchema,

  async read(file, opts) {
    return readLiveCodeBench(file, opts);
  },

  extract: (_problem, completion, options) => ({
    code: options.extraction === 'raw' ? pyStrip(completion) : extractLastFence(completion),
  }),

  warmProfile: baseProfile,

  plan(problem, { code }, options) {
    const hidden = lcbTests(problem);
    const n = hidden.tests.length;
    const nonce = crypto.randomBytes(16).toString('hex');
    const spec = JSON.stringify({
      nonce,
      code,
      mode: hidden.fn_name === null ? 'stdin' : 'functional',
      fn_name: hidden.fn_name,
      inputs: hidden.tests.map((t) => t.input),
      timeout_s: options.timeout_s,
      lenient: options.mode === 'lenient',
      float_tolerance: options.float_tolerance,
    });
    // Room for every output twice over; nothing here depends on one test's answer.
    const expectedBytes = hidden.tests.reduce((s, t) => s + t.output.length, 0);
    const capture = Math.min(512 << 20, 4 * expectedBytes + n * 4096 + (1 << 20));
    const profile = baseProfile(options);
    profile.workBytes = workBucket(2 * Buffer.byteLength(spec));
    const witness = newWitnessKey();
    return {
      profile,
      nonce,
      files: [
        // judge-owned and read-only to the program: the fork server may run its module body
        { path: RUNNER_FILE, content: runnerCode('livecodebench', RUNNER_FILE), mode: 0o644, owner: 'judge' },
        { path: 'spec.json', content: spec, mode: 0o600 },
      ],
      steps: [
        {
          // the candidate runs inside this process: a fork of the container's
          // fork server (the runner's imports done once), else a fresh interpreter
          argv: ['python3', '-I', RUNNER_FILE, 'spec.json'],
          zygote: true,
          // read by the witness thread before any program code exists
          stdin: witness.stdin,
          env: { PYTHONDONTWRITEBYTECODE: '1', TZ: 'UTC' },
          limits: {
            // check_correctness's global limit, plus interpreter start-up
            wallMs: ((options.timeout_s + 1) * n + 5) * 1000 + 1000,
            captureBytes: capture,
            outputBytes: 2 * capture,
          },
        },
      ],
    };
  },

  outcome: (problem, plan, results) => lcbOutcome(problem, plan, results, planSpec(plan)),

  entryPoint: (problem) => (typeof problem.public.func_name === 'string' ? problem.public.func_name : undefined),
};

interface PlanSpec {
  code: string;
  lenient: boolean;
  float_tolerance: number;
  timeout_s: number;
}

/** outcome() gets no options: the spec the plan carries says how it was run. */
function planSpec(plan: RunPlan): PlanSpec {
  const f = plan.files.find((x) => x.path === 'spec.json');
  return JSON.parse(String(f?.content ?? '{}')) as PlanSpec;
}

const TestEvent = z.looseObject({
  event: z.literal('test'),
  index: z.number().int().nonnegative(),
  status: z.enum(['ok', 'timeout', 'error']),
  output: z.string().optional(),
  value: z.unknown().optional(),
  error: z.string().optional(),
  etype: z.string().optional(),
  time_ms: z.number().optional(),
});
const CompiledEvent = z.looseObject({ event: z.literal('compiled'), ok: z.boolean(), error: z.string().optional(), syntax: z.boolean().optional() });

function lcbOutcome(problem: ProblemRecord, plan: RunPlan, results: ExecResult[], spec: PlanSpec): Outcome {
  const hidden = lcbTests(problem);
  const r = results[0];
  if (!r) return { status: 'infra_error', reason: 'harness_error', detail: 'no result from the sandbox', tests: [] };
  if (r.spawnError) return { status: 'infra_error', reason: 'harness_error', detail: `could not start the runner: ${r.spawnError}`, tests: [] };
  const events = harnessEvents(r.stdout, plan.nonce);
  const lenient = spec.lenient;
  const label = (i: number) => `test ${i} (${i < hidden.num_public ? 'public' : 'private'})`;
  const tests: TestResult[] = [];
  const fail = (reason: Reason, detail: string): Outcome => {
    for (let i = tests.length; i < hidden.tests.length; i++) tests.push({ index: i, status: 'skipped', group: group(hidden, i) });
    return { status: 'fail', reason, detail: lenient ? `lenient mode (not official): ${detail}` : detail, tests };
  };

  const compiled = events.map((e) => CompiledEvent.safeParse(e)).find((c) => c.success)?.data;
  if (compiled && !compiled.ok) {
    if (!spec.code.trim()) return fail('no_code', 'no code extracted from the completion');
    return fail(compiled.syntax ? 'compile_error' : 'runtime_error', compiled.error ?? 'could not load the program');
  }
  // Passes and the end of the run: only what the witness signed, the k-th
  // signed test report being test k's. Failures: whatever says so (a program
  // that forges its own failure fails).
  const key = witnessKeyOf(plan.steps[0]?.stdin);
  if (!key) return { status: 'infra_error', reason: 'harness_error', detail: 'the plan carries no witness key', tests: [] };
  const signed = signedReports(r.stdout, key);
  if (signed.forged) return fail('runtime_error', 'forged or corrupt report from the test process');
  const passed: Array<z.infer<typeof TestEvent>> = [];
  let done = false;
  for (const s of signed.reports) {
    let ev: unknown;
    try {
      ev = JSON.parse(s.text);
    } catch {
      return fail('runtime_error', 'corrupt report from the test process');
    }
    if (s.kind === 'done' && !done) {
      done = true;
      continue;
    }
    const t = TestEvent.safeParse(ev);
    if (s.kind !== 'test' || done || !t.success || t.data.status !== 'ok' || t.data.index !== passed.length) {
      return fail('runtime_error', 'corrupt report from the test process');
    }
    passed.push(t.data);
  }
  const failed = new Map<number, z.infer<typeof TestEvent>>();
  for (const e of events) {
    const t = TestEvent.safeParse(e);
    if (t.success && t.data.status !== 'ok' && !failed.has(t.data.index)) failed.set(t.data.index, t.data);
  }
  let expectedValues: PyValue[] | undefined;
  if (hidden.fn_name !== null) {
    try {
      expectedValues = hidden.tests.map((t) => parsePythonJson(t.output));
    } catch {
      // upstream json.loads()es every expected output before the first call
      return fail('runtime_error', 'the expected outputs of this problem are not JSON (the official harness fails every completion)');
    }
  }
  for (let i = 0; i < hidden.tests.length; i++) {
    const ev = passed[i] ?? failed.get(i);
    if (!ev) return fail(...missing(r, label(i), !compiled));
    const base = { index: i, group: group(hidden, i), ...(ev.time_ms !== undefined ? { time_ms: ev.time_ms } : {}) };
    if (ev.status === 'timeout') {
      tests.push({ ...base, status: 'timeout' });
      return fail('timeout', `${label(i)}: time limit of ${spec.timeout_s} s exceeded`);
    }
    if (ev.status === 'error') {
      tests.push({ ...base, status: 'error' });
      // a hidden test's exception message may quote its input: only the type
      const why = i < hidden.num_public ? (ev.error ?? ev.etype ?? 'error') : (ev.etype ?? 'error');
      return fail(r.oomKilled ? 'memory_limit' : 'runtime_error', `${label(i)}: ${why}`);
    }
    let ok: boolean;
    let why = 'wrong answer';
    if (expectedValues) {
      let got: PyValue;
      try {
        got = decodeTagged(ev.value);
      } catch {
        got = { t: 'opaque', v: 'undecodable' };
      }
      ok = pyEquals(got, expectedValues[i]!, lenient ? { floatTolerance: spec.float_tolerance } : {});
    } else {
      const out = ev.output ?? '';
      const c = lenient ? lenientCompare(hidden.tests[i]!.output, out, spec.float_tolerance) : compareOutput({ kind: 'lcb' }, hidden.tests[i]!.output, out);
      ok = c.ok;
      if (c.detail) why = `wrong answer: ${c.detail}`;
    }
    tests.push({ ...base, status: ok ? 'pass' : 'fail' });
    if (!ok) return fail('wrong_answer', `${label(i)}: ${why}`);
  }
  if (!hidden.tests.length) return fail('runtime_error', 'the problem has no tests');
  // the official harness keeps results only when run_test returns: a process that dies after its last test fails
  if (!done) return fail(...missing(r, 'after the last test', false));
  const out: Outcome = { status: 'pass', reason: null, tests };
  if (lenient) out.detail = 'lenient mode (not official)';
  return out;
}

/** Why a test has no result: how the runner ended. */
function missing(r: ExecResult, label: string, neverLoaded: boolean): [Reason, string] {
  if (r.oomKilled) return ['memory_limit', `${label}: killed by the out-of-memory killer`];
  if (r.timedOut) return ['timeout', `${label}: global time limit of the run exceeded`];
  if (r.stdoutTruncated || r.outputLimitExceeded) return ['output_limit', `${label}: output limit exceeded`];
  if (r.signal !== null) return ['runtime_error', `${label}: process killed by signal ${r.signal}`];
  return ['runtime_error', neverLoaded ? 'the program ended the process while loading' : `${label}: the program ended the process (exit code ${r.exitCode})`];
}

function group(hidden: LcbHidden, i: number): string {
  return i < hidden.num_public ? 'public' : 'private';
}

/** Lenient stdin comparison: the official rule, then numbers within a tolerance. */
function lenientCompare(expected: string, actual: string, tol: number): { ok: boolean; detail?: string } {
  const c = compareOutput({ kind: 'lcb' }, expected, actual);
  if (c.ok) return c;
  const e = pyStrip(expected).split('\n').map(pyStrip);
  const a = pyStrip(actual).split('\n').map(pyStrip);
  if (e.length !== a.length) return c;
  for (let i = 0; i < e.length; i++) {
    if (e[i] === a[i]) continue;
    const te = pySplit(e[i]!);
    const ta = pySplit(a[i]!);
    if (te.length !== ta.length) return { ok: false, detail: `line ${i + 1} differs` };
    for (let j = 0; j < te.length; j++) {
      if (te[j] === ta[j]) continue;
      const x = Number(te[j]);
      const y = Number(ta[j]);
      if (!Number.isFinite(x) || !Number.isFinite(y) || !/^[-+.\deE]+$/.test(te[j]! + ta[j]!)) return { ok: false, detail: `line ${i + 1} differs` };
      const d = Math.abs(x - y);
      if (!(d <= tol || d <= tol * Math.max(Math.abs(x), Math.abs(y)))) return { ok: false, detail: `line ${i + 1} differs` };
    }
  }
  return { ok: true };
}
