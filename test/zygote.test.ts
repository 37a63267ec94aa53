// Zygote runs (Step.zygote): the LiveCodeBench runner, which runs the program
// inside its own interpreter, runs as a fork of the container's fork server
// instead of a fresh `python3 -I`. Attacked from the program, through the
// service, one container, grades back to back. Each program prints a + b
// (problem fx001_a) only when every check holds, so a grade that passes
// proves all of them and any leak turns it into wrong_answer:
//  * it really was forked by the server (uid 10003 parent), as uid 10001,
//    with no capabilities, in its own session;
//  * it holds no descriptor beyond the runner's own (none of the server's
//    sockets), sees none of an earlier grade's environment, modules,
//    files or globals;
//  * it cannot signal, ptrace or read the server, nor get a fork from it;
//  * what `python3 -I lcb_runner.py` would have: argv, __main__, sys.path
//    without the working directory, absolute __file__;
// and a program that outlives the wall limit is killed there (the server
// survives it) and the next grade is forked and right. At the sandbox level:
// the server runs only a script the program cannot have written (judge-owned,
// writable by nobody else); any other runs as a fresh interpreter, as does a
// script the server refuses (no __verdict_zygote__), and the server stays.
import Docker from 'dockerode';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Verdict } from '../src/schemas.js';
import { SandboxContainer } from '../src/sandbox/container.js';
import type { FileEntry, Step } from '../src/sandbox/types.js';
import { postGrade, testApp } from './helpers/app.js';
import { dockerAvailable, ensurePythonImage, profile, quietLog } from './helpers/docker.js';
import { ti } from './helpers/instance.js';

const FIXTURES = path.join(__dirname, 'fixtures', 'livecodebench');
const hasDocker = await dockerAvailable();

// Collects the checks that failed in \`bad\` (a list: the official harness
// wraps a stdin program into a function, so no \`global\`); prints a + b only
// when none did.
const CHECKS = `
import os, sys
bad = []
def check(name, ok):
    if not ok:
        bad.append(name)
def status(pid):
    with open('/proc/%d/status' % pid) as f:
        return {l.split(':')[0]: l.split(':', 1)[1].split() for l in f}
me, parent = status(os.getpid()), status(os.getppid())
check('forked by the server', parent['Uid'][0] == '10003')
check('uid', me['Uid'] == ['10001'] * 4)
check('no capabilities', all(int(me[k][0], 16) == 0 for k in ('CapEff', 'CapPrm', 'CapInh', 'CapAmb')))
check('own session', os.getsid(0) == os.getpid())
`;

const SUM = `
a = int(input())
b = int(input())
print(a + b if not bad else 'failed: %s' % bad)
`;

describe.skipIf(!hasDocker)('zygote runs: the LiveCodeBench runner forked by the fork server', () => {
  let app: Awaited<ReturnType<typeof testApp>>;

  beforeAll(async () => {
    await ensurePythonImage();
    app = await testApp([{ benchmark: 'livecodebench', file: FIXTURES }], { instance: ti('test-zygote'), concurrency: 1, warm: 1 });
  }, 900_000);
  afterAll(async () => {
    await app?.close();
  });

  const grade = (code: string, options?: Record<string, unknown>) =>
    postGrade(app, { benchmark: 'livecodebench', problem_id: 'fx001_a', completion: '```python\n' + code + '\n```\n', options });
  const verdictOf = (v: Verdict) => (v.status === 'pass' ? 'pass' : `${v.status}:${v.reason}:${v.detail ?? ''}`);

  /** Grades until one is forked by the server (the first grade of a container starts it). */
  async function warm(): Promise<void> {
    for (let i = 0; i < 6; i++) {
      if ((await grade(CHECKS + SUM)).status === 'pass') return;
    }
    throw new Error('no grade was forked by the fork server');
  }

  it('forks the runner, which is the candidate: its uid, no capabilities, its own session', async () => {
    await warm();
    for (let i = 0; i < 3; i++) expect(verdictOf(await grade(CHECKS + SUM))).toBe('pass');
    // positive control: a check that cannot hold turns the grade into a wrong answer
    expect(verdictOf(await grade(CHECKS + "check('control', False)\n" + SUM))).toMatch(/^fail:wrong_answer/);
  }, 120_000);

  it('is what python3 -I lcb_runner.py would be: argv, __main__, sys.path, __file__', async () => {
    await warm();
    const code = `${CHECKS}
main = sys.modules['__main__']
check('argv', sys.argv == ['lcb_runner.py', 'spec.json'])
check('__main__ is the runner', main.__name__ == '__main__' and main.__file__ == '/work/lcb_runner.py' and hasattr(main, 'run_stdin'))
check('no working directory on the path', '' not in sys.path and all(p.startswith('/') for p in sys.path))
check('TZ', os.environ.get('TZ') == 'UTC')
${SUM}`;
    expect(verdictOf(await grade(code))).toBe('pass');
  }, 120_000);

  it('sees nothing of an earlier grade, holds no server descriptor, cannot reach the server', async () => {
    await warm();
    // grade 1 leaves what it can behind: environment, a module, a global, a file in /tmp
    // (os.putenv is one of the functions the official guard removes: the mapping only)
    const leave = `${CHECKS}
os.environ._data[b'VERDICT_LEAK'] = b'x'
import types
sys.modules['verdict_leak'] = types.ModuleType('verdict_leak')
import builtins
builtins.verdict_leak = 1
open('/tmp/verdict_leak', 'w').write('x')
${SUM}`;
    expect(verdictOf(await grade(leave))).toBe('pass');
    const look = `${CHECKS}
import builtins, socket
check('environment', 'VERDICT_LEAK' not in os.environ)
check('modules', 'verdict_leak' not in sys.modules)
check('builtins', not hasattr(builtins, 'verdict_leak'))
check('files', not os.path.exists('/tmp/verdict_leak'))
# descriptors: stdio and the runner's private report copy; no socket, nothing of the server's
fds = sorted(int(f) for f in os.listdir('/proc/self/fd'))
kinds = [os.readlink('/proc/self/fd/%d' % f) for f in fds if os.path.exists('/proc/self/fd/%d' % f)]
check('no sockets', not any(k.startswith('socket:') for k in kinds))
check('few descriptors', len(fds) <= 6)
srv = os.getppid()
import posix  # the official guard sets os.kill to None; posix.kill is the same call
try:
    posix.kill(srv, 0)
    check('signal the server', False)
except PermissionError:
    pass
for what in ('mem', 'environ', 'maps', 'cmdline', 'fd'):
    try:
        if what == 'fd':
            os.listdir('/proc/%d/fd' % srv)
        else:
            open('/proc/%d/%s' % (srv, what), 'rb').read(1)
        check('read the server: ' + what, what == 'cmdline')
    except Exception:  # PermissionError (non-dumpable, another uid) or the runner's audit hook
        pass
# the server forks only for the judge and the agent: this connection is dropped unanswered
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect('\\0verdict-forkserver')
    s.settimeout(5)
    req = b'{"op": "run", "sha": "x", "argv": ["x"], "env": {}, "cwd": "/", "uid": 10001, "rlimits": {}}'
    s.sendall(len(req).to_bytes(4, 'big') + req)
    check('server answered the candidate', s.recv(100) == b'')
except OSError:
    pass
${SUM}`;
    expect(verdictOf(await grade(look))).toBe('pass');
  }, 120_000);

  it('kills a program at the wall limit without losing the server; the next grade is forked and right', async () => {
    await warm();
    // ignores the per-test alarm: only the wall limit ((1 + 1) x 4 tests + 5 s + 1 s) stops it
    const runaway = `import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass\n`;
    const v = await grade(runaway, { timeout_s: 1 });
    expect(v.status).toBe('fail');
    expect(verdictOf(await grade(CHECKS + SUM))).toBe('pass');
  }, 120_000);
});

describe.skipIf(!hasDocker)('zygote runs: which scripts the fork server runs', () => {
  let box: SandboxContainer;

  beforeAll(async () => {
    box = await SandboxContainer.start(new Docker(), profile(await ensurePythonImage()), { instance: ti('test-zygote-box'), log: quietLog });
  }, 900_000);
  afterAll(async () => {
    await box?.destroy();
  });

  // prints who started it: 'server' (the fork server, uid 10003) or 'agent' (uid 0: a fresh interpreter)
  const WHO = `import os
def main():
    with open('/proc/%d/status' % os.getppid()) as f:
        uid = next(l.split()[1] for l in f if l.startswith('Uid:'))
    print({'10003': 'server', '0': 'agent'}.get(uid, uid))
__verdict_zygote__ = main
if __name__ == '__main__':
    main()
`;
  const step: Step = { argv: ['python3', '-I', 'who.py'], zygote: true, env: { TZ: 'UTC' }, limits: { wallMs: 20_000 } };
  async function who(file: Omit<FileEntry, 'path'>, chmod?: string): Promise<string> {
    await box.put([{ path: 'who.py', ...file }]);
    // put never makes a file group- or other-writable; its judge owner can
    if (chmod) expect((await box.exec({ argv: ['chmod', chmod, 'who.py'], identity: 'judge', limits: { wallMs: 10_000 } })).exitCode).toBe(0);
    const r = await box.exec(step);
    expect(await box.reset()).toBe(true);
    expect(r.exitCode, r.stderr.toString()).toBe(0);
    return r.stdout.toString().trim();
  }
  const judgeOwned = { content: WHO, mode: 0o644, owner: 'judge' as const };

  it('runs a judge-owned script as a fork, never one the program could have written', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) seen.push(await who(judgeOwned));
    // the first run starts the server; the ones after it are its forks
    expect(seen.slice(2)).toEqual(['server', 'server']);
    // candidate-owned (the default owner), or group/other-writable: a fresh interpreter
    expect(await who({ content: WHO })).toBe('agent');
    expect(await who(judgeOwned, '666')).toBe('agent');
    expect(await who(judgeOwned)).toBe('server');
  }, 120_000);

  it('runs a script the server refuses fresh, and keeps the server', async () => {
    for (let i = 0; i < 3; i++) await who(judgeOwned);
    // no __verdict_zygote__: the server will not load it
    expect(await who({ ...judgeOwned, content: WHO.replace('__verdict_zygote__ = main\n', '') })).toBe('agent');
    expect(await who(judgeOwned)).toBe('server');
  }, 120_000);
});
