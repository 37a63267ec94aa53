import { createHash } from 'node:crypto';
import type { ExecResult, FileEntry, ProcessLimits, Step } from '../sandbox/types.js';
import { pythonCheckerAccepts, type TextComparator } from './compare.js';
import { close, compare, exec, get, NotStartedError, open, pair, put, type SessionProgram } from './requests.js';
import { JudgeTaskSchema, type CaseResult, type CaseVerdict, type Checker, type JudgeLanguage, type JudgeReport, type JudgeTask, type JudgeTaskInput } from './types.js';

/** Compiled checkers and interactors by image and source, so a problem's helper is compiled once per service, not once per grade. */
export interface HelperBinaries {
  get(key: string): Buffer | undefined;
  set(key: string, binary: Buffer): void;
}

const MB = 1024 * 1024;
const COMPILE_CAPTURE = 64 << 10;
const STDERR_TAIL = 300;
const OOM_SCAN = 128 << 10;

interface LanguageSpec {
  file: string;
  compile?: string[];
  run: (memoryMb: number) => string[];
  /** the JVM reserves far more address space than it uses: limit its heap instead */
  addressSpace: boolean;
}

const LANGUAGES: Record<JudgeLanguage, LanguageSpec> = {
  python3: { file: 'main.py', run: () => ['python3', 'main.py'], addressSpace: true },
  cpp17: {
    file: 'main.cpp',
    compile: ['g++', '-DONLINE_JUDGE', '-O2', '-std=c++17', '-pipe', '-s', '-o', 'main', 'main.cpp'],
    run: () => ['./main'],
    addressSpace: true,
  },
  // Codeforces' Java: the memory limit is the heap (-Xmx), 64 MB thread stacks,
  // ONLINE_JUDGE set (contest templates read it to choose stdin over files).
  // Serial GC: one CPU, no GC threads; javac's own JVM stops at C1 (a quarter
  // less compile time: it runs briefly, once).
  java: {
    file: 'Main.java',
    compile: ['javac', '-J-XX:+UseSerialGC', '-J-XX:TieredStopAtLevel=1', '-encoding', 'UTF-8', 'Main.java'],
    run: (mb) => ['java', `-Xmx${mb}m`, '-Xss64m', '-XX:+UseSerialGC', '-DONLINE_JUDGE=true', 'Main'],
    addressSpace: false,
  },
};

/**
 * The judge core, pure: compile once, then run every test in the same warm
 * container; outputs are compared in the service. Checkers run afterwards in
 * a session of their own (never beside the program). It awaits nothing: it
 * yields its requests (sessions, files, steps, comparisons) and the executor
 * (src/grading/executor.ts) answers them. Throws NotStartedError when a step
 * of ours cannot start (the sandbox's failure), plain errors for bad tasks (a
 * checker or interactor that does not compile).
 */
export function* judge(taskIn: JudgeTask | JudgeTaskInput, helpers?: HelperBinaries): SessionProgram<JudgeReport> {
  const task = JudgeTaskSchema.parse(taskIn);
  const lang = LANGUAGES[task.language];
  const checker = task.comparator.kind === 'checker' ? task.comparator : undefined;

  // Phase 1: the program over the tests. With a checker, outputs are kept for phase 2.
  const image = yield* open({ judge: true, programMemoryMb: task.memoryMb });
  yield* put([{ path: lang.file, content: task.source }, ...(task.extraFiles ?? [])]);
  const compiled = yield* compileIn(lang, task.compileTimeLimitMs);
  if (!compiled.ok) {
    yield* close();
    return { compile: compiled, verdict: 'CE', cases: [] };
  }
  const peer = task.interactor ? yield* prepareHelper(image, task.interactor, 'interactor', task.compileTimeLimitMs, helpers) : undefined;
  const cases: RunCase[] = [];
  for (let i = 0; i < task.cases.length; i++) {
    const c = peer ? yield* runInteractive(task, lang, i, peer) : yield* runCase(task, lang, i, checker === undefined);
    cases.push(c);
    if (task.stopOnFirstFailure && c.result.verdict !== 'AC') break;
  }
  yield* close();

  let results = cases.map((c) => c.result);
  if (checker && !task.interactor) {
    const pending = cases.filter((c) => c.output !== undefined);
    if (pending.length > 0) {
      const checked = yield* runChecker(checker, task, pending, helpers);
      results = results.map((r) => checked.get(r.index) ?? r);
    }
  }
  if (task.stopOnFirstFailure) {
    const firstBad = results.findIndex((r) => r.verdict !== 'AC');
    if (firstBad >= 0) results = results.slice(0, firstBad + 1);
  }
  const bad = results.find((r) => r.verdict !== 'AC');
  const verdict = bad ? bad.verdict : results.length === task.cases.length && results.length > 0 ? 'AC' : 'WA';
  return { compile: compiled, verdict, cases: results };
}

interface RunCase {
  result: CaseResult;
  /** the program's output, kept only for a checker */
  output?: Buffer;
}

function* compileIn(lang: LanguageSpec, wallMs: number): SessionProgram<JudgeReport['compile']> {
  if (!lang.compile) return { ok: true, timeMs: 0 };
  const r = yield* exec({ argv: lang.compile, limits: { wallMs, captureBytes: COMPILE_CAPTURE, outputBytes: 16 << 20 } });
  // a compiler the image lacks is our fault (infra_error), never the program's compile error
  if (r.spawnError) throw new Error(`cannot run ${lang.compile[0]} in the judge image: ${r.spawnError}`);
  const output = (r.stdout.toString('utf8') + r.stderr.toString('utf8')).slice(0, COMPILE_CAPTURE);
  const ok = r.exitCode === 0 && !r.timedOut;
  return { ok, timeMs: r.wallMs, ...(output ? { output: r.timedOut ? `compilation timed out\n${output}` : output } : r.timedOut ? { output: 'compilation timed out' } : {}) };
}

/**
 * Codeforces/Piston: `ulimit -s unlimited`, so the stack is bounded by the
 * address space alone and threads get glibc's default stack. (A stack limit
 * equal to the memory limit would size every thread's stack at the whole
 * address space: no program could start a thread.)
 */
const unlimitedStack = (argv: string[]): string[] => ['/bin/sh', '-c', 'ulimit -s unlimited && exec "$@"', 'sh', ...argv];

function runLimits(task: JudgeTask, lang: LanguageSpec): ProcessLimits {
  const l: ProcessLimits = {
    wallMs: task.timeLimitMs,
    captureBytes: task.outputLimitBytes,
    outputBytes: task.outputLimitBytes,
    fileSizeBytes: task.outputLimitBytes,
  };
  if (lang.addressSpace) l.addressSpaceBytes = task.memoryMb * MB;
  if (task.cpuLimitMs) l.cpuMs = task.cpuLimitMs;
  return l;
}

const RUN_ENV = { PYTHONDONTWRITEBYTECODE: '1', OMP_NUM_THREADS: '1', TZ: 'UTC' };

function* runCase(task: JudgeTask, lang: LanguageSpec, i: number, compareHere: boolean): SessionProgram<RunCase> {
  const tc = task.cases[i]!;
  const step: Step = { argv: unlimitedStack(lang.run(task.memoryMb)), env: RUN_ENV, limits: runLimits(task, lang) };
  let r: ExecResult;
  if (task.inputMode === 'file') {
    // a fresh output.txt each test, so a program that writes nothing is not judged on the last one's
    yield* put([{ path: 'input.txt', content: tc.input }, { path: 'output.txt', content: '' }]);
    r = yield* exec({ ...step, stdin: Buffer.alloc(0) });
  } else {
    r = yield* exec({ ...step, stdin: Buffer.from(tc.input, 'utf8') });
  }
  const failed = runFailure(r, task.memoryMb);
  const base = { index: i, timeMs: r.wallMs, cpuMs: r.cpuMs, memoryKb: r.maxRssKb };
  let output = r.stdout;
  if (task.inputMode === 'file') {
    // read (and clear away) output.txt even after a failed run: what the program left there must not break the next test
    const got = yield* collectOutputFile(task.outputLimitBytes);
    if (failed) return { result: { ...base, ...failed } };
    if ('verdict' in got) return { result: { ...base, verdict: got.verdict, detail: got.detail } };
    output = got.output;
  } else if (failed) {
    return { result: { ...base, ...failed } };
  }
  if (!compareHere) return { result: { ...base, verdict: 'AC' }, output };
  // large outputs are compared on a compare thread, never on the event loop
  const cmp = yield* compare(task.comparator as TextComparator, tc.expected, output);
  return { result: { ...base, verdict: cmp.ok ? 'AC' : 'WA', ...(cmp.detail ? { detail: cmp.detail } : {}) } };
}

// Reads output.txt for file-mode problems. The program owns /work: it may
// have deleted output.txt, made it unreadable (chmod 0), or replaced it with a
// FIFO, a directory or a symlink (to /dev/zero, to another file). The agent's
// `get` would fail on some of these (infra_error for the candidate's doing),
// so a fresh process reads it: only a regular file, opened without following
// links and without blocking, capped at the output limit. Exit codes say why not.
const COLLECT = [
  'import os, stat, sys',
  'def rm(top):',
  '    # iterative: a program may nest directories thousands deep',
  '    try:',
  '        st = os.lstat(top)',
  '    except OSError:',
  '        return',
  '    if not stat.S_ISDIR(st.st_mode):',
  '        os.unlink(top)',
  '        return',
  '    stack = [top]',
  '    while stack:',
  '        d = stack[-1]',
  '        os.chmod(d, 0o700)',
  '        sub = []',
  '        for n in os.listdir(d):',
  '            p = os.path.join(d, n)',
  '            if stat.S_ISDIR(os.lstat(p).st_mode):',
  '                sub.append(p)',
  '            else:',
  '                os.unlink(p)',
  '        if sub:',
  '            stack.extend(sub)',
  '        else:',
  '            os.rmdir(d)',
  '            stack.pop()',
  'code = 0',
  'try:',
  '    st = os.lstat("output.txt")',
  'except FileNotFoundError:',
  '    code = 3',
  'except OSError:',
  '    code = 5',
  'else:',
  '    if not stat.S_ISREG(st.st_mode):',
  '        code = 4',
  '    else:',
  '        try:',
  '            fd = os.open("output.txt", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)',
  '        except OSError:',
  '            code = 5',
  '        else:',
  '            out = sys.stdout.buffer',
  '            while True:',
  '                b = os.read(fd, 1 << 20)',
  '                if not b:',
  '                    break',
  '                out.write(b)',
  '            out.flush()',
  '# whatever the program left under these names (a directory, a FIFO) must not break the next test\'s put',
  'for name in ("output.txt", "input.txt"):',
  '    try:',
  '        rm(name)',
  '    except OSError:',
  '        pass',
  'sys.exit(code)',
].join('\n');

const COLLECT_WHY: Record<number, string> = {
  3: 'no output.txt (the program removed it)',
  4: 'output.txt is not a regular file',
  5: 'output.txt is not readable',
};

function* collectOutputFile(limitBytes: number): SessionProgram<{ output: Buffer } | { verdict: CaseVerdict; detail: string }> {
  const r = yield* exec({ argv: ['python3', '-I', '-S', '-c', COLLECT], env: RUN_ENV, limits: { wallMs: 30_000, captureBytes: limitBytes, outputBytes: limitBytes } });
  // only the program can have made /work itself unusable (chmod 0 on the directory)
  // /work is root's (mode 1777): the program cannot make it unusable, so a reader that cannot start is ours
  if (r.spawnError) throw new NotStartedError(`could not start the output.txt reader: ${r.spawnError}`);
  if (r.outputLimitExceeded || r.stdoutTruncated) return { verdict: 'WA', detail: 'output limit exceeded' };
  if (r.exitCode === 0 && r.signal === null && !r.timedOut) return { output: r.stdout };
  const why = r.exitCode !== null ? COLLECT_WHY[r.exitCode] : undefined;
  if (why) return { verdict: 'WA', detail: why };
  throw new Error(`reading output.txt failed: ${r.timedOut ? 'timed out' : `exit ${r.exitCode} signal ${r.signal}`}: ${r.stderr.toString('utf8').slice(0, 300)}`);
}

/** The verdict of a run that did not end normally, or undefined when its output should be compared. */
export function runFailure(r: ExecResult, memoryMb: number): { verdict: CaseVerdict; detail: string } | undefined {
  const tail = r.stderr.toString('utf8').slice(-STDERR_TAIL);
  // our argv could not be started (the program was never run): ours, not the program's runtime error
  if (r.spawnError) throw new NotStartedError(`could not start the program: ${r.spawnError}`);
  if (r.timedOut) return { verdict: 'TLE', detail: 'wall time limit exceeded' };
  if (r.cpuLimitExceeded) return { verdict: 'TLE', detail: 'CPU time limit exceeded' };
  if (r.oomKilled) return { verdict: 'MLE', detail: 'killed by the OOM killer' };
  if (r.outputLimitExceeded) return { verdict: 'WA', detail: 'output limit exceeded' };
  if (r.exitCode === 0 && r.signal === null) return undefined;
  // Under an address-space limit an allocation failure surfaces as bad_alloc
  // (abort) or MemoryError; Piston counts exit 134 (SIGABRT) as MLE too.
  // The JVM prints its OutOfMemoryError above the stack trace (up to 1024
  // frames): it is looked for further back than the tail, and is the detail.
  const oom = r.stderr
    .subarray(-OOM_SCAN)
    .toString('utf8')
    .split('\n')
    .reverse()
    .find((l) => OUT_OF_MEMORY.test(l) && !THREAD_LIMIT.test(l));
  if (oom !== undefined || r.maxRssKb >= memoryMb * 1024) {
    return { verdict: 'MLE', detail: `memory limit exceeded${tail ? ': ' + (oom?.trim().slice(0, 200) ?? lastLine(tail)) : ''}` };
  }
  const how = r.signal !== null ? `killed by signal ${r.signal}` : `exit code ${r.exitCode}`;
  return { verdict: 'RE', detail: tail ? `${how}: ${lastLine(tail)}` : how };
}

const OUT_OF_MEMORY = /std::bad_alloc|MemoryError|OutOfMemoryError/;
// the JVM's word for a thread the pids limit refused (as Python's "can't start new thread": RE)
const THREAD_LIMIT = /OutOfMemoryError: unable to create native thread/;

function lastLine(s: string): string {
  const lines = s.trim().split('\n');
  return (lines[lines.length - 1] ?? '').slice(0, 200);
}

// ---------------------------------------------------------------- checkers

// a checker drowned in output fails with MemoryError/bad_alloc (rejected), never the container's OOM killer
const CHECKER_MEMORY_MB = 768;

function* runChecker(checker: Checker, task: JudgeTask, pending: RunCase[], helpers: HelperBinaries | undefined): SessionProgram<Map<number, CaseResult>> {
  const out = new Map<number, CaseResult>();
  const image = yield* open({ judge: true, programMemoryMb: 256 });
  const helper = yield* prepareHelper(image, checker, 'checker', task.compileTimeLimitMs, helpers);
  for (const c of pending) {
    const tc = task.cases[c.result.index]!;
    yield* put([
      { path: 'tests/input.txt', content: tc.input },
      { path: 'tests/expected.txt', content: tc.expected },
      { path: 'tests/output.txt', content: c.output! },
    ]);
    // open-r1: checker input correct_output solution_output; testlib: checker input output answer
    const files = checker.style === 'python' ? ['tests/input.txt', 'tests/expected.txt', 'tests/output.txt'] : ['tests/input.txt', 'tests/output.txt', 'tests/expected.txt'];
    const r = yield* exec({ argv: [...helper.argv, ...files], pythonFork: helper.pythonFork, identity: 'judge', env: RUN_ENV, limits: { wallMs: checker.timeLimitMs, captureBytes: 64 << 10, outputBytes: 16 << 20, addressSpaceBytes: CHECKER_MEMORY_MB * MB } });
    if (r.spawnError) throw new Error(`checker failed on test ${c.result.index}: ${r.spawnError}`);
    // A checker that times out or is killed (memory) while reading the
    // program's output printed no verdict: rejected, as in open-r1's Piston
    // script (`timeout 10 python3 checker.py …` without `1` on stdout). The
    // program chose that output; it is never our infra_error.
    const died = r.timedOut || r.signal !== null || r.oomKilled;
    const ok = !died && (checker.style === 'python' ? pythonCheckerAccepts(r.stdout.toString('utf8')) : r.exitCode === 0);
    const result: CaseResult = { ...c.result, verdict: ok ? 'AC' : 'WA' };
    if (!ok) result.detail = died ? `rejected: the checker ${r.timedOut ? 'timed out' : 'was killed'} on the output` : 'rejected by the checker';
    out.set(c.result.index, result);
    if (!ok && task.stopOnFirstFailure) break;
  }
  yield* close();
  return out;
}

/** A trusted helper program (checker, interactor) ready to run. */
interface Helper {
  argv: string[];
  pythonFork: boolean;
  /** put again before every run: a program beside it may have overwritten it */
  files: FileEntry[];
}

/** Put (and compile, unless cached) a checker or interactor. */
function* prepareHelper(
  image: string,
  program: { language: JudgeLanguage; source: string },
  name: string,
  wallMs: number,
  helpers: HelperBinaries | undefined,
): SessionProgram<Helper> {
  if (program.language === 'python3') {
    const files: FileEntry[] = [{ path: `${name}.py`, content: program.source, owner: 'judge' }];
    yield* put(files);
    return { argv: ['python3', `${name}.py`], pythonFork: true, files };
  }
  if (program.language !== 'cpp17') throw new Error(`${name} in ${program.language} is not supported`);
  const key = createHash('sha256').update(image).update('\0').update(program.source).digest('hex');
  let bin = helpers?.get(key);
  if (!bin) {
    yield* put([{ path: `${name}.cpp`, content: program.source }]);
    const r = yield* exec({ argv: ['g++', '-O2', '-std=c++17', '-pipe', '-o', name, `${name}.cpp`], limits: { wallMs, captureBytes: COMPILE_CAPTURE } });
    if (r.exitCode !== 0) throw new Error(`${name} does not compile: ${r.stderr.toString('utf8').slice(0, 500)}`);
    bin = (yield* get([name])).get(name);
    if (!bin) throw new Error(`${name} binary missing after compilation`);
    helpers?.set(key, bin);
  }
  const files: FileEntry[] = [{ path: name, content: bin, mode: 0o755, owner: 'judge' }];
  yield* put(files);
  return { argv: [`./${name}`], pythonFork: false, files };
}

// ---------------------------------------------------------------- interactive

function* runInteractive(task: JudgeTask, lang: LanguageSpec, i: number, peer: Helper): SessionProgram<RunCase> {
  const tc = task.cases[i]!;
  yield* put(peer.files);
  const limits = runLimits(task, lang);
  const r = yield* pair({
    main: { argv: unlimitedStack(lang.run(task.memoryMb)), env: RUN_ENV, limits },
    peer: {
      argv: [...peer.argv, '/dev/fd/3', '/dev/fd/4'],
      env: RUN_ENV,
      pythonFork: peer.pythonFork,
      execOnly: !peer.pythonFork,
      secret: Buffer.from(tc.input, 'utf8'),
      // the interactor waits on the program: it gets the program's limit and some slack
      limits: { wallMs: task.timeLimitMs + 2000, captureBytes: 64 << 10, outputBytes: 16 << 20 },
    },
  });
  const base = { index: i, timeMs: r.main.wallMs, cpuMs: r.main.cpuMs, memoryKb: r.main.maxRssKb };
  if (r.main.timedOut || r.main.cpuLimitExceeded) return { result: { ...base, verdict: 'TLE', detail: r.main.timedOut ? 'wall time limit exceeded' : 'CPU time limit exceeded' } };
  // The interactor's word comes first: a program that broke the protocol and then died of SIGPIPE is WA.
  const peerOk = r.peer.exitCode === 0 && r.peer.signal === null && !r.peer.timedOut;
  if (!peerOk) {
    const why = r.peer.timedOut ? 'interactor timed out waiting for the program' : lastLine(r.peer.stderr.toString('utf8')) || `interactor exit ${r.peer.exitCode ?? 'signal ' + r.peer.signal}`;
    return { result: { ...base, verdict: 'WA', detail: `rejected by the interactor: ${why}` } };
  }
  const failed = runFailure({ ...r.main, stdout: Buffer.alloc(0) }, task.memoryMb);
  if (failed) return { result: { ...base, ...failed } };
  return { result: { ...base, verdict: 'AC' } };
}
