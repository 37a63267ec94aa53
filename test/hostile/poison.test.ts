import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LANGUAGE_SPECS, type Language as PolyglotLanguage } from '../../src/benchmarks/polyglot-languages.js';
import { PolyglotHiddenSchema } from '../../src/benchmarks/polyglot-read.js';
import { polyglot } from '../../src/benchmarks/polyglot.js';
import type { Verdict } from '../../src/schemas.js';
import { ensureImages } from '../../src/sandbox/images.js';
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
// the next grade inherits: the agent's and the judge's resource limits
// (prlimit NPROC, STACK, CPU, NOFILE, ...), their priority and CPUs, stopped
// processes, a daemon and files in every scratch dir (IPC leftovers: test/sandbox.test.ts;
// here they would make the old agent's reset fork ipcrm, fail, and retire the container). The three honest grades after it, in the same pool, must keep
// their verdicts: a right answer, a wrong one, and one that needs more than a
// second of CPU. Every language image: python, judge, bigcodebench and the six
// polyglot-* images (the attack is a Python script every image can run, started
// from the language under test).

const hasDocker = await dockerAvailable();

const ATTACK = `
import ctypes, os, resource, signal, subprocess
me = os.getpid()
libc = ctypes.CDLL(None)
for name in os.listdir('/proc'):
    if not name.isdigit() or int(name) == me:
        continue
    pid = int(name)
    # soft limits only: the agent lives on (a hard CPU limit would kill it, and a lost
    # container is replaced), and every process it starts inherits them
    for r, v in ((resource.RLIMIT_NPROC, 1), (resource.RLIMIT_STACK, 16384), (resource.RLIMIT_CPU, 1)):
        try:
            resource.prlimit(pid, r, (v, resource.prlimit(pid, r)[1]))
        except (OSError, ValueError):
            pass
    for f in (lambda: os.setpriority(os.PRIO_PROCESS, pid, 19), lambda: os.sched_setaffinity(pid, {min(os.sched_getaffinity(0))})):
        try:
            f()
        except OSError:
            pass
    if pid != 1:
        try:
            os.kill(pid, signal.SIGSTOP)
        except OSError:
            pass
for d in ('/work', '/tmp', '/dev/shm'):
    try:
        open(os.path.join(d, 'poison'), 'w').write('x')
    except OSError:
        pass
subprocess.Popen(['sleep', '1000'], start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
`;
const B64 = Buffer.from(ATTACK).toString('base64');
const PY_LINE = `import base64; exec(base64.b64decode('${B64}'))`;
// a shell-free argv for the other languages
const ARGV_JSON = JSON.stringify(['python3', '-c', PY_LINE]);

// more than a second of CPU (RLIMIT_CPU poisoned to 1 s kills it), then the answer
const BURN_PY = 'import time\n_t = time.process_time()\nwhile time.process_time() - _t < 1.2:\n    pass\n';

interface Case {
  name: string;
  hostile: Grade;
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

const LEAP_HOSTILE: Record<PolyglotLanguage, Record<string, string>> = {
  python: { 'leap.py': `${PY_LINE}\n\ndef leap_year(year):\n    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)\n` },
  cpp: {
    'leap.h': '#pragma once\nnamespace leap {\nbool is_leap_year(int year);\n}\n',
    'leap.cpp': `#include "leap.h"\n#include <unistd.h>\n#include <sys/wait.h>\nstatic int attack = [] { pid_t p = fork(); if (p == 0) { execlp("python3", "python3", "-c", ${JSON.stringify(PY_LINE)}, (char*)nullptr); _exit(127); } int st; waitpid(p, &st, 0); return 0; }();\nnamespace leap {\nbool is_leap_year(int y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }\n}\n`,
  },
  go: {
    'leap.go': `package leap\n\nimport "os/exec"\n\nfunc init() { _ = exec.Command("python3", "-c", ${JSON.stringify(PY_LINE)}).Run() }\n\nfunc IsLeapYear(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }\n`,
  },
  java: {
    'src/main/java/Leap.java': `class Leap {\n    static {\n        try { new ProcessBuilder(${ARGV_JSON.slice(1, -1)}).start().waitFor(); } catch (Exception e) { }\n    }\n    boolean isLeapYear(int y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }\n}\n`,
  },
  javascript: {
    'leap.js': `require('child_process').spawnSync('python3', ['-c', ${JSON.stringify(PY_LINE)}]);\nexport const isLeap = (year) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);\n`,
  },
  rust: {
    'src/lib.rs': `pub fn is_leap_year(y: u64) -> bool {\n    static ONCE: std::sync::Once = std::sync::Once::new();\n    ONCE.call_once(|| { let _ = std::process::Command::new("python3").args(["-c", ${JSON.stringify(PY_LINE)}]).status(); });\n    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)\n}\n`,
  },
};

function polyglotCase(lang: PolyglotLanguage): Case {
  const id = `${lang}/leap`;
  const g = (files: Record<string, string>): Grade => ({ benchmark: 'polyglot', problem_id: id, completion: JSON.stringify(files) });
  return {
    name: LANGUAGE_SPECS[lang].image,
    hostile: g(LEAP_HOSTILE[lang]),
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
    hostile: he(`    ${PY_LINE}\n    return a + b + c\n`),
    honest: [
      { grade: he(HUMANEVAL_MINI[0]!.canonical_solution), status: 'pass' },
      { grade: he('    return a + b\n'), status: 'fail' },
      { grade: he(`    ${BURN_PY.trim().split('\n').join('\n    ')}\n    return a + b + c\n`), status: 'pass' },
    ],
  },
  {
    name: 'judge',
    hostile: judge(`${PY_LINE}\na, b = map(int, input().split())\nprint(a + b)\n`),
    honest: [
      { grade: judge('a, b = map(int, input().split())\nprint(a + b)\n'), status: 'pass' },
      { grade: judge('print(0)\n'), status: 'fail' },
      { grade: judge(`${BURN_PY}import sys\nsys.setrecursionlimit(10000)\ndef f(n): return 0 if n == 0 else 1 + f(n - 1)\nf(5000)\na, b = map(int, input().split())\nprint(a + b)\n`), status: 'pass' },
    ],
  },
  {
    name: 'bigcodebench',
    hostile: bcb(`${PY_LINE}\n${bcbSolution}`),
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
      // whatever the attack earns, it is the program's verdict, never ours
      expect(h.status, `hostile: ${h.reason} ${h.detail}`).not.toBe('infra_error');
      const got: string[] = [];
      for (const { grade: g, status } of c.honest) {
        const v = await grade(g);
        got.push(v.status === status ? status : `${v.status}/${v.reason} ${v.detail ?? ''}`.slice(0, 300));
      }
      expect(got).toEqual(c.honest.map((x) => x.status));
    }, 3_600_000);
  }
});
