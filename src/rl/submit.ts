import type { InlineProblem } from '../benchmarks/inline/schema.js';
import { DomainError } from '../errors.js';
import { fencedBlocks } from '../extract/fences.js';
import type { Verdict } from '../schemas.js';
import {
  RunCodeRequestSchema,
  type BatchItem,
  type EvalResult,
  type RunCodeRequest,
  type RunCodeResponse,
  type SubmitRequest,
} from './schemas.js';

// SandboxFusion's POST /submit ({dataset, id, completion, config}). Its
// dataset types, as SandboxFusion picks them (config.dataset_type, else the
// dataset id, else — verdict — the shape of config.provided_data):
//  - HumanEvalDataset (humaneval_python: id 0 = HumanEval/0) and MBPPDataset
//    (mbpp: id = task_id): graded by verdict's benchmark after trimming the
//    completion as SandboxFusion's runner does;
//  - CommonOJDataset (code_contests*): provided rows {test: [{input: {stdin},
//    output: {stdout}}]}, the code extracted for config.language and run per
//    case through /run_code, compared line by line, case-insensitively, with
//    float tolerance (SandboxFusion's check_stdio_test_case);
//  - AutoEvalDataset: provided rows {test: {code, asset?}, labels:
//    {programming_language, execution_language?}}: extracted code + test code
//    run once through /run_code, accepted on Success.

/** SandboxFusion dataset ids that name a verdict benchmark. */
const ALIASES: Record<string, string> = {
  humaneval_python: 'humaneval',
  shadow_humaneval_python: 'humaneval',
  humaneval_plus: 'humaneval-plus',
  mbpp_plus: 'mbpp-plus',
};

type DatasetType = 'humaneval' | 'mbpp' | 'commonoj' | 'autoeval';

const TYPE_NAMES: Record<string, DatasetType> = {
  HumanEvalDataset: 'humaneval',
  MBPPDataset: 'mbpp',
  CommonOJDataset: 'commonoj',
  AutoEvalDataset: 'autoeval',
  AutoEvalV4Dataset: 'autoeval',
  AutoEvalV5Dataset: 'autoeval',
  AutoEvalV6Dataset: 'autoeval',
};

/** What /submit does: a verdict grade, or SandboxFusion-style runs through /run_code. */
export type SubmitPlan =
  | { kind: 'grade'; item: BatchItem }
  | { kind: 'stdio'; code: string; language: RunCodeRequest['language']; cases: Array<{ stdin: string; stdout: string; raw: Record<string, unknown> }>; compileTimeout?: number; runTimeout?: number }
  | { kind: 'run'; code: string; request: RunCodeRequest };

export interface SubmitDeps {
  known: (name: string) => boolean;
  grade: (item: BatchItem) => Promise<Verdict>;
  runCode: (req: RunCodeRequest) => Promise<RunCodeResponse>;
}

export async function submit(req: SubmitRequest, deps: SubmitDeps): Promise<EvalResult> {
  const plan = submitPlan(req, deps.known);
  if (plan.kind === 'grade') return evalResult(req.id, await deps.grade(plan.item));
  if (plan.kind === 'run') {
    const r = await deps.runCode(plan.request);
    const accepted = r.status === 'Success';
    return { ...emptyResult(req.id, plan.code), accepted, full_code: plan.request.code, tests: [{ passed: accepted, exec_info: r, test_info: null }] };
  }
  // SandboxFusion runs the cases in parallel; here one after another, each admitted on its own
  const tests: EvalResult['tests'] = [];
  for (const c of plan.cases) {
    const r = await deps.runCode(
      RunCodeRequestSchema.parse({
        code: plan.code,
        language: plan.language,
        stdin: c.stdin,
        compile_timeout: plan.compileTimeout ?? 10,
        run_timeout: plan.runTimeout ?? (COMPILED.has(plan.language) ? 10 : 20),
      }),
    );
    const passed = r.status === 'Success' && sameOutput(r.run_result?.stdout ?? '', c.stdout);
    tests.push({ passed, exec_info: r, test_info: c.raw });
  }
  return { ...emptyResult(req.id, plan.code), accepted: tests.every((t) => t.passed), tests };
}

/** SandboxFusion's compile_languages: their stdio cases get compile_timeout and a 10 s run default */
const COMPILED = new Set<string>(['cpp', 'go', 'java']);

function emptyResult(id: SubmitRequest['id'], code: string): EvalResult {
  return { id, accepted: false, extracted_code: code, full_code: null, test_code: null, tests: [], extracted_type: null, extra: null };
}

export function submitPlan(req: SubmitRequest, known: (name: string) => boolean): SubmitPlan {
  const pd = req.config.provided_data;
  const named = req.config.dataset_type ? TYPE_NAMES[req.config.dataset_type] : undefined;
  if (req.config.dataset_type && !named) {
    throw new DomainError('invalid_request', `config.dataset_type '${req.config.dataset_type}' is not one of ${Object.keys(TYPE_NAMES).join(', ')}`, 'config.dataset_type');
  }
  const type = named ?? typeOfDataset(req.dataset);
  if (pd) {
    const row = Array.isArray(pd) ? pd.find((r) => String(r.id ?? r.task_id) === String(req.id)) : pd;
    if (!row) throw new DomainError('unknown_problem', `no row with id ${String(req.id)} in config.provided_data`, 'config.provided_data');
    return rowPlan(req, row, type ?? typeOfRow(row));
  }
  if (type === 'commonoj' || type === 'autoeval') {
    throw new DomainError('invalid_request', `dataset '${req.dataset}': verdict holds no rows of it; send the row as config.provided_data`, 'config.provided_data');
  }
  const benchmark = known(req.dataset) ? req.dataset : ALIASES[req.dataset];
  if (!benchmark || !known(benchmark)) {
    throw new DomainError('unknown_benchmark', `unknown dataset '${req.dataset}' (a verdict benchmark name, or send config.provided_data)`, 'dataset');
  }
  // SandboxFusion's own dataset ids get its ids and its trimming; verdict's names keep verdict's semantics
  const freeform = req.config.extra?.is_freeform === true;
  if (type === 'humaneval' && (benchmark === 'humaneval' || benchmark === 'humaneval-plus')) {
    // SandboxFusion's humaneval_python table is keyed 0..163
    const problem_id = typeof req.id === 'number' || /^\d+$/.test(req.id) ? `HumanEval/${req.id}` : req.id;
    return { kind: 'grade', item: { benchmark, problem_id, completion: humanevalCompletion(req.completion, freeform) } };
  }
  if (type === 'mbpp' && benchmark === 'mbpp') {
    return { kind: 'grade', item: { benchmark, problem_id: String(req.id), completion: mbppCompletion(req.completion), options: { extractor: 'raw@1' } } };
  }
  return { kind: 'grade', item: { benchmark, problem_id: String(req.id), completion: req.completion } };
}

function typeOfDataset(dataset: string): DatasetType | undefined {
  if (/^(shadow_)?humaneval_python$|^evoeval$/.test(dataset)) return 'humaneval';
  if (dataset === 'mbpp') return 'mbpp';
  if (/^code_contests|^common_oj/.test(dataset)) return 'commonoj';
  if (/^autoeval/i.test(dataset)) return 'autoeval';
  return undefined;
}

function typeOfRow(row: Record<string, unknown>): DatasetType {
  const test = json(row.test ?? row.tests);
  if (Array.isArray(test)) return 'commonoj';
  if (test && typeof test === 'object') return 'autoeval';
  return 'humaneval';
}

/** SandboxFusion stores JSON columns as text as often as not */
function json(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  if (!(t.startsWith('[') || t.startsWith('{'))) return v;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return v;
  }
}

function rowPlan(req: SubmitRequest, row: Record<string, unknown>, type: DatasetType): SubmitPlan {
  const timeout = req.config.run_timeout ?? undefined;
  if (type === 'commonoj') {
    const language = req.config.language;
    if (!language) throw new DomainError('invalid_request', 'config.language is required for CommonOJ rows (the language the completion is in)', 'config.language');
    const lang = RunCodeRequestSchema.shape.language.safeParse(language);
    if (!lang.success) throw new DomainError('invalid_request', `config.language '${language}' is not a SandboxFusion language`, 'config.language');
    const test = json(row.test ?? row.tests);
    if (!Array.isArray(test) || test.length === 0) throw new DomainError('invalid_request', 'config.provided_data.test: needs a list of {input: {stdin}, output: {stdout}}', 'config.provided_data.test');
    const cases = test.map((c, i) => {
      const cc = c as { input?: { stdin?: unknown }; output?: { stdout?: unknown } };
      if (typeof cc.input?.stdin !== 'string' || typeof cc.output?.stdout !== 'string') {
        throw new DomainError('invalid_request', `config.provided_data.test.${i}: needs input.stdin and output.stdout strings`, `config.provided_data.test.${i}`);
      }
      return { stdin: cc.input.stdin, stdout: cc.output.stdout, raw: c as Record<string, unknown> };
    });
    return {
      kind: 'stdio',
      code: extractCode(req.completion, lang.data),
      language: lang.data,
      cases,
      ...(req.config.compile_timeout ? { compileTimeout: req.config.compile_timeout } : {}),
      ...(timeout ? { runTimeout: timeout } : {}),
    };
  }
  if (type === 'autoeval') return autoevalPlan(req, row);
  if (type === 'mbpp') {
    const tests = json(row.test_list);
    if (!Array.isArray(tests) || !tests.every((t) => typeof t === 'string')) {
      throw new DomainError('invalid_request', 'config.provided_data.test_list: needs a list of assert strings', 'config.provided_data.test_list');
    }
    const labels = json(row.labels) as { test_setup_code?: unknown } | undefined;
    const setup = typeof labels?.test_setup_code === 'string' ? labels.test_setup_code : '';
    let code = [setup, mbppCompletion(req.completion)].join('\n');
    if (code.includes('if __name__ ==')) code = code.slice(0, code.indexOf('if __name__ =='));
    const full = code + tests.map((t) => `\n${t}\n`).join('');
    return { kind: 'run', code, request: RunCodeRequestSchema.parse({ code: full, language: 'python', run_timeout: timeout ?? 20 }) };
  }
  // HumanEval style {prompt?, test (check(candidate) or asserts), entry_point}
  const limits = { timeout_s: timeout ?? 10, memory_mb: 1024 };
  const test = row.test ?? row.tests;
  const entry = row.entry_point;
  if (typeof test === 'string' && typeof entry === 'string') {
    const code = /\bdef\s+check\s*\(/.test(test) ? `${test}\ncheck(${entry})\n` : test;
    const problem: InlineProblem = {
      tests: { type: 'assert', entry_point: entry, code },
      ...(typeof row.prompt === 'string' ? { prompt: row.prompt } : {}),
      ...limits,
    };
    return { kind: 'grade', item: { problem, completion: humanevalCompletion(req.completion, req.config.extra?.is_freeform === true) } };
  }
  throw new DomainError('invalid_request',
    'config.provided_data: needs test as stdio cases (CommonOJ), {code} (AutoEval), or assert code with entry_point (HumanEval)',
    'config.provided_data',
  );
}

function autoevalPlan(req: SubmitRequest, row: Record<string, unknown>): SubmitPlan {
  const test = json(row.test) as { code?: unknown; asset?: unknown } | undefined;
  const labels = json(row.labels) as { programming_language?: unknown; execution_language?: unknown } | undefined;
  if (typeof test?.code !== 'string') throw new DomainError('invalid_request', 'config.provided_data.test.code: needs the test code', 'config.provided_data.test.code');
  const programming = labels?.programming_language;
  if (typeof programming !== 'string') {
    throw new DomainError('invalid_request', 'config.provided_data.labels.programming_language: needed', 'config.provided_data.labels.programming_language');
  }
  if (programming === 'java') {
    throw new DomainError('invalid_request', 'AutoEval java rows (split into junit files) are not supported; send the test and code through /run_code as junit', 'config.provided_data.labels.programming_language');
  }
  const execution = typeof labels?.execution_language === 'string' ? labels.execution_language : programming;
  const lang = RunCodeRequestSchema.shape.language.safeParse(execution);
  if (!lang.success) throw new DomainError('invalid_request', `execution language '${execution}' is not a SandboxFusion language`, 'config.provided_data.labels');
  let asset: unknown = json(test.asset);
  if (!asset || typeof asset !== 'object' || Array.isArray(asset)) asset = {};
  const code = removeEntrypoints(extractCode(req.completion, programming), programming);
  let full = appendTest(code, test.code);
  if (lang.data === 'go' || lang.data === 'go_test') full = mergeGoHeaders(full);
  const request = RunCodeRequestSchema.parse({
    code: full,
    language: lang.data,
    compile_timeout: req.config.compile_timeout ?? 40,
    run_timeout: req.config.run_timeout ?? 20,
    files: asset,
    fetch_files: lang.data === 'jest' ? ['jest-report.json'] : [],
  });
  return { kind: 'run', code, request };
}

/** The test after the code, or the code at the test's #<INSERT> (SandboxFusion's append_test) */
function appendTest(code: string, test: string): string {
  const mark = '#<INSERT>';
  if (test.includes(mark)) {
    const [before, ...after] = test.split(mark);
    return before + code + after.join(mark);
  }
  const cut = code.indexOf('if __name__ ==');
  return `${cut >= 0 ? code.slice(0, cut) : code}\n${test}`;
}

/** One package clause and one import list for code + test glued together */
function mergeGoHeaders(code: string): string {
  const packages = new Set([...code.matchAll(/package\s+(\w+)/g)].map((m) => m[1]!));
  let body = code.replace(/package\s+(\w+)/g, '');
  const imports = new Set<string>();
  for (const m of body.matchAll(/import\s+("[\w/.-]+")/g)) imports.add(m[1]!);
  for (const m of body.matchAll(/import\s+\(([\s\S]*?)\)/g)) for (const l of m[1]!.split('\n')) if (l.trim()) imports.add(l.trim());
  body = body.replace(/import\s+("[\w/.-]+")/g, '').replace(/import\s+\(([\s\S]*?)\)/g, '');
  return `${[...packages].map((p) => `package ${p}`).join('\n')}\n\n${[...imports].map((i) => `import ${i}`).join('\n')}\n\n${body}`;
}

function removeEntrypoints(code: string, language: string): string {
  let c = code;
  const cutAt = (token: string) => {
    const i = c.indexOf(token);
    if (i >= 0) c = c.slice(0, i).trim();
  };
  if (language === 'python') cutAt('if __name__ == "__main__":');
  else if (language === 'cpp') cutAt('int main()');
  else if (language === 'go') c = c.replaceAll('package main', '');
  cutAt('# Example usage');
  return c;
}

/** fence tags SandboxFusion reads as each language */
const TAGS: Record<string, string[]> = {
  python: ['python', 'py', 'python3', 'pytest'],
  pytest: ['python', 'py', 'python3'],
  cpp: ['cpp', 'c++', 'cc', 'cxx'],
  c: ['c'],
  java: ['java'],
  junit: ['java'],
  go: ['go', 'golang'],
  go_test: ['go', 'golang'],
  rust: ['rust', 'rs'],
  nodejs: ['javascript', 'js', 'node', 'nodejs'],
  jest: ['javascript', 'js', 'typescript', 'ts'],
  typescript: ['typescript', 'ts'],
  bash: ['bash', 'sh', 'shell'],
};

/**
 * SandboxFusion's default extraction: the first fenced block tagged with the
 * language, else the first fenced block (an unclosed last fence runs to the
 * end), else — where SandboxFusion tries a heuristic — the whole completion.
 */
export function extractCode(completion: string, language: string): string {
  const blocks = fencedBlocks(completion);
  const tags = TAGS[language] ?? [language];
  const block = blocks.find((b) => tags.includes(b.lang)) ?? blocks[0];
  return (block ? block.body : completion).replace(/\r/g, '');
}

/**
 * humaneval_python as SandboxFusion trims it: a plain completion ends at its
 * first line that starts with a non-blank character (the function body is
 * over); a freeform one (config.extra.is_freeform) is its code block.
 */
export function humanevalCompletion(completion: string, freeform: boolean): string {
  if (freeform) return extractCode(completion, 'python');
  const m = /\n(?=[^\s])/.exec(completion);
  return m ? completion.slice(0, m.index) : completion;
}

/** mbpp as SandboxFusion trims it: up to [DONE], its first code block, up to the first \nassert or \n""" */
export function mbppCompletion(completion: string): string {
  let c = completion;
  const done = c.indexOf('[DONE]');
  if (done >= 0) c = c.slice(0, done);
  c = extractCode(c, 'python');
  for (const stop of ['\nassert', '\n"""']) {
    const i = c.indexOf(stop);
    if (i >= 0) c = c.slice(0, i);
  }
  return c;
}

/** SandboxFusion's check_stdio_test_case comparison: lines, stripped, lower-cased, floats within 1e-5 relative. */
export function sameOutput(actual: string, expected: string): boolean {
  let a = actual.trim().split('\n');
  let e = expected.trim().split('\n');
  if (a.length - e.length === 1 && a.at(-1) === '') a = a.slice(0, -1);
  if (e.length - a.length === 1 && e.at(-1) === '') e = e.slice(0, -1);
  if (a.length !== e.length) return false;
  return a.every((line, i) => {
    const x = line.toLowerCase().trim();
    const y = e[i]!.toLowerCase().trim();
    if (x === y) return true;
    const fx = pyFloat(x);
    const fy = pyFloat(y);
    return fx !== null && fy !== null && Math.abs(fx - fy) / Math.max(Math.abs(fy), 1e-10) < 1e-5;
  });
}

/** Python's float(s) on a stripped line, or null where it raises (inf and nan never compare close, so they are left to string equality) */
function pyFloat(s: string): number | null {
  const t = s.replace(/(\d)_(?=\d)/g, '$1');
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t) ? Number(t) : null;
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
