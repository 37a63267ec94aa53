// The judge server (sandboxes/agent/verdict_agent.py, "judge server"): one
// long-lived judge process per container serves grade after grade instead of
// a fresh fork of the agent per grade. One container, grades back to back with
// a reset between them as the pool does.
//  * it is the same process across grades, and every grade is right;
//  * the candidate cannot signal, ptrace or read it;
//  * a grade's changes to the judge process (environment, cwd, descriptors,
//    signal handlers, timers, umask, sys.path, std streams) are undone before
//    the next (module state is the harness's own: test/harness-state.test.ts);
//  * a grade past its wall limit takes the server with it, and a server killed
//    from outside is replaced: the next grades are right.
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harnessPlan } from '../src/benchmarks/python-harness/harness.js';
import { SandboxContainer } from '../src/sandbox/container.js';
import type { ContainerProfile } from '../src/sandbox/types.js';
import { dockerAvailable, ensurePythonImage, profile, quietLog } from './helpers/docker.js';
import { ti } from './helpers/instance.js';

const hasDocker = await dockerAvailable();

const PROMPT = 'def add(a, b):\n';
const indent = (code: string) => code.trim().split('\n').map((l) => `    ${l}`).join('\n') + '\n';

describe.skipIf(!hasDocker)('judge server', () => {
  let prof: ContainerProfile;
  let box: SandboxContainer;
  const docker = new Docker();

  beforeAll(async () => {
    prof = profile(await ensurePythonImage());
    box = await SandboxContainer.start(docker, prof, { instance: ti('test-judgeserver'), log: quietLog });
  }, 900_000);
  afterAll(async () => {
    await box?.destroy();
  });

  /** Grade `add` with this body; the hidden test asserts add(1, 2) == 3. */
  async function grade(body: string, opts: { wallMs?: number; timeoutS?: number } = {}): Promise<Record<string, unknown>> {
    const test = 'def check(candidate):\n    assert candidate(1, 2) == 3\n';
    const plan = harnessPlan(prof, { mode: 'humaneval', prompt: PROMPT, completion: body, test, entry_point: 'add', timeout_s: opts.timeoutS ?? 10 }, { wallMs: opts.wallMs ?? 30_000 });
    await box.put(plan.files);
    const r = await box.exec(plan.steps[0]!);
    expect(await box.reset()).toBe(true);
    const last = r.stdout.toString().trim().split('\n').pop() ?? '';
    return { ...(last.startsWith('{') ? (JSON.parse(last) as Record<string, unknown>) : {}), timedOut: r.timedOut };
  }

  /** As root, outside the sandbox: the pids running as `uid`. */
  async function pidsOf(uid: number): Promise<number[]> {
    const ex = await box.container.exec({ Cmd: ['sh', '-c', `for s in /proc/[0-9]*/status; do grep -q '^Uid:\t${uid}' $s 2>/dev/null && echo \${s#/proc/} ; done`], AttachStdout: true, User: '0' });
    const stream = await ex.start({});
    const chunks: Buffer[] = [];
    await new Promise<void>((res) => {
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => res());
    });
    return [...Buffer.concat(chunks).toString('latin1').matchAll(/(\d+)\/status/g)].map((m) => Number(m[1]));
  }
  const judgePid = async () => {
    const p = await pidsOf(10002);
    expect(p.length, `judge-uid processes between grades: ${p}`).toBeLessThanOrEqual(1);
    return p[0] ?? null;
  };

  it('serves grade after grade from one process, each verdict right', async () => {
    const first = await grade('    return a + b\n');
    expect(first.status).toBe('pass');
    const pid = await judgePid();
    expect(pid).not.toBeNull();
    const bodies = ['    return a - b\n', '    return a + b\n', '    raise ValueError(a)\n', '    return a + b\n'];
    const got = [];
    for (const b of bodies) got.push((await grade(b)).status);
    expect(got).toEqual(['fail', 'pass', 'fail', 'pass']);
    expect(await judgePid()).toBe(pid);
  }, 120_000);

  it('cannot be signalled, traced or read by the candidate', async () => {
    const before = await judgePid();
    expect(before).not.toBeNull();
    const v = await grade(
      indent(`
import ctypes, posix, signal
def _uid(pid):
    try:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                if line.startswith('Uid:'):
                    return int(line.split()[1])
    except OSError:
        return None
got = []
judges = [int(n) for n in posix.listdir('/proc') if n.isdigit() and _uid(int(n)) == 10002]
if not judges:
    got.append('no judge')
libc = ctypes.CDLL(None, use_errno=True)
for j in judges:
    for sig in (0, signal.SIGKILL, signal.SIGSTOP, signal.SIGCONT):
        try:
            posix.kill(j, sig); got.append('signal %d' % sig)
        except OSError:
            pass
    if libc.ptrace(16, j, 0, 0) == 0:  # PTRACE_ATTACH
        got.append('ptrace')
    for f in ('mem', 'environ', 'maps', 'fd/0', 'cwd/spec.json'):
        try:
            with open('/proc/%d/%s' % (j, f), 'rb') as fh:
                fh.read(1)
            got.append('read ' + f)
        except OSError:
            pass
    try:
        posix.listdir('/proc/%d/fd' % j); got.append('list fds')
    except OSError:
        pass
return a + b if not got else -1
`),
    );
    expect(v.status, JSON.stringify(v)).toBe('pass');
    expect(await judgePid()).toBe(before);
  }, 120_000);

  it('undoes what a grade changed in the judge process before the next', async () => {
    // a judge script of our own: reports its process state, then changes all of it
    const script = String.raw`
import os, signal, sys
def state():
    fds = sorted(int(f) for f in os.listdir('/proc/self/fd'))
    return [os.getcwd(), sorted(os.environ.items()), len(fds), str(signal.getsignal(signal.SIGINT)),
            str(signal.getsignal(signal.SIGTERM)), signal.getitimer(signal.ITIMER_REAL)[0] > 0,
            os.umask(0o022), list(sys.path), sys.getrecursionlimit(), type(sys.stdout).__name__]
def main(argv):
    print(repr(state()))
    sys.stdout.flush()
    os.environ['LEFT_BEHIND'] = '1'
    os.chdir('/tmp')
    keep = [os.open('/dev/null', os.O_RDONLY) for _ in range(3)]
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *a: None)
    signal.setitimer(signal.ITIMER_REAL, 100)
    os.umask(0o077)
    sys.path.insert(0, '/tmp')
    sys.setrecursionlimit(50000)
    sys.stdout = open('/dev/null', 'w')
    return 0
__verdict_main__ = main
`;
    const run = async () => {
      await box.put([{ path: 'js.py', content: script, owner: 'judge' }]);
      const r = await box.exec({ argv: ['python3', '-I', 'js.py'], pythonFork: true, judgeServer: true, identity: 'judge', env: { MARK: 'x' }, limits: { wallMs: 10_000 } });
      expect(await box.reset()).toBe(true);
      return r;
    };
    const a = await run();
    const b = await run();
    const c = await run();
    expect(a.exitCode, a.stderr.toString()).toBe(0);
    expect(a.stdout.toString()).toMatch(/^\['\/work', /);
    expect(a.stdout.toString()).toContain("('MARK', 'x')");
    expect(b.stdout.toString()).toBe(a.stdout.toString());
    expect(c.stdout.toString()).toBe(a.stdout.toString());
    // the same process served all three (its pid is not in the output: it is the only judge-uid process)
    expect((await pidsOf(10002)).length).toBe(1);
  }, 120_000);

  it('is killed with a grade past its wall limit, and killed from outside is replaced; the next grades are right', async () => {
    const before = await judgePid();
    expect(before).not.toBeNull();
    // the harness's own limit (10 s) is past the sandbox's wall limit (2 s): the agent stops the grade
    const hung = await grade(indent('import time\ntime.sleep(60)\nreturn a + b'), { wallMs: 2000, timeoutS: 10 });
    expect(hung.timedOut).toBe(true);
    expect(await judgePid()).toBeNull();
    const next = await grade('    return a + b\n');
    expect(next.status, JSON.stringify(next)).toBe('pass');
    const second = await judgePid();
    expect(second).not.toBeNull();
    expect(second).not.toBe(before);
    // killed from outside, as root, between grades
    const ex = await box.container.exec({ Cmd: ['kill', '-9', String(second)], User: '0' });
    await ex.start({});
    await new Promise((r) => setTimeout(r, 200));
    const after = await grade('    return a + b\n');
    expect(after.status, JSON.stringify(after)).toBe('pass');
    const wrong = await grade('    return a * b\n');
    expect(wrong.status).toBe('fail');
    const third = await judgePid();
    expect(third).not.toBeNull();
    expect(third).not.toBe(second);
  }, 120_000);
});
