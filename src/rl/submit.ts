import { ApiError } from '../errors.js';
import type { Verdict } from '../schemas.js';
import type { BatchItem, EvalResult, InlineProblem, SubmitRequest } from './schemas.js';

// SandboxFusion's POST /submit ({dataset, id, completion, config}) → one
// verdict grade → its EvalResult. A registered benchmark is graded with its
// hidden tests; config.provided_data (SandboxFusion's way to pass a problem
// row) becomes an inline problem.

/** SandboxFusion dataset ids that name a verdict benchmark. */
const ALIASES: Record<string, string> = { humaneval_python: 'humaneval', humaneval_plus: 'humaneval-plus', mbpp_plus: 'mbpp-plus' };

export function submitItem(req: SubmitRequest, known: (name: string) => boolean): BatchItem {
  const timeout = req.config.run_timeout ?? undefined;
  const pd = req.config.provided_data;
  if (pd) {
    const row = Array.isArray(pd) ? pd.find((r) => String(r.id ?? r.task_id) === String(req.id)) : pd;
    if (!row) throw new ApiError(404, 'unknown_problem', `no row with id ${String(req.id)} in config.provided_data`, 'config.provided_data');
    return { problem: rowProblem(row, timeout), completion: req.completion };
  }
  const benchmark = known(req.dataset) ? req.dataset : ALIASES[req.dataset];
  if (!benchmark || !known(benchmark)) {
    throw new ApiError(404, 'unknown_benchmark', `unknown dataset '${req.dataset}' (a verdict benchmark name, or send config.provided_data)`, 'dataset');
  }
  return { benchmark, problem_id: String(req.id), completion: req.completion };
}

/** A provided row: {test: [{input: {stdin}, output: {stdout}}]}, or HumanEval/MBPP style {test, entry_point, prompt?}. */
function rowProblem(row: Record<string, unknown>, timeoutS: number | undefined): InlineProblem {
  const limits = { timeout_s: timeoutS ?? 10, memory_mb: 1024 };
  const test = row.test ?? row.tests;
  if (Array.isArray(test)) {
    const cases = test.map((c, i) => {
      const cc = c as { input?: { stdin?: unknown }; output?: { stdout?: unknown } };
      if (typeof cc.input?.stdin !== 'string' || typeof cc.output?.stdout !== 'string') {
        throw new ApiError(400, 'invalid_request', `config.provided_data.test.${i}: needs input.stdin and output.stdout strings`, `config.provided_data.test.${i}`);
      }
      return { stdin: cc.input.stdin, stdout: cc.output.stdout };
    });
    return { tests: { type: 'stdio', cases, comparator: 'token', language: 'python3' }, ...limits };
  }
  const entry = row.entry_point;
  if (typeof test === 'string' && typeof entry === 'string') {
    // HumanEval rows define check(candidate); MBPP rows are bare asserts
    const code = /\bdef\s+check\s*\(/.test(test) ? `${test}\ncheck(${entry})\n` : test;
    return {
      tests: { type: 'assert', entry_point: entry, code },
      ...(typeof row.prompt === 'string' ? { prompt: row.prompt } : {}),
      ...limits,
    };
  }
  throw new ApiError(400, 'invalid_request', 'config.provided_data: needs test (stdio cases, or assert code with entry_point)', 'config.provided_data');
}

/** A verdict as SandboxFusion's EvalResult; the full verdict rides in extra. */
export function evalResult(id: SubmitRequest['id'], v: Verdict): EvalResult {
  const infra = v.status === 'infra_error';
  const tests = (v.tests.length ? v.tests : [{ index: 0, status: v.status === 'pass' ? ('pass' as const) : ('fail' as const) }]).map((t) => ({
    passed: !infra && t.status === 'pass',
    exec_info: {
      status: infra ? ('SandboxError' as const) : t.status === 'pass' ? ('Success' as const) : ('Failed' as const),
      message: infra ? (v.detail ?? v.reason ?? '') : '',
      compile_result: null,
      run_result: {
        status: t.status === 'timeout' ? ('TimeLimitExceeded' as const) : infra ? ('Error' as const) : ('Finished' as const),
        execution_time: t.time_ms !== undefined ? t.time_ms / 1000 : null,
        return_code: t.status === 'pass' ? 0 : t.status === 'timeout' ? null : 1,
        stdout: '',
        stderr: t.status === 'pass' ? '' : (v.detail ?? ''),
      },
      executor_pod_name: null,
      files: {},
    },
    test_info: { index: t.index, status: t.status, ...(t.group ? { group: t.group } : {}) },
  }));
  return {
    id,
    accepted: v.status === 'pass',
    extracted_code: v.extracted_code,
    full_code: null,
    test_code: null,
    tests,
    extracted_type: null,
    extra: { verdict: v },
  };
}
