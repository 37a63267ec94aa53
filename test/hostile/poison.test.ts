import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LANGUAGE_SPECS, type Language as PolyglotLanguage } from '../../src/benchmarks/polyglot/languages.js';
import { PolyglotHiddenSchema } from '../../src/benchmarks/polyglot/read.js';
import { polyglot } from '../../src/benchmarks/polyglot/benchmark.js';
import type { Verdict } from '../../src/schemas.js';
import { ensureImages } from '../../src/sandbox/images/build.js';
import { fillVolumes } from '../../src/sandbox/volumes.js';
import { testApp } from '../helpers/app.js';
import { dockerAvailable, SANDBOXES } from '../helpers/docker.js';
import { ti } from '../helpers/instance.js';
import { BIGCODEBENCH_MINI, writeBigCodeBenchFixtures } from '../fixtures/bigcodebench.js';
import { HUMANEVAL_MINI, writeFixtures } from '../fixtures/humaneval.js';
import { sumProblem } from './programs.js';

// The poisoned-container test: in a service that keeps one warm container per
// image and grades one thing at a time (concurrency 1, warm 1, containers
// reused), a hostile program runs as the candidate and tries to poison what
// the next grade inherits: the agent's (PID 1) and the judge's resource limits
// (prlimit NPROC, STACK, CPU), their priority and CPUs, stopped processes, a
// daemon and files in every scratch dir (IPC leftovers: test/sandbox.test.ts).
// Two things must hold:
//  * no attempt takes effect: the program counts every call that succeeded
//    against PID 1 or a process of another uid, and answers right only when
//    there were none (so the hostile grade itself must pass). Its own
//    processes (the test runner that started it) are its business. Before
//    the sandbox identities the agent ran as the candidate's uid and every
//    prlimit on it succeeded: that grade failed, and the next honest grade in
//    the container was infra_error (the agent could not fork: NPROC 1). The
//    earlier version of this test passed there because its attack never ran
//    in the HumanEval harness: `import resource` fails where the harness
//    hides the module (as the official guard does); this one takes it back
//    from sys.modules and uses posix.* where os.* is hidden.
//  * the three honest grades after it, in the same pool, keep their verdicts:
//    a right answer, a wrong one, and one that needs more than a second of CPU.
// Every language image: python, judge, bigcodebench and the six polyglot-*.
// Python, C++ and JavaScript solutions carry the attack (C++ natively, the
// others as a Python script); Go, Java and Rust solutions cannot start a
// process or make a system call past the Polyglot guard, so their attack is
// refused before it runs (compile_error).

const hasDocker = await dockerAvailable();

// Sets `leaked`: the calls that reached PID 1 or another uid's process.
const ATTACK = `
import os, signal, sys, posix
sys.modules.pop('resource', None)  # harnesses hide it, as the official ones do
import resource
me, mine = posix.getpid(), posix.getuid()
leaked = []
def uid_of(pid):
    try:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                if line.startswith('Uid:'):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
pids = {1}
try:
    pids.update(int(n) for n in posix.listdir('/proc') if n.isdigit())
except OSError:
    pass
for pid in sorted(pids - {me}):
    if pid != 1 and uid_of(pid) in (None, mine):
        continue
    # soft limits only: the agent would live on, and every process it starts inherits them
    for r, v in ((resource.RLIMIT_NPROC, 1), (resource.RLIMIT_STACK, 16384), (resource.RLIMIT_CPU, 1)):
        try:
            resource.prlimit(pid, r, (v, resource.prlimit(pid, r)[1]))
            leaked.append('prlimit %d %d' % (pid, r))
        except (OSError, ValueError):
            pass
    for what, f in (('nice', lambda: posix.setpriority(posix.PRIO_PROCESS, pid, 19)),
                    ('affinity', lambda: posix.sched_setaffinity(pid, {min(posix.sched_getaffinity(0))})),
                    ('stop', lambda: posix.kill(pid, signal.SIGSTOP))):
        if what == 'stop' and pid == 1:
            continue  # PID 1 ignores it anyway
        try:
            f()
            leaked.append('%s %d' % (what, pid))
        except OSError:
            pass
for d in ('/work', '/tmp', '/dev/shm'):
    try:
        open(os.path.join(d, 'poison'), 'w').write('x')
    except OSError:
        pass
try:  # a daemon for reset to find (fork and exec may be hidden from the program: posix keeps them)
    if posix.fork() == 0:
        try:
            posix.setsid()
            null = posix.open('/dev/null', posix.O_RDWR)
            for fd in (0, 1, 2):  # a parent waiting for its pipes to close must not wait for the daemon
                posix.dup2(null, fd)
            posix.execv('/bin/sleep', ['sleep', '1000'])
        finally:
            posix._exit(0)
except (OSError, AttributeError):
    pass
`;
const B64 = Buffer.from(ATTACK).toString('base64');
/** A Python expression that runs the attack and is its list of what took effect. */
const LEAKED = `(lambda g: (exec(__import__('base64').b64decode('${B64}'), g), g['leaked'])[1])({})`;
/** The attack as a script: exit 3 when anything took effect. */
const SCRIPT = `import sys; sys.exit(3 if ${LEAKED} else 0)`;

// more than a second of CPU (RLIMIT_CPU poisoned to 1 s kills it), then the answer
const BURN_PY = 'import time\n_t = time.process_time()\nwhile time.process_time() - _t < 1.2:\n    pass\n';

interface Case {
  name: string;
  hostile: Grade;
  /** pass, or status/reason */
  hostileVerdict: string;
  honest: Array<{ grade: Grade; status: 'pass' | 'fail' }>;
}
interface Grade {
  benchmark?: string;
  problem_id?: string;
  problem?: unknown;
  completion: string;
  options?: Record<string, unknown>;
}

const POLYGLOT_FIXTURES = path.join(__dirname, '..', 'fixtures', 'polyglot');
const { problems: polyglotProblems } = await polyglot.read(POLYGLOT_FIXTURES, {});
const reference = (id: string) => PolyglotHiddenSchema.parse(polyglotProblems.find((p) => p.id === id)!.hidden).reference;

const CPP_ATTACK = `#include "leap.h"
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>
static int uid_of(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string k;
  while (f >> k) if (k == "Uid:") { int u = -1; f >> u; return u; }
  return -1;
}
// what reached PID 1 or another uid's process
static int attack() {
  int leaked = 0, me = getpid(), mine = getuid();
  std::vector<int> pids{1};
  if (DIR* d = opendir("/proc")) {
    while (dirent* e = readdir(d)) { int p = atoi(e->d_name); if (p > 1) pids.push_back(p); }
    closedir(d);
  }
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &one);
  for (int pid : pids) {
    if (pid == me || (pid != 1 && (uid_of(pid) == mine || uid_of(pid) < 0))) continue;
    for (int r : {RLIMIT_NPROC, RLIMIT_STACK, RLIMIT_CPU}) {
      struct rlimit old;
      if (prlimit(pid, (__rlimit_resource)r, nullptr, &old) != 0) continue;
      struct rlimit low = old;
      low.rlim_cur = r == RLIMIT_STACK ? 16384 : 1;
      if (prlimit(pid, (__rlimit_resource)r, &low, nullptr) == 0) leaked++;
    }
    if (setpriority(PRIO_PROCESS, pid, 19) == 0) leaked++;
    if (sched_setaffinity(pid, sizeof one, &one) == 0) leaked++;
    if (pid != 1 && kill(pid, SIGSTOP) == 0) leaked++;
  }
  return leaked;
}
static const int leaked = attack();
namespace leap {
bool is_leap_year(int y) { bool r = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); return leaked ? !r : r; }
}
`;

const LEAP_HOSTILE: Record<PolyglotLanguage, Record<string, string>> = {
  python: { 'leap.py': `_leaked = ${LEAKED}\n\ndef leap_year(year):\n    r = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)\n    return (not r) if _leaked else r\n` },
  cpp: { 'leap.h': '#pragma once\nnamespace leap {\nbool is_leap_year(int year);\n}\n', 'leap.cpp': CPP_ATTACK },
  javascript: {
    'leap.js': `const leaked = require('child_process').spawnSync('python3', ['-c', ${JSON.stringify(SCRIPT)}]).status === 3;\nexport const isLeap = (year) => (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) !== leaked;\n`,
  },
  // refused by the Polyglot guard before they run: no process, no system call
  go: {
    'leap.go': `package leap\n\nimport "os/exec"\n\nfunc init() { _ = exec.Command("python3", "-c", ${JSON.stringify(SCRIPT)}).Run() }\n\nfunc IsLeapYear(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }\n`,
  },
  java: {
    'src/main/java/Leap.java': `class Leap {\n    static {\n        try { new ProcessBuilder("python3", "-c", ${JSON.stringify(SCRIPT)}).start().waitFor(); } catch (Exception e) { }\n    }\n    boolean isLeapYear(int y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }\n}\n`,
  },
  rust: {
    'src/lib.rs': `pub fn is_leap_year(y: u64) -> bool {\n    static ONCE: std::sync::Once = std::sync::Once::new();\n    ONCE.call_once(|| { let _ = std::process::Command::new("python3").args(["-c", ${JSON.stringify(SCRIPT)}]).status(); });\n    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)\n}\n`,
  },
};

/** What the hostile grade must get: pass where the attack runs (nothing took effect), compile_error where the guard refuses it. */
const HOSTILE_VERDICT: Record<PolyglotLanguage, string> = { python: 'pass', cpp: 'pass', javascript: 'pass', go: 'fail/compile_error', java: 'fail/compile_error', rust: 'fail/compile_error' };

function polyglotCase(lang: PolyglotLanguage): Case {
  const id = `${lang}/leap`;
  const g = (files: Record<string, string>): Grade => ({ benchmark: 'polyglot', problem_id: id, completion: JSON.stringify(files) });
  return {
    name: LANGUAGE_SPECS[lang].image,
    hostile: g(LEAP_HOSTILE[lang]),
    hostileVerdict: HOSTILE_VERDICT[lang],
    // a build and test run (cargo, javac, go, jest, g++) needs well over a second of CPU
    honest: [
      { grade: g(reference(id)), status: 'pass' },
      { grade: g({}), status: 'fail' },
      { grade: g(reference(id)), status: 'pass' },
    ],
  };
}

const he = (completion: string): Grade => ({ benchmark: 'humaneval', problem_id: 'Mini/0', completion, options: { timeout_s: 60 } });
// generous limits: a loaded machine stretches wall time, and the verdicts must not depend on it
const judge = (completion: string): Grade => ({ problem: sumProblem('python3', 90), completion });
const bcbRow = BIGCODEBENCH_MINI[0]!;
const bcb = (solution: string): Grade => ({ benchmark: 'bigcodebench', problem_id: bcbRow.task_id, completion: solution });
const bcbSolution = bcbRow.code_prompt + bcbRow.canonical_solution;

const CASES: Case[] = [
  {
    name: 'python',
    hostile: he(`    _leaked = ${LEAKED}\n    return -1 if _leaked else a + b + c\n`),
    hostileVerdict: 'pass',
    honest: [
      { grade: he(HUMANEVAL_MINI[0]!.canonical_solution), status: 'pass' },
      { grade: he('    return a + b\n'), status: 'fail' },
      { grade: he(`    ${BURN_PY.trim().split('\n').join('\n    ')}\n    return a + b + c\n`), status: 'pass' },
    ],
  },
  {
    name: 'judge',
    hostile: judge(`_leaked = ${LEAKED}\na, b = map(int, input().split())\nprint(_leaked if _leaked else a + b)\n`),
    hostileVerdict: 'pass',
    honest: [
      { grade: judge('a, b = map(int, input().split())\nprint(a + b)\n'), status: 'pass' },
      { grade: judge('print(0)\n'), status: 'fail' },
      { grade: judge(`${BURN_PY}import sys\nsys.setrecursionlimit(10000)\ndef f(n): return 0 if n == 0 else 1 + f(n - 1)\nf(5000)\na, b = map(int, input().split())\nprint(a + b)\n`), status: 'pass' },
    ],
  },
  {
    name: 'bigcodebench',
    hostile: bcb(`_leaked = ${LEAKED}\n${bcbSolution}\nif _leaked:\n    task_func = lambda *a, **k: None\n`),
    hostileVerdict: 'pass',
    honest: [
      { grade: bcb(bcbSolution), status: 'pass' },
      { grade: bcb(`${bcbRow.code_prompt}    return None\n`), status: 'fail' },
      { grade: bcb(`${BURN_PY}${bcbSolution}`), status: 'pass' },
    ],
  },
  ...(['python', 'cpp', 'go', 'java', 'javascript', 'rust'] as const).map(polyglotCase),
];

describe.skipIf(!hasDocker)('poisoned containers', () => {
  let app: Awaited<ReturnType<typeof testApp>>;

  beforeAll(async () => {
    const fx = writeFixtures();
    const bfx = writeBigCodeBenchFixtures();
    app = await testApp(
      [
        { benchmark: 'humaneval', file: fx.humaneval },
        { benchmark: 'bigcodebench', file: bfx.file },
        { benchmark: 'polyglot', file: POLYGLOT_FIXTURES },
      ],
      // one grade at a time, one warm container per image, reused: the next grade gets what the last one left
      { instance: ti('test-poison'), concurrency: 1, warm: 1, maxUses: 1000 },
    );
  }, 600_000);
  afterAll(async () => {
    await app?.close();
  });

  const grade = async (g: Grade): Promise<Verdict> => {
    const r = await app.server.inject(
      g.problem !== undefined
        ? { method: 'POST', url: '/v1/grade/batch', payload: { items: [{ problem: g.problem, completion: g.completion }], format: 'json' } }
        : { method: 'POST', url: '/v1/grade', payload: { benchmark: g.benchmark, problem_id: g.problem_id, completion: g.completion, options: g.options } },
    );
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json() as Verdict | { results: Verdict[] };
    return 'results' in body ? body.results[0]! : body;
  };

  for (const c of CASES) {
    it(`${c.name}: the three honest grades after a poisoning attempt keep their verdicts`, async () => {
      // each image built (when missing) by its own test, so one image can be tested alone (-t)
      await ensureImages(new Docker(), SANDBOXES, [c.name]);
      // as `verdict import` does: Catch's main of the fixtures into the C++ compiler cache
      if (c.name === LANGUAGE_SPECS.cpp.image) await fillVolumes(new Docker(), SANDBOXES, polyglot.volumes!(polyglotProblems));
      const h = await grade(c.hostile);
      // nothing the attack tried took effect (the program answers right only then), or the guard refused it
      expect(h.status === 'pass' ? 'pass' : `${h.status}/${h.reason}`, `hostile: ${h.detail ?? ''}`).toBe(c.hostileVerdict);
      const got: string[] = [];
      for (const { grade: g, status } of c.honest) {
        const v = await grade(g);
        got.push(v.status === status ? status : `${v.status}/${v.reason} ${v.detail ?? ''}`.slice(0, 300));
      }
      expect(got).toEqual(c.honest.map((x) => x.status));
    }, 3_600_000);
  }
});
