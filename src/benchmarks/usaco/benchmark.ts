import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { pyStrip } from '../../judge/compare.js';
import type { ExecResult } from '../../sandbox/types.js';
import { harnessEvents, pythonProfile } from '../python-harness/harness.js';
import { runnerCode, workBucket } from '../python-runner.js';
import type { PlanBenchmark, ImportResult, RunPlan } from '../types.js';
import type { Reason, TestResult, ProblemRecord } from '../../domain.js';

// USACO-Bench (princeton-nlp/USACO @46f18c8): Python 3 only; the code is the
// first ```python block of the response, else the whole response; each test
// runs in a fresh forked process (usaco_runner.py reproduces
// check_correctness: exec with stdin/stdout redirected to files, RLIMIT_AS of
// memory_limit × 10^6 bytes, runtime_limit seconds), and passes iff it ran to
// the end and pred.strip() == expected.strip(). Expected outputs stay here.

export const RUNNER_FILE = 'usaco_runner.py';

const RecordSchema = z.looseObject({
  problem_id: z.string().min(1),
  name: z.string().optional(),
  problem_level: z.string().optional(),
  description: z.string(),
  num_tests: z.number().int().positive(),
  runtime_limit: z.number().positive().max(600),
  memory_limit: z.number().positive().max(16384),
});

export const UsacoHiddenSchema = z.object({
  inputs: z.array(z.string()),
  /** newlines normalised as upstream's text-mode read does; stripped when compared */
  outputs: z.array(z.string()),
  runtime_limit: z.number(),
  memory_limit: z.number(),
});

const OptionsSchema = z
  .object({
    mode: z
      .enum(['fail_fast', 'eval_all'])
      .default('fail_fast')
      .describe('fail_fast: stop at the first test that fails to run (rewards); eval_all: run every test and report how many passed'),
    runtime_limit_s: z.number().positive().max(600).optional().describe("per-test wall limit; default the problem's runtime_limit"),
    memory_limit_mb: z.number().positive().max(16384).optional().describe("address space in decimal MB; default the problem's memory_limit"),
  })
  .strict();
type Options = z.infer<typeof OptionsSchema>;

/** USACOBench/utils.py get_code_from_solution: first ```python … ``` block, else everything. */
export function extractFirstPythonBlock(response: string): string {
  const begin = response.indexOf('```python');
  if (begin < 0) return response;
  const end = response.indexOf('```', begin + '```python'.length);
  if (end < 0) return response;
  return response.slice(begin + '```python'.length, end);
}

// USACOBench/prompts.py solve_prompt_fn
export function solvePrompt(description: string): string {
  return `Please reply with a Python 3 solution to the below problem. Make sure to wrap your code in '\`\`\`python' and '\`\`\`' Markdown
delimiters, and include exactly one block of code with the entire solution
(in the final code step).
Reason through the problem and:
1. Restate the problem in plain English
2. Conceptualize a solution first in plain English
3. Write a pseudocode solution
4. Output the final Python solution with your solution steps in comments.
No outside libraries are allowed.

[BEGIN PROBLEM]
${description}
[END PROBLEM]
`;
}

/** Python's text-mode read: \r\n and lone \r become \n. */
function universalNewlines(s: string): string {
  return s.replace(/\r\n?/g, '\n');
}

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(
    () => true,
    () => false,
  );
}

/** The dict file and the tests folder from a path to either the file or its folder. */
async function locate(p: string): Promise<{ dictFile: string; testsDir: string }> {
  let dictFile = p;
  if ((await fs.stat(p)).isDirectory()) {
    const names = (await fs.readdir(p)).filter((n) => n.endsWith('_dict.json')).sort();
    const pick = names.includes('usaco_subset307_dict.json') ? 'usaco_subset307_dict.json' : names[0];
    if (!pick) throw new Error(`${p}: no *_dict.json (e.g. usaco_subset307_dict.json) in this folder`);
    dictFile = path.join(p, pick);
  }
  const dir = path.dirname(dictFile);
  for (const t of [path.join(dir, 'tests'), path.join(dir, 'usaco_v3', 'tests'), path.join(dir, '..', 'usaco_v3', 'tests')]) {
    if (await exists(t)) return { dictFile, testsDir: t };
  }
  throw new Error(`no tests folder beside ${dictFile} (looked for tests/ and usaco_v3/tests/)`);
}

export async function readUsaco(p: string, opts: { version?: string }): Promise<ImportResult> {
  const { dictFile, testsDir } = await locate(p);
  const text = await fs.readFile(dictFile, 'utf8');
  let dict: Record<string, unknown>;
  try {
    dict = z.record(z.string(), z.unknown()).parse(JSON.parse(text));
  } catch (e) {
    throw new Error(`${dictFile}: not a JSON object of problems (${(e as Error).message})`);
  }
  const digest = crypto.createHash('sha256').update(text);
  const problems: ProblemRecord[] = [];
  for (const [key, value] of Object.entries(dict)) {
    const r = RecordSchema.safeParse(value);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new Error(`${path.basename(dictFile)}: problem ${key}: field ${issue?.path.join('.') || '(record)'}: ${issue?.message ?? 'invalid'}`);
    }
    const rec = r.data;
    const inputs: string[] = [];
    const outputs: string[] = [];
    for (let i = 1; i <= rec.num_tests; i++) {
      // usaco_utils.get_test_in_out_files: {i}.in/{i}.out, else I.{i}/O.{i}
      const dir = path.join(testsDir, rec.problem_id);
      let inFile = path.join(dir, `${i}.in`);
      let outFile = path.join(dir, `${i}.out`);
      if (!(await exists(inFile))) {
        inFile = path.join(dir, `I.${i}`);
        outFile = path.join(dir, `O.${i}`);
      }
      if (!(await exists(inFile)) || !(await exists(outFile))) {
        throw new Error(`problem ${rec.problem_id}: test ${i} of ${rec.num_tests} missing (${i}.in/${i}.out or I.${i}/O.${i} under ${dir})`);
      }
      const [inBuf, outBuf] = await Promise.all([fs.readFile(inFile), fs.readFile(outFile)]);
      digest.update(inBuf).update(outBuf);
      inputs.push(inBuf.toString('utf8'));
      outputs.push(universalNewlines(outBuf.toString('utf8')));
    }
    const samples = Array.isArray(rec.samples) ? rec.samples : undefined;
    problems.push({
      id: rec.problem_id,
      prompt: solvePrompt(rec.description),
      public: {
        name: rec.name ?? rec.problem_id,
        problem_level: rec.problem_level ?? null,
        runtime_limit: rec.runtime_limit,
        memory_limit: rec.memory_limit,
        num_tests: rec.num_tests,
        ...(samples ? { samples } : {}),
      },
      hidden: { inputs, outputs, runtime_limit: rec.runtime_limit, memory_limit: rec.memory_limit },
    });
  }
  if (!problems.length) throw new Error(`${dictFile}: no problems`);
  const base = path.basename(dictFile).replace(/_dict\.json$/, '').replace(/\.json$/, '');
  return { version: opts.version ?? `${base}+${digest.digest('hex').slice(0, 8)}`, problems };
}

export const usaco: PlanBenchmark<Options> = {
  kind: 'plan',
  name: 'usaco',
  description: 'USACO-Bench (princeton-nlp/USACO, e.g. the 307-problem subset), graded as its check_correctness',
  graderVersion: '2',
  options: OptionsSchema,

  read: (file, opts) => readUsaco(file, opts),

  extract: (_problem, completion) => ({ code: extractFirstPythonBlock(completion) }),

  plan(problem, { code }, options) {
    const hidden = UsacoHiddenSchema.parse(problem.hidden);
    const runtime = options.runtime_limit_s ?? hidden.runtime_limit;
    const memoryMb = options.memory_limit_mb ?? hidden.memory_limit;
    const nonce = crypto.randomBytes(16).toString('hex');
    const maxExpected = Math.max(0, ...hidden.outputs.map((o) => Buffer.byteLength(o)));
    // one cap for every test, far above any answer, so it says nothing about one
    const perTest = Math.max(16 << 20, 2 ** Math.ceil(Math.log2(2 * maxExpected + 1)));
    const files = hidden.inputs.map((content, i) => ({ path: `in/${i + 1}.in`, content }));
    const inputs = files.map((f) => `/work/${f.path}`);
    const spec = {
      nonce,
      code,
      inputs,
      runtime_limit: runtime,
      memory_limit: memoryMb,
      max_output_bytes: perTest,
      stop_on_failure: options.mode === 'fail_fast',
    };
    const inputBytes = hidden.inputs.reduce((s, x) => s + Buffer.byteLength(x), 0);
    const n = hidden.inputs.length;
    const capture = Math.min(1 << 30, hidden.outputs.reduce((s, o) => s + 2 * Buffer.byteLength(o) + 4096, 0) + (1 << 20));
    // the address-space limit is the real bound; the container only has to hold it and us
    const profile = pythonProfile(Math.ceil(memoryMb * 1e6) + (384 << 20));
    profile.workBytes = workBucket(inputBytes + Buffer.byteLength(code) + (4 << 20));
    profile.tmpBytes = workBucket(Math.min(4 * perTest, 1 << 30));
    return {
      profile,
      nonce,
      files: [...files, { path: RUNNER_FILE, content: runnerCode('usaco', RUNNER_FILE) }, { path: 'spec.json', content: JSON.stringify(spec), mode: 0o600 }],
      steps: [
        {
          argv: ['python3', '-I', RUNNER_FILE, 'spec.json'],
          env: { PYTHONDONTWRITEBYTECODE: '1', TZ: 'UTC' },
          limits: { wallMs: Math.ceil((runtime + 2) * n * 1000) + 5000, captureBytes: capture, outputBytes: 2 * capture },
        },
      ],
    } satisfies RunPlan;
  },

  outcome(problem, plan, results) {
    const hidden = UsacoHiddenSchema.parse(problem.hidden);
    const spec = JSON.parse(String(plan.files.find((f) => f.path === 'spec.json')?.content ?? '{}')) as {
      stop_on_failure?: boolean;
      runtime_limit?: number;
    };
    const r = results[0];
    if (!r) return { status: 'infra_error', reason: 'harness_error', detail: 'no result from the sandbox', tests: [] };
    if (r.spawnError) return { status: 'infra_error', reason: 'harness_error', detail: `could not start the runner: ${r.spawnError}`, tests: [] };
    const events = new Map<number, TestEvent>();
    for (const e of harnessEvents(r.stdout, plan.nonce)) {
      const t = TestEventSchema.safeParse(e);
      if (t.success && !events.has(t.data.index)) events.set(t.data.index, t.data);
    }
    const done = harnessEvents(r.stdout, plan.nonce).some((e) => e.event === 'done');
    const tests: TestResult[] = [];
    let first: { reason: Reason; detail: string } | undefined;
    let last: typeof first;
    let passed = 0;
    for (let i = 0; i < hidden.inputs.length; i++) {
      const ev = events.get(i);
      if (!ev) {
        if (first && spec.stop_on_failure) {
          tests.push({ index: i, status: 'skipped' });
          continue;
        }
        const why = missingWhy(r, done);
        if (!why) {
          // a traceback, not a signal: the runner failed, not the program
          return { status: 'infra_error', reason: 'harness_error', detail: `runner exited ${r.exitCode} without results: ${r.stderr.toString('utf8').slice(-500)}`, tests };
        }
        tests.push({ index: i, status: 'error' });
        const f = { reason: why[0], detail: `test ${i + 1}: ${why[1]}` };
        first ??= f;
        last = f;
        continue;
      }
      const base = { index: i, time_ms: ev.time_ms };
      let f: { reason: Reason; detail: string } | undefined;
      if (ev.status === 'timed_out') {
        tests.push({ ...base, status: 'timeout' });
        f = { reason: 'timeout', detail: `test ${i + 1}: timed out (${spec.runtime_limit} s)` };
      } else if (ev.status === 'failed') {
        tests.push({ ...base, status: 'error' });
        // the exception text may quote the hidden input: its type only
        f = { reason: 'runtime_error', detail: `test ${i + 1}: runtime error: ${ev.etype || 'error'}` };
      } else if (ev.output_truncated || pyStrip(ev.output ?? '') !== pyStrip(hidden.outputs[i]!)) {
        tests.push({ ...base, status: 'fail' });
        f = { reason: 'wrong_answer', detail: `test ${i + 1}: wrong answer` };
      } else {
        tests.push({ ...base, status: 'pass' });
        passed++;
      }
      if (f) {
        first ??= f;
        last = f;
      }
    }
    if (!first) return { status: 'pass', reason: null, tests };
    if (spec.stop_on_failure) return { status: 'fail', reason: first.reason, detail: first.detail, tests };
    // eval_all: upstream's summary type is the last failing test's
    return { status: 'fail', reason: last!.reason, detail: `${passed}/${hidden.inputs.length} tests passed; ${last!.detail}`, tests };
  },
};

const TestEventSchema = z.looseObject({
  event: z.literal('test'),
  index: z.number().int().nonnegative(),
  status: z.enum(['passed', 'timed_out', 'failed']),
  output: z.string().optional(),
  output_truncated: z.boolean().optional(),
  error: z.string().optional(),
  etype: z.string().optional(),
  time_ms: z.number(),
});
type TestEvent = z.infer<typeof TestEventSchema>;

/** Why the runner reported nothing for a test; undefined when that is our fault. */
function missingWhy(r: ExecResult, done: boolean): [Reason, string] | undefined {
  if (r.oomKilled) return ['memory_limit', 'killed by the out-of-memory killer'];
  if (r.timedOut) return ['timeout', 'wall-clock limit of the run exceeded'];
  if (r.stdoutTruncated || r.outputLimitExceeded) return ['output_limit', 'output limit exceeded'];
  // only the program runs beside the runner: a signal death is its doing
  if (r.signal !== null) return ['runtime_error', `runner killed by signal ${r.signal}`];
  if (done) return ['runtime_error', 'no result'];
  return undefined;
}
