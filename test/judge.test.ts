import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { JudgeTaskInput } from '../src/judge/types.js';
import type { SandboxEngine } from '../src/sandbox/engine.js';
import { dockerAvailable } from './helpers/docker.js';
import { ensureJudgeImage, judgeEngine, runJudge } from './helpers/judge.js';
import { ti } from './helpers/instance.js';

const hasDocker = await dockerAvailable();
// compiling under a loaded CI machine takes seconds per program
vi.setConfig({ testTimeout: 240_000 });

const SUM_CPP = `#include <bits/stdc++.h>
int main(){ long long a,b; std::cin>>a>>b; std::cout<<a+b<<"\\n"; }`;
const SUM_PY = 'a, b = map(int, input().split())\nprint(a + b)\n';
const cases = [
  { input: '1 2\n', expected: '3\n' },
  { input: '10 -4\n', expected: '6\n' },
  { input: '1000000000000 1\n', expected: '1000000000001\n' },
];

describe.skipIf(!hasDocker)('judge core', () => {
  let engine: SandboxEngine;
  const judge = (t: Partial<JudgeTaskInput> & Pick<JudgeTaskInput, 'language' | 'source'>) =>
    runJudge(engine, { cases, timeLimitMs: 2000, memoryMb: 256, comparator: { kind: 'token' }, ...t });

  beforeAll(async () => {
    await ensureJudgeImage();
    engine = judgeEngine(ti('test-judge'));
  }, 900_000);
  afterAll(async () => {
    await engine?.close();
  });

  it('C++17: compiles once with -DONLINE_JUDGE and accepts a correct program', async () => {
    const r = await judge({ language: 'cpp17', source: `#ifndef ONLINE_JUDGE\n#error no\n#endif\n${SUM_CPP}` });
    expect(r.compile.ok).toBe(true);
    expect(r.verdict).toBe('AC');
    expect(r.cases.map((c) => c.verdict)).toEqual(['AC', 'AC', 'AC']);
    expect(r.cases[0]!.memoryKb).toBeGreaterThan(0);
  });

  it('Python: accepts a correct program, WA on the failing test, early stop vs run-all', async () => {
    expect((await judge({ language: 'python3', source: SUM_PY })).verdict).toBe('AC');
    const wrong = 'a, b = map(int, input().split())\nprint(a + b if a != 10 else 0)\n';
    const early = await judge({ language: 'python3', source: wrong });
    expect(early.verdict).toBe('WA');
    expect(early.cases.map((c) => c.verdict)).toEqual(['AC', 'WA']);
    const all = await judge({ language: 'python3', source: wrong, stopOnFirstFailure: false });
    expect(all.cases.map((c) => c.verdict)).toEqual(['AC', 'WA', 'AC']);
  });

  it('CE with the compiler output', async () => {
    const r = await judge({ language: 'cpp17', source: 'int main() { return x; }' });
    expect(r.verdict).toBe('CE');
    expect(r.compile.ok).toBe(false);
    expect(r.compile.output).toContain('x');
    expect(r.cases).toEqual([]);
  });

  it('TLE on an endless loop, RE on a crash or non-zero exit, MLE over the memory limit', async () => {
    const tle = await judge({ language: 'cpp17', source: 'int main(){ volatile unsigned long long i=0; for(;;) i++; }', timeLimitMs: 500 });
    expect(tle.verdict).toBe('TLE');
    expect(tle.cases).toHaveLength(1);
    const seg = await judge({ language: 'cpp17', source: 'int main(){ int *p = nullptr; return *p; }' });
    expect(seg.verdict).toBe('RE');
    expect(seg.cases[0]!.detail).toMatch(/signal 11/);
    const exit3 = await judge({ language: 'python3', source: 'import sys\nsys.exit(3)' });
    expect(exit3.verdict).toBe('RE');
    const mle = await judge({
      language: 'cpp17',
      source: '#include <bits/stdc++.h>\nint main(){ std::vector<char> v(400u<<20, 1); std::cout << (int)v[12345] << std::endl; }',
      memoryMb: 128,
    });
    expect(mle.verdict).toBe('MLE');
    const mlePy = await judge({ language: 'python3', source: 'x = bytearray(400 << 20)\nprint(len(x))', memoryMb: 128 });
    expect(mlePy.verdict).toBe('MLE');
  });

  it('Java: javac + java Main with ONLINE_JUDGE set accepts a correct program; CE with javac\'s output', async () => {
    // contest templates read stdin only when ONLINE_JUDGE is set (else a local file)
    const sum = 'import java.util.*;\npublic class Main { public static void main(String[] x) { Scanner s = new Scanner(System.in); long a = s.nextLong(), b = s.nextLong(); System.out.println(System.getProperty("ONLINE_JUDGE") != null ? a + b : -1); } }\n';
    const r = await judge({ language: 'java', source: sum, timeLimitMs: 10_000 });
    expect(r.compile.ok).toBe(true);
    expect(r.verdict).toBe('AC');
    expect(r.cases.map((c) => c.verdict)).toEqual(['AC', 'AC', 'AC']);
    const ce = await judge({ language: 'java', source: 'public class Main { public static void main(String[] a) { return x; } }\n' });
    expect(ce.verdict).toBe('CE');
    expect(ce.compile.output).toMatch(/Main\.java:1: error/);
    expect(ce.cases).toEqual([]);
  });

  it('Java: the memory limit is the heap (-Xmx): 100 MB fits 256, 400 MB is MLE; a refused thread is RE; TLE, RE, and recursion a million deep in the 64 MB stack', async () => {
    const alloc = (mb: number) => `public class Main { public static void main(String[] a) { byte[] b = new byte[${mb} << 20]; b[12345] = 1; System.out.println(3 + b[0]); } }\n`;
    const one = cases.slice(0, 1);
    // the JVM reserves far more address space than the limit: it must start and count its heap only
    expect((await judge({ language: 'java', source: alloc(100), cases: one, timeLimitMs: 10_000 })).verdict).toBe('AC');
    const mle = await judge({ language: 'java', source: alloc(400), cases: one, timeLimitMs: 10_000 });
    expect(mle.verdict).toBe('MLE');
    expect(mle.cases[0]!.detail).toMatch(/OutOfMemoryError/);
    const bomb = await judge({ language: 'java', source: 'import java.util.*;\npublic class Main { public static void main(String[] a) { List<long[]> v = new ArrayList<>(); while (true) v.add(new long[1 << 20]); } }\n', cases: one, timeLimitMs: 20_000 });
    expect(bomb.verdict).toBe('MLE');
    // the OutOfMemoryError line heads a 1024-frame stack trace, far above the stderr tail
    const deepBomb = 'import java.util.*;\npublic class Main { static List<long[]> v = new ArrayList<>(); static void d(int n) { if (n == 0) while (true) v.add(new long[1 << 20]); d(n - 1); } public static void main(String[] a) { d(5000); } }\n';
    const deepMle = await judge({ language: 'java', source: deepBomb, cases: one, timeLimitMs: 20_000 });
    expect(deepMle.verdict).toBe('MLE');
    expect(deepMle.cases[0]!.detail).toMatch(/OutOfMemoryError: Java heap space/);
    // threads until the pids limit refuses one: the JVM calls it an OutOfMemoryError, but it is RE
    const threads = 'public class Main { public static void main(String[] a) { while (true) { Thread t = new Thread(() -> { try { Thread.sleep(60_000); } catch (InterruptedException e) { } }); t.setDaemon(true); t.start(); } } }\n';
    const refused = await judge({ language: 'java', source: threads, cases: one, timeLimitMs: 20_000 });
    expect(refused.verdict).toBe('RE');
    expect(refused.cases[0]!.detail).toMatch(/^exit code 1/);
    const tle = await judge({ language: 'java', source: 'public class Main { public static void main(String[] a) { long x = 0; while (true) x++; } }\n', cases: one, timeLimitMs: 1000 });
    expect(tle.verdict).toBe('TLE');
    const re = await judge({ language: 'java', source: 'public class Main { public static void main(String[] a) { throw new IllegalStateException("boom"); } }\n', cases: one, timeLimitMs: 10_000 });
    expect(re.verdict).toBe('RE');
    expect(re.cases[0]!.detail).toMatch(/^exit code 1/);
    const deep = 'public class Main { static int d(int n) { return n == 0 ? 0 : 1 + d(n - 1); } public static void main(String[] a) { System.out.println(d(1_000_000) > 0 ? 3 : 0); } }\n';
    expect((await judge({ language: 'java', source: deep, cases: one, timeLimitMs: 10_000 })).verdict).toBe('AC');
  });

  it('CPU limit: a sleeping program passes the CPU limit but not the wall limit', async () => {
    const r = await judge({ language: 'python3', source: 'import time\ntime.sleep(3)\nprint(3)', timeLimitMs: 1000, cpuLimitMs: 1000 });
    expect(r.verdict).toBe('TLE');
    expect(r.cases[0]!.detail).toMatch(/wall/);
  });

  it('file mode: input.txt / output.txt, and a program that writes nothing is not judged on stale output', async () => {
    const src = `#include <bits/stdc++.h>
int main(){ std::ifstream in("input.txt"); std::ofstream out("output.txt"); long long a,b; in>>a>>b; if (a == 10) return 0; out<<a+b<<"\\n"; }`;
    const r = await judge({ language: 'cpp17', source: src, inputMode: 'file', stopOnFirstFailure: false, timeLimitMs: 20_000 });
    expect(r.cases.map((c) => c.verdict)).toEqual(['AC', 'WA', 'AC']);
  });

  it('a python checker (open-r1: prints 1) and a testlib-style checker (exit 0) run in their own container', async () => {
    const anyOrder = [
      { input: '2\n', expected: '1 2\n' },
      { input: '3\n', expected: '1 2 3\n' },
    ];
    const pyChecker = `import sys
inp, exp, out = (open(p).read() for p in sys.argv[1:4])
print(1 if sorted(exp.split()) == sorted(out.split()) else 0)
`;
    const reversed = 'n = int(input())\nprint(*range(n, 0, -1))\n';
    const r1 = await judge({ language: 'python3', source: reversed, cases: anyOrder, comparator: { kind: 'checker', style: 'python', language: 'python3', source: pyChecker } });
    expect(r1.verdict).toBe('AC');
    const tl = `#include <bits/stdc++.h>
int main(int argc, char** argv){ std::ifstream in(argv[1]), out(argv[2]), ans(argv[3]);
  std::multiset<long long> a, b; long long x; while (out>>x) a.insert(x); while (ans>>x) b.insert(x); return a == b ? 0 : 1; }`;
    const broken = 'n = int(input())\nprint(*range(n, 0, -1) if n < 3 else [0])\n';
    const r2 = await judge({ language: 'python3', source: broken, cases: anyOrder, comparator: { kind: 'checker', style: 'testlib', language: 'cpp17', source: tl } });
    expect(r2.verdict).toBe('WA');
    expect(r2.cases.map((c) => c.verdict)).toEqual(['AC', 'WA']);
    // a program cannot reach the checker's files: the expected answer is not in its container
    const snoop = "import os\nprint(sorted(os.listdir('.')))";
    const r3 = await judge({ language: 'python3', source: snoop, cases: anyOrder.slice(0, 1), comparator: { kind: 'checker', style: 'python', language: 'python3', source: 'import sys\nout=open(sys.argv[3]).read()\nprint(1 if "expected" in out or "checker" in out else 0)' } });
    expect(r3.verdict).toBe('WA');
  });

  // issue 14: what the program can cause is the program's verdict, never ours
  it('a 64 MB adversarial output is judged (WA) while a neighbour\'s grade completes', async () => {
    // 64 MB of whitespace runs and one-character tokens (the old comparators spent minutes on it, on the event loop);
    // the expected output is the same but for its last token, so the comparison must scan all of it
    const chunk = ('x' + ' '.repeat(63) + 'y\t'.repeat(32)).repeat(4096);
    const flood = `import sys\nw = sys.stdout.write\nchunk = ${JSON.stringify(chunk.slice(0, 128))} * 4096\nfor _ in range(63):\n    w(chunk)\nw("z")\n`;
    const expected = chunk.repeat(63) + 'w';
    const tokensBefore = 63 * 4096 * 33;
    let bigDone = 0;
    const big = judge({ language: 'python3', source: flood, cases: [{ input: '', expected }], timeLimitMs: 60_000, memoryMb: 512 }).then((r) => ((bigDone = Date.now()), r));
    // honest grades beside it, one after another, for as long as the big one runs
    const honest: string[] = [];
    while (!bigDone) honest.push((await judge({ language: 'python3', source: SUM_PY, timeLimitMs: 20_000 })).verdict);
    const r = await big;
    expect(r.verdict).toBe('WA');
    expect(r.cases[0]!.detail).toBe(`token ${tokensBefore + 1} differs`);
    expect(honest.length).toBeGreaterThan(0);
    expect(honest.every((v) => v === 'AC')).toBe(true);
  });

  it('a checker drowned in output (times out, or runs out of memory) rejects it: WA, never an infra error', async () => {
    // 66 MB of tokens would exceed the default output limit: raise it, as a problem may
    const flood = 'import sys\nchunk = "1 " * (1 << 19)\nfor _ in range(60):\n    sys.stdout.write(chunk)\n';
    const slowChecker = 'import sys\ntoks = open(sys.argv[3]).read().split()\nwhile len(toks) > 1:\n    toks = toks[:-1]\nprint(1)\n';
    const hungry = 'import sys\ndata = [int(t) for t in open(sys.argv[3]).read().split()] * 64\nprint(1)\n';
    for (const source of [slowChecker, hungry]) {
      const r = await judge({ language: 'python3', source: flood, cases: cases.slice(0, 1), timeLimitMs: 60_000, outputLimitBytes: 128 << 20, comparator: { kind: 'checker', style: 'python', language: 'python3', source, timeLimitMs: 3000 } });
      expect(r.verdict).toBe('WA');
      expect(r.cases[0]!.detail).toMatch(/^rejected/);
    }
  });

  it('file mode: an output.txt made unreadable, replaced by a FIFO, a symlink or a directory, or removed is the program\'s WA', { timeout: 900_000 }, async () => {
    const write = 'a, b = map(int, open("input.txt").read().split())\nopen("output.txt", "w").write(str(a + b))\n';
    const attacks: Record<string, string> = {
      chmod0: `${write}import os\nos.chmod("output.txt", 0)\n`,
      fifo: 'import os\nos.remove("output.txt")\nos.mkfifo("output.txt")\n',
      symlinkZero: 'import os\nos.remove("output.txt")\nos.symlink("/dev/zero", "output.txt")\n',
      symlinkInput: 'import os\nos.remove("output.txt")\nos.symlink("input.txt", "output.txt")\n',
      directory: 'import os\nos.remove("output.txt")\nos.mkdir("output.txt")\n',
      removed: 'import os\nos.remove("output.txt")\n',
    };
    for (const [name, source] of Object.entries(attacks)) {
      // two tests: what the first run left behind must not break the second test's files
      const r = await judge({ language: 'python3', source, cases: cases.slice(0, 2), inputMode: 'file', stopOnFirstFailure: false, timeLimitMs: 30_000 });
      expect([name, r.verdict], JSON.stringify(r.cases)).toEqual([name, 'WA']);
    }
    // and an honest file-mode program still passes
    expect((await judge({ language: 'python3', source: write, inputMode: 'file', timeLimitMs: 20_000 })).verdict).toBe('AC');
  });
});

// Guess the number in [1, 10^9]: the interactor answers <, > or =, at most 40 queries.
const INTERACTOR_PY = `import sys
secret = int(open(sys.argv[1]).read())
for q in range(40):
    line = sys.stdin.readline()
    if not line:
        sys.stderr.write("no guess\\n"); sys.exit(1)
    g = int(line)
    if g == secret:
        print("="); sys.stdout.flush(); sys.exit(0)
    print("<" if secret < g else ">"); sys.stdout.flush()
sys.stderr.write("too many guesses\\n"); sys.exit(1)
`;
const INTERACTOR_CPP = `#include <iostream>
#include <fstream>
#include <string>
int main(int argc, char** argv){ std::ifstream in(argv[1]); long long s; in >> s;
  for (int q = 0; q < 40; q++) { long long g; if (!(std::cin >> g)) { std::cerr << "no guess"; return 1; }
    if (g == s) { std::cout << "=" << std::endl; return 0; } std::cout << (s < g ? "<" : ">") << std::endl; }
  std::cerr << "too many guesses"; return 1; }`;
const GUESS_CPP = `#include <iostream>
#include <fstream>
#include <string>
int main(){ long long lo = 1, hi = 1000000000; while (lo <= hi) { long long m = (lo + hi) / 2; std::cout << m << std::endl;
  std::string r; std::cin >> r; if (r == "=") return 0; if (r == "<") hi = m - 1; else lo = m + 1; } }`;
const GUESS_PY = `lo, hi = 1, 10**9
while lo <= hi:
    m = (lo + hi) // 2
    print(m, flush=True)
    r = input().strip()
    if r == '=':
        break
    if r == '<':
        hi = m - 1
    else:
        lo = m + 1
`;

describe.skipIf(!hasDocker)('interactive judging', () => {
  let engine: SandboxEngine;
  const secrets = [{ input: '1\n', expected: '' }, { input: '777777777\n', expected: '' }, { input: '1000000000\n', expected: '' }];
  const judge = (language: 'cpp17' | 'python3', source: string, interactor: { language: 'cpp17' | 'python3'; source: string }, timeLimitMs = 2000) =>
    runJudge(engine, { language, source, cases: secrets, timeLimitMs, memoryMb: 256, comparator: { kind: 'exact' }, interactor });

  beforeAll(async () => {
    await ensureJudgeImage();
    engine = judgeEngine(ti('test-judge-interactive'));
  }, 900_000);
  afterAll(async () => {
    await engine?.close();
  });

  for (const [iname, interactor] of [['python', { language: 'python3' as const, source: INTERACTOR_PY }], ['C++', { language: 'cpp17' as const, source: INTERACTOR_CPP }]] as const) {
    it(`binary search passes in C++ and Python (${iname} interactor)`, async () => {
      expect((await judge('cpp17', GUESS_CPP, interactor)).verdict).toBe('AC');
      const py = await judge('python3', GUESS_PY, interactor);
      expect(py.verdict).toBe('AC');
      expect(py.cases).toHaveLength(3);
    });

    it(`a program that never reads the answers is WA; one that waits forever is TLE (${iname} interactor)`, async () => {
      const blind = await judge('python3', 'print(500000000, flush=True)\n', interactor);
      expect(blind.verdict).toBe('WA');
      expect(blind.cases[0]!.detail).toMatch(/interactor/);
      const waits = await judge('cpp17', '#include <iostream>\nint main(){ long long x; std::cin >> x; std::cout << x; }', interactor, 1000);
      expect(waits.verdict).toBe('TLE');
      const waitsPy = await judge('python3', 'import sys\nsys.stdin.read()\n', interactor, 1000);
      expect(waitsPy.verdict).toBe('TLE');
    });
  }

  it.each([
    ['python', { language: 'python3' as const, source: INTERACTOR_PY }],
    ['C++', { language: 'cpp17' as const, source: INTERACTOR_CPP }],
  ])('the program cannot read the secret input nor replace the interactor for the next test (%s interactor)', async (_n, interactor) => {
    const cheat = `import os, glob, sys
found = None
for p in glob.glob('/proc/[0-9]*/fd/3') + ['input.txt', '/dev/fd/3']:
    try:
        found = int(open(p).read()); break
    except Exception:
        pass
for name, text in (('interactor.py', 'import sys\\nprint("=", flush=True)\\nsys.exit(0)\\n'), ('interactor', '#!/bin/sh\\necho =\\n')):
    try:
        os.chmod(name, 0o755)
    except Exception:
        pass
    try:
        if os.path.exists(name):
            os.unlink(name)
        open(name, 'w').write(text)
        os.chmod(name, 0o755)
    except Exception:
        pass
print(found if found is not None else 1, flush=True)
sys.stdin.readline()
`;
    const r = await runJudge(
      engine,
      { language: 'python3', source: cheat, cases: secrets, timeLimitMs: 2000, memoryMb: 256, comparator: { kind: 'exact' }, interactor, stopOnFirstFailure: false },
    );
    // the first secret is 1, the fallback guess; the others must fail
    expect(r.cases.map((c) => c.verdict)).toEqual(['AC', 'WA', 'WA']);
  });
});
