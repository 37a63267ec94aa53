import crypto from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import type { ExecResult } from '../../sandbox/types.js';
import { parseAnswer } from './answer.js';
import { forbiddenUse, hideGoTestVars } from './guard.js';
import { cppCacheFills } from './cpp-cache.js';
import { LANGUAGE_SPECS, TEST_TIMEOUT_MS } from './languages.js';
import { PolyglotHiddenSchema, readPolyglot, type PolyglotHidden } from './read.js';
import { jestEvidence, pytestEvidence, REPORT_PREFIX, wrapperFiles, wrapperReport, type Evidence } from './report.js';
import { UnsupportedProblemError, type PlanBenchmark } from '../types.js';
import type { TestResult, Outcome } from '../../domain.js';

// Aider Polyglot (Aider-AI/polyglot-benchmark, benchmark/benchmark.py
// run_test_real): the answer's solution files are laid over the pristine
// exercise, the test files are restored (Java: @Disabled(...) removed; JS:
// xtest( -> test(), and the language's official test command runs in the
// exercise directory. Pass = it exits 0 within 180 s. One request is one try.
//
// Besides the exit code, the runner's own summary must say everything passed:
// a solution that calls exit(0) before the tests run fools the official
// harness, but not this one.

const OptionsSchema = z
  .object({
    timeout_s: z.number().positive().max(600).default(TEST_TIMEOUT_MS / 1000).describe('limit for the test command, build included (official: 180)'),
  })
  .strict();
type Options = z.infer<typeof OptionsSchema>;

/** extracted_code: the files the answer writes, as JSON {path: content} */
const ExtractedSchema = z.record(z.string(), z.string());
const TAIL_CHARS = 1900;
// jest colours its report even into a pipe
// eslint-disable-next-line no-control-regex
const ANSI_SGR = /\u001b\[[0-9;]*m/g;
const CAPTURE_BYTES = 256 << 10;

export const polyglot: PlanBenchmark<Options> = {
  kind: 'plan',
  name: 'polyglot',
  description: 'Aider Polyglot (225 Exercism exercises in C++, Go, Java, JavaScript, Python, Rust), graded with aider\'s test commands offline',
  graderVersion: '3',
  options: OptionsSchema,

  async read(root, opts) {
    const { problems, digest } = await readPolyglot(root);
    return { version: opts.version ?? `1.0+${digest.slice(0, 8)}`, problems };
  },

  extract(problem, completion) {
    const hidden = PolyglotHiddenSchema.parse(problem.hidden);
    const { files } = parseAnswer(completion, hidden.solution, new Set(Object.keys(hidden.files)));
    return { code: JSON.stringify(files) };
  },

  // An answer that could end or fake the test run itself is refused before it
  // runs (polyglot/guard.ts): then the runner's own exit status is evidence.
  refuse(problem, { code }) {
    const hidden = PolyglotHiddenSchema.parse(problem.hidden);
    const why = forbiddenUse(hidden.language, ExtractedSchema.parse(JSON.parse(code)), hidden.test.map((t) => hidden.files[t] ?? ''));
    if (why === undefined) return undefined;
    return { status: 'fail', reason: 'compile_error', detail: `not run: ${why}, which a solution may not use here (it could end or rewrite the test run)`, tests: [] };
  },

  plan(problem, { code }, options) {
    const hidden = PolyglotHiddenSchema.parse(problem.hidden);
    const spec = LANGUAGE_SPECS[hidden.language];
    const missing = spec.unavailable?.[hidden.slug];
    // thrown here, the grader answers infra_error naming the dependency
    if (missing) throw new UnsupportedProblemError(`${problem.id} cannot be graded offline: it needs ${missing}`);
    const answer = ExtractedSchema.parse(JSON.parse(code));
    const files = { ...hidden.files, ...answer };
    for (const t of hidden.test) {
      const pristine = hidden.files[t]!;
      files[t] = spec.prepareTest ? spec.prepareTest(pristine) : pristine;
    }
    const secret = crypto.randomBytes(16).toString('hex');
    if (hidden.language === 'go') {
      // the tests' package variables get per-run names no solution can assign
      const tests = Object.fromEntries(Object.keys(files).filter((f) => f.endsWith('_test.go')).map((f) => [f, files[f]!]));
      Object.assign(files, hideGoTestVars(tests, `_${secret.slice(0, 12)}`) ?? {});
    }
    const proof = spec.witness?.files(hidden.files, hidden.test, secret);
    if (proof) Object.assign(files, proof);
    if (spec.wrapped) Object.assign(files, wrapperFiles(spec.wrapped));
    // C++ CMakeLists name the project after the directory: it must be the slug
    const dir = hidden.slug;
    return {
      profile: { image: spec.image, ...spec.profile },
      ...(proof || spec.wrapped ? { nonce: secret } : {}),
      files: Object.entries(files).map(([p, content]) => ({ path: path.posix.join(dir, p), content })),
      steps: [
        {
          // the wrapper reads the nonce from stdin before anything under test runs
          ...(spec.wrapped
            ? { argv: ['python3', '.verdict/run.py', spec.wrapped], pythonFork: true, stdin: Buffer.from(`${secret}\n`) }
            : { argv: ['/opt/polyglot/run-tests'] }),
          cwd: dir,
          env: { TZ: 'UTC', CI: 'true' },
          limits: { wallMs: Math.round(options.timeout_s * 1000), captureBytes: CAPTURE_BYTES, outputBytes: 32 << 20 },
        },
      ],
    };
  },

  outcome(problem, plan, results) {
    const hidden = PolyglotHiddenSchema.parse(problem.hidden);
    const spec = LANGUAGE_SPECS[hidden.language];
    const witness = plan.nonce !== undefined ? spec.witness?.line(plan.nonce) : undefined;
    const evidence = spec.wrapped && plan.nonce !== undefined && results[0] ? wrappedEvidence(results[0], plan.nonce, hidden) : undefined;
    return testOutcome(results[0], spec, witness, evidence, plan.nonce);
  },

  volumes: cppCacheFills,

  entryPoint: (problem) => {
    const files = problem.public.solution_files;
    return Array.isArray(files) ? files.join(' ') : undefined;
  },
};

function wrappedEvidence(r: ExecResult, nonce: string, hidden: PolyglotHidden): Evidence {
  const raw = wrapperReport(r.stdout.toString('utf8'), nonce);
  const tests = hidden.test.map((t): [string, string] => [t, hidden.files[t] ?? '']);
  return hidden.language === 'javascript' ? jestEvidence(raw, tests.map(([, src]) => src)) : pytestEvidence(raw, tests);
}

function testOutcome(
  r: ExecResult | undefined,
  spec: (typeof LANGUAGE_SPECS)[keyof typeof LANGUAGE_SPECS],
  witness: string | undefined,
  evidence: Evidence | undefined,
  nonce: string | undefined,
): Outcome {
  if (!r) return { status: 'infra_error', reason: 'harness_error', detail: 'no result from the sandbox', tests: [] };
  if (r.spawnError) return { status: 'infra_error', reason: 'harness_error', detail: `could not start the test command: ${r.spawnError}`, tests: [] };
  let out = (r.stdout.toString('utf8') + '\n' + r.stderr.toString('utf8')).replace(ANSI_SGR, '');
  // the wrapper's report line is ours: read above, kept out of the detail
  if (evidence && nonce !== undefined) out = out.split('\n').filter((l) => !l.startsWith(`${REPORT_PREFIX}${nonce} `)).join('\n');
  // the witness line is ours: checked, then kept out of the detail
  const witnessed = witness === undefined || out.split('\n').includes(witness);
  if (witness !== undefined) out = out.split(witness).join('').replace(spec.witness?.noise ?? /$^/, '');
  const detail = tail(out);
  const one = (status: TestResult['status']): TestResult[] => [{ index: 0, status, time_ms: Math.round(r.wallMs) }];
  if (r.timedOut) return { status: 'fail', reason: 'timeout', detail: `Tests timed out!\n${detail}`, tests: one('timeout') };
  if (r.oomKilled) return { status: 'fail', reason: 'memory_limit', detail, tests: one('error') };
  if (r.outputLimitExceeded) return { status: 'fail', reason: 'output_limit', detail, tests: one('error') };
  // wrapped: the command's own exit status is in the report (the wrapper always exits 0)
  const exit = evidence ? evidence.rc : r.exitCode;
  if (exit === 0) {
    if (evidence?.missing) return { status: 'fail', reason: 'runtime_error', detail: `the test command exited 0, but ${evidence.missing}\n${detail}`, tests: one('error') };
    if (spec.summaryPassed(out) && witnessed) return { status: 'pass', reason: null, detail, tests: one('pass') };
    const why = witnessed ? 'without its passing summary' : 'before all tests ran';
    return { status: 'fail', reason: 'runtime_error', detail: `the test command exited 0 ${why}\n${detail}`, tests: one('error') };
  }
  const reason = spec.compileFailed(out) ? 'compile_error' : r.signal !== null ? 'runtime_error' : 'wrong_answer';
  return { status: 'fail', reason, detail, tests: one('fail') };
}

/** The end of the output, where test runners put failures and summaries. */
function tail(out: string): string {
  const t = out.replace(/\n{3,}/g, '\n\n').trim();
  return t.length <= TAIL_CHARS ? t : '…' + t.slice(-TAIL_CHARS);
}
