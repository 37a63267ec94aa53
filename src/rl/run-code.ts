import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { DomainError } from '../errors.js';
import type { PlanProfile } from '../benchmarks/types.js';
import { Executor } from '../grading/executor.js';
import { exec, get, open, put, type SessionProgram } from '../judge/requests.js';
import type { Sessions } from '../sandbox/engine.js';
import { projectRoot } from '../paths.js';
import { isSandboxError } from '../sandbox/errors.js';
import { containerMemoryMb } from '../sandbox/memory.js';
import type { ExecResult, FileEntry } from '../sandbox/types.js';
import type { CommandRunResult, RunCodeRequest, RunCodeResponse } from './schemas.js';

// SandboxFusion's POST /run_code: compile (for compiled languages) and run one
// program with stdin in a sandbox, and report what it did in SandboxFusion's
// shapes (status Success | Failed | SandboxError; compile_result / run_result
// with status Finished | TimeLimitExceeded | Error), so verl's sandbox_fusion
// reward and SandboxFusion's SDK work unchanged. Each language runs in the
// verdict image that carries its toolchain (sandboxes/judge, python,
// polyglot-*), offline.

export interface RunCodeDeps {
  engine: Sessions;
  imageRef: (name: string) => Promise<string>;
  runtime: 'runc' | 'runsc';
  log: Logger;
}

/** signal: the client has gone; the program is stopped (its container is destroyed). onStarted: it has its container. */
export interface RunCodeOptions {
  signal?: AbortSignal | undefined;
  onStarted?: () => void;
}

/** /run_code here or on a worker */
export type RunCode = (req: RunCodeRequest, opts?: RunCodeOptions) => Promise<RunCodeResponse>;

const MB = 1 << 20;
/** what is kept of each stream; beyond it the text ends with TRUNCATED */
export const CAPTURE_BYTES = 8 << 20;
/** stdout+stderr beyond this kills the program */
const OUTPUT_KILL_BYTES = 64 << 20;
export const TRUNCATED = (n: number) => `\n[verdict: output truncated: only the first ${n} bytes are kept]\n`;

const JARS = '/opt/polyglot/jars';
const JUNIT_LIBS = ['junit-jupiter-api', 'junit-jupiter-params', 'opentest4j', 'apiguardian-api', 'junit-platform-commons', 'assertj-core', 'json-latest'].map(
  (j) => `${JARS}/${j}.jar`,
);
const GO_ENV = {
  PATH: '/usr/lib/go-1.21/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  GOCACHE: '/tmp/gocache',
  GOPATH: '/tmp/gopath',
  GOTOOLCHAIN: 'local',
  GOPROXY: 'off',
  GOTELEMETRY: 'off',
  CGO_ENABLED: '0',
};
/** go needs a writable build cache: start from the image's warm one */
const GO_CACHE = 'cp -r /opt/polyglot/gocache /tmp/gocache 2>/dev/null || true';
const NODE_MODULES = 'ln -s /opt/npm-install/node_modules node_modules 2>/dev/null || true';
/**
 * The images have no TypeScript compiler, only babel with the TypeScript
 * syntax plugin: src/rl/js/strip-types.cjs drops the types (enums and
 * parameter properties rewritten), as a command and as jest's transform.
 */
const STRIP_TYPES = 'strip-types.cjs';
let stripTypesSource: string | undefined;
const stripTypes = (): FileEntry => {
  stripTypesSource ??= fs.readFileSync(path.join(projectRoot(), 'src', 'rl', 'js', STRIP_TYPES), 'utf8');
  return { path: STRIP_TYPES, content: stripTypesSource };
};
const JEST_CONFIG = JSON.stringify({ transform: { '\\.[cm]?[jt]sx?$': `<rootDir>/${STRIP_TYPES}` } });

/**
 * How a language's own memory limit is applied to the program (never to the
 * compiler): `as` = RLIMIT_AS and RLIMIT_DATA (what SandboxFusion sets);
 * `data` = RLIMIT_DATA only, for runtimes that reserve far more address space
 * than they use (Go, V8) but whose committed memory it counts; `jvm` = the
 * heap (-Xmx), since the JVM cannot start under either rlimit. The container
 * (a few pooled sizes, always above the limit) bounds everything together.
 */
type MemoryRule = 'as' | 'data' | 'jvm';

interface LanguageSpec {
  image: string;
  /** file the code is written to */
  file: (code: string) => string;
  /** compile command (sh -c, in /work; `jars` = the request's .jar files), with compile_timeout */
  compile?: (jars: string[]) => string;
  /** run command (sh -c, in /work), with run_timeout; `mb` is the memory limit when there is one */
  run: (mb: number | null, jars: string[]) => string;
  memory: MemoryRule;
  /** container memory for the toolchain (compilers need far more than programs) */
  containerMb: number;
  env?: Record<string, string>;
  /** trusted files laid next to the code */
  extra?: () => FileEntry[];
}

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const jvmHeap = (mb: number | null) => (mb ? ` -Xmx${mb}m` : '');
/** quoted: jar names come from the request */
const javaCp = (jars: string[]) => shq(['.', ...jars].join(':'));

/** SandboxFusion's languages that verdict has toolchains for. */
const SPECS: Partial<Record<RunCodeRequest['language'], LanguageSpec>> = {
  python: { image: 'python', file: () => 'main.py', run: () => 'exec python3 main.py', memory: 'as', containerMb: 1024 },
  bash: { image: 'python', file: () => 'main.sh', run: () => 'exec bash main.sh', memory: 'as', containerMb: 1024 },
  pytest: { image: 'polyglot-python', file: () => 'test_main.py', run: () => 'exec python3 -m pytest -p no:cacheprovider test_main.py', memory: 'as', containerMb: 1024 },
  cpp: {
    image: 'judge',
    file: () => 'main.cpp',
    // the judge image's precompiled <bits/stdc++.h> matches -O2 -std=c++17
    compile: () => 'exec g++ -std=c++17 -O2 -o test main.cpp -lpthread',
    run: () => 'exec ./test',
    memory: 'as',
    containerMb: 1024,
  },
  c: { image: 'judge', file: () => 'main.c', compile: () => 'exec gcc -std=gnu11 -O2 -o test main.c -lm -lpthread', run: () => 'exec ./test', memory: 'as', containerMb: 1024 },
  rust: { image: 'polyglot-rust', file: () => 'main.rs', compile: () => 'exec rustc --edition 2021 -O -o test main.rs', run: () => 'exec ./test', memory: 'as', containerMb: 2048 },
  go: {
    image: 'polyglot-go',
    file: () => 'main.go',
    compile: () => `${GO_CACHE}; exec go build -o out main.go`,
    run: () => 'exec ./out',
    memory: 'data',
    containerMb: 2048,
    env: GO_ENV,
  },
  // one step, as SandboxFusion runs it (go test compiles and runs)
  go_test: { image: 'polyglot-go', file: () => 'main_test.go', run: () => `${GO_CACHE}; exec go test main_test.go`, memory: 'data', containerMb: 2048, env: GO_ENV },
  java: {
    image: 'polyglot-java',
    file: () => 'Main.java',
    compile: (jars) => `exec javac -J-XX:+UseSerialGC -encoding UTF-8 -cp ${javaCp(jars)} Main.java`,
    run: (mb, jars) => `exec java -XX:+UseSerialGC${jvmHeap(mb)} -cp ${javaCp(jars)} -ea Main`,
    memory: 'jvm',
    containerMb: 2048,
  },
  junit: {
    image: 'polyglot-java',
    file: (code) => `${/public\s+(?:(?:final|abstract)\s+)*class\s+(\w+)/.exec(code)?.[1] ?? 'Main'}.java`,
    compile: (jars) => `exec javac -J-XX:+UseSerialGC -encoding UTF-8 -cp ${javaCp([...JUNIT_LIBS, ...jars])} *.java`,
    run: (mb, jars) =>
      `exec java -XX:+UseSerialGC${jvmHeap(mb)} -jar ${JARS}/junit-platform-console-standalone.jar --disable-banner --disable-ansi-colors --details=tree ` +
      `--fail-if-no-tests --class-path ${javaCp([...JUNIT_LIBS, ...jars])} --scan-class-path`,
    memory: 'jvm',
    containerMb: 2048,
  },
  nodejs: { image: 'polyglot-js', file: () => 'main.js', run: () => `${NODE_MODULES}; exec node main.js`, memory: 'data', containerMb: 2048 },
  // SandboxFusion runs tsx: no compile step
  typescript: {
    image: 'polyglot-js',
    file: () => 'main.ts',
    run: () => `${NODE_MODULES}; node ${STRIP_TYPES} main.ts .main.js && exec node .main.js`,
    memory: 'data',
    containerMb: 2048,
    extra: () => [stripTypes()],
  },
  jest: {
    image: 'polyglot-js',
    // SandboxFusion's name: the tests are TypeScript (or plain JavaScript)
    file: () => 'main.test.ts',
    // jest-report.json: the aggregated results SandboxFusion's reporter writes (AutoEval fetches it)
    run: () =>
      `${NODE_MODULES}; exec node node_modules/jest/bin/jest.js --ci --colors=false --watchman=false --rootDir=/work ` +
      `--config '${JEST_CONFIG}' --json --outputFile=jest-report.json`,
    memory: 'data',
    containerMb: 2048,
    extra: () => [stripTypes(), { path: 'package.json', content: '{"name":"run-code","private":true}\n' }],
  },
};

/** Whether the language has a compile step (bounded by compile_timeout); the others run at once. */
export function hasCompileStep(language: RunCodeRequest['language']): boolean {
  return SPECS[language]?.compile !== undefined;
}

/** languages /run_code runs */
export const RUN_CODE_LANGUAGES = Object.keys(SPECS) as Array<RunCodeRequest['language']>;

/** Requests no sandbox can answer: 400 before admission, so no client retries them. */
export function checkRunCodeRequest(req: RunCodeRequest): void {
  if (!SPECS[req.language]) {
    const why = 'no toolchain for it in the sandbox images';
    throw new DomainError('unsupported_language', `language '${req.language}' is not supported by this server: ${why} (supported: ${RUN_CODE_LANGUAGES.join(', ')})`, 'language');
  }
  for (const p of Object.keys(req.files)) {
    if (workPath(p) === null) throw new DomainError('invalid_request', `files: '${p}' is outside the working directory /work (the only writable place for input files)`, 'files');
  }
}

/** A path as the program sees it (relative to /work) → its path inside /work, or null outside. */
function workPath(p: string): string | null {
  const abs = path.posix.normalize(path.posix.isAbsolute(p) ? p : path.posix.join('/work', p));
  if (!abs.startsWith('/work/')) return null;
  return abs.slice('/work/'.length);
}

function profile(spec: LanguageSpec, limitMb: number | null): PlanProfile {
  const big = spec.containerMb > 1024;
  return {
    image: spec.image,
    // the toolchain's size, or more for a larger limit
    memoryBytes: containerMemoryMb(limitMb, spec.containerMb) * MB,
    cpus: 1,
    pidsLimit: big ? 512 : 256,
    workBytes: (big ? 256 : 128) * MB,
    tmpBytes: (big ? 512 : 64) * MB,
  };
}

/** sh -c with the run's exact memory limit in front of the command */
function limited(cmd: string, rule: MemoryRule, mb: number | null): string[] {
  const kb = mb ? mb * 1024 : null;
  const lim = kb === null || rule === 'jvm' ? '' : rule === 'as' ? `ulimit -v ${kb} && ulimit -d ${kb} && ` : `ulimit -d ${kb} && `;
  // the stack is bounded by the address space, as on Codeforces (threads keep glibc's default)
  const stack = rule === 'as' ? 'ulimit -s unlimited 2>/dev/null; ' : '';
  return ['/bin/sh', '-c', `${stack}${lim}${cmd}`];
}

const ENV = { PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1', OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };

export async function runCode(deps: RunCodeDeps, req: RunCodeRequest, opts: RunCodeOptions = {}): Promise<RunCodeResponse> {
  checkRunCodeRequest(req);
  const spec = SPECS[req.language]!;
  const limitMb = req.memory_limit_MB > 0 ? req.memory_limit_MB : null;
  const file = spec.file(req.code);
  const files: FileEntry[] = spec.extra?.() ?? [];
  const jars: string[] = [];
  for (const [p, b64] of Object.entries(req.files)) {
    if (b64 === null) continue;
    const rel = workPath(p)!;
    files.push({ path: rel, content: Buffer.from(b64, 'base64') });
    if (rel.endsWith('.jar')) jars.push(rel);
  }
  // junit with empty code runs the test files given in `files`
  if (req.code || req.language !== 'junit') files.push({ path: file, content: req.code });
  const env = { ...ENV, ...(spec.env ?? {}) };
  const executor = new Executor(deps);
  for (let attempt = 1; ; attempt++) {
    let started = false;
    const onStarted = () => {
      started = true;
      opts.onStarted?.();
    };
    try {
      // the run lane: these programs mostly sleep or wait, so they do not take the grading (CPU) slots
      return await executor.run(program(spec, req, files, jars, env, limitMb), { runtime: deps.runtime, signal: opts.signal, onStarted });
    } catch (e) {
      if (!isSandboxError(e)) throw e;
      deps.log.warn({ err: e.message, kind: e.kind, attempt }, 'run_code sandbox failure');
      // no container came up, so the program has not run: try again (verl scores a SandboxError -1 and never retries it)
      if (!started && e.retryable && !opts.signal?.aborted && attempt < 3) continue;
      return { ...BASE, status: 'SandboxError', message: e.message };
    }
  }
}

const BASE = { message: '', compile_result: null, run_result: null, executor_pod_name: null, files: {} } as const satisfies Partial<RunCodeResponse>;

/** Compile (when the language has a step for it) and run in one container of the run lane. */
function* program(spec: LanguageSpec, req: RunCodeRequest, files: FileEntry[], jars: string[], env: Record<string, string>, limitMb: number | null): SessionProgram<RunCodeResponse> {
  yield* open(profile(spec, limitMb), 'run');
  yield* put(files);
  let compileResult: CommandRunResult | null = null;
  const compileCmd = spec.compile?.(jars);
  if (compileCmd) {
    const c = yield* exec({
      argv: ['/bin/sh', '-c', compileCmd],
      env,
      limits: { wallMs: Math.ceil(req.compile_timeout * 1000), captureBytes: CAPTURE_BYTES, outputBytes: OUTPUT_KILL_BYTES },
    });
    if (c.spawnError) return { ...BASE, status: 'SandboxError', message: `could not start the compiler: ${c.spawnError}` };
    compileResult = commandResult(c);
    if (compileResult.status !== 'Finished' || compileResult.return_code !== 0) {
      return { ...BASE, status: 'Failed', compile_result: compileResult, files: yield* fetch(req.fetch_files) };
    }
  }
  const r = yield* exec({
    argv: limited(spec.run(limitMb, jars), spec.memory, limitMb),
    env,
    ...(req.stdin ? { stdin: Buffer.from(req.stdin, 'utf8') } : {}),
    limits: { wallMs: Math.ceil(req.run_timeout * 1000), captureBytes: CAPTURE_BYTES, outputBytes: OUTPUT_KILL_BYTES },
  });
  if (r.spawnError) return { ...BASE, status: 'SandboxError', message: `could not start the program: ${r.spawnError}` };
  const run = commandResult(r);
  const ok = run.status === 'Finished' && run.return_code === 0;
  return { ...BASE, status: ok ? 'Success' : 'Failed', compile_result: compileResult, run_result: run, files: yield* fetch(req.fetch_files) };
}

/**
 * The files asked for, under the keys as given (SandboxFusion resolves them
 * against the working directory; absolute paths stay absolute). A file the
 * program did not write is left out, as SandboxFusion does. One outside /work
 * is copied in first by a trusted step that does not follow a final symlink.
 */
function* fetch(wanted: string[]): SessionProgram<Record<string, string>> {
  const out: Record<string, string> = {};
  if (!wanted.length) return out;
  // in-/work path → the keys it was asked for under ('out.txt' and '/work/out.txt' are one file)
  const inside = new Map<string, string[]>();
  const ask = (rel: string, key: string) => inside.set(rel, [...(inside.get(rel) ?? []), key]);
  const outside: Array<[string, string]> = [];
  for (const p of wanted) {
    const rel = workPath(p);
    if (rel !== null) ask(rel, p);
    else outside.push([path.posix.normalize(path.posix.isAbsolute(p) ? p : path.posix.join('/work', p)), p]);
  }
  if (outside.length) {
    const dir = '.verdict-fetch';
    const cmds = outside.map(([abs], i) => `cp -P -- ${shq(abs)} ${dir}/${i} 2>/dev/null`);
    yield* exec({ argv: ['/bin/sh', '-c', `mkdir -p ${dir}; ${cmds.join('; ')}; true`], limits: { wallMs: 10_000, captureBytes: 4096 } });
    outside.forEach(([, given], i) => ask(`${dir}/${i}`, given));
  }
  let got: Map<string, Buffer>;
  try {
    got = yield* get([...inside.keys()]);
  } catch {
    got = new Map();
  }
  for (const [rel, buf] of got) for (const key of inside.get(rel) ?? []) out[key] = buf.toString('base64');
  return out;
}


function text(buf: Buffer, truncated: boolean): string {
  const s = buf.toString('utf8');
  // a marker, so a cut-off output never equals an expected one by accident
  return truncated ? s + TRUNCATED(buf.length) : s;
}

function commandResult(r: ExecResult): CommandRunResult {
  let stderr = text(r.stderr, r.stderrTruncated);
  if (r.outputLimitExceeded) stderr += `\n[verdict: killed: output beyond ${OUTPUT_KILL_BYTES} bytes]\n`;
  const out = {
    execution_time: Math.round(r.wallMs) / 1000,
    stdout: text(r.stdout, r.stdoutTruncated),
    stderr,
  };
  if (r.timedOut) return { status: 'TimeLimitExceeded', return_code: null, ...out };
  // a signal death reads as Python's subprocess reports it: minus the signal
  const code = r.exitCode ?? (r.signal !== null ? -r.signal : -1);
  return { status: 'Finished', return_code: code, ...out };
}
