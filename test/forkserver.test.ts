// The candidate fork server (sandboxes/agent/verdict_forkserver.py), attacked
// from the candidate it forks. One container, grades back to back with a reset
// between them as the pool does. Each hostile program returns a + b only when
// every attempt failed (and it really was forked by the server), so a grade
// that passes proves both; any leak turns it into wrong_answer.
//  * the candidate cannot signal, ptrace or read the server, nor use it
//    (SO_PEERCRED: only the judge uid is served);
//  * a forked candidate sees nothing of an earlier grade: not its program or
//    its hidden test in memory (the server never receives either), not its
//    environment, modules or descriptors;
//  * a server that is gone makes the next grade spawn its candidate the old
//    way (still right), and the one after gets a new server.
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

// Which process forked this candidate: 'server' (uid 10003), 'judge' (10002).
const PARENT = `
import posix
def _uid(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('Uid:'):
                return int(line.split()[1])
_parent = {10003: 'server', 10002: 'judge'}.get(_uid(posix.getppid()), 'other')
`;

describe.skipIf(!hasDocker)('candidate fork server', () => {
  let prof: ContainerProfile;
  let box: SandboxContainer;
  const docker = new Docker();

  beforeAll(async () => {
    prof = profile(await ensurePythonImage());
    box = await SandboxContainer.start(docker, prof, { instance: ti('test-forkserver'), log: quietLog });
  }, 900_000);
  afterAll(async () => {
    await box?.destroy();
  });

  /** Grade `add` with this body; the hidden test asserts add(1, 2) == 3. */
  async function grade(body: string, test = 'def check(candidate):\n    assert candidate(1, 2) == 3\n'): Promise<Record<string, unknown>> {
    const plan = harnessPlan(prof, { mode: 'humaneval', prompt: PROMPT, completion: body, test, entry_point: 'add', timeout_s: 10 }, { wallMs: 30_000 });
    await box.put(plan.files);
    const r = await box.exec(plan.steps[0]!);
    expect(await box.reset()).toBe(true);
    const last = r.stdout.toString().trim().split('\n').pop() ?? '';
    return JSON.parse(last) as Record<string, unknown>;
  }

  /** As root, outside the sandbox: the fork server's pid, or null. */
  async function serverPid(): Promise<number | null> {
    const ex = await box.container.exec({ Cmd: ['sh', '-c', "for s in /proc/[0-9]*/status; do grep -q '^Uid:\t10003' $s 2>/dev/null && echo ${s#/proc/} ; done"], AttachStdout: true, User: '0' });
    const stream = await ex.start({});
    const chunks: Buffer[] = [];
    await new Promise<void>((res) => {
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => res());
    });
    const pids = [...Buffer.concat(chunks).toString('latin1').matchAll(/(\d+)\/status/g)].map((m) => Number(m[1]));
    return pids.length ? Math.min(...pids) : null;
  }

  async function killServer(pid: number): Promise<void> {
    const ex = await box.container.exec({ Cmd: ['kill', '-9', String(pid)], User: '0' });
    await ex.start({});
    await new Promise((r) => setTimeout(r, 200));
  }

  it('forks candidates after the first grade, and they are right', async () => {
    // the first grade starts the server; its own candidate is spawned by the judge
    const first = await grade(indent(`${PARENT}\nreturn a + b if _parent == 'judge' else -1`));
    expect(first.status).toBe('pass');
    for (let i = 0; i < 3; i++) {
      const v = await grade(indent(`${PARENT}\nreturn a + b if _parent == 'server' else -1`));
      expect(v.status, JSON.stringify(v)).toBe('pass');
    }
    expect(await serverPid()).not.toBeNull();
  }, 120_000);

  it('cannot be signalled, traced, read or asked to fork by the candidate', async () => {
    const before = await serverPid();
    expect(before).not.toBeNull();
    const v = await grade(
      indent(`
${PARENT}
import ctypes, posix, socket, signal, struct
got = []
server = None
for n in posix.listdir('/proc'):
    if n.isdigit() and _uid(int(n)) == 10003:
        server = int(n)
if server is None:
    got.append('no server')
else:
    for sig in (0, signal.SIGKILL, signal.SIGSTOP):
        try:
            posix.kill(server, sig); got.append('signal %d' % sig)
        except OSError:
            pass
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.ptrace(16, server, 0, 0) == 0:  # PTRACE_ATTACH
        got.append('ptrace')
    for f in ('mem', 'environ', 'maps', 'fd/0'):
        try:
            with open('/proc/%d/%s' % (server, f), 'rb') as fh:
                fh.read(1)
            got.append('read ' + f)
        except OSError:
            pass
    try:
        posix.listdir('/proc/%d/fd' % server); got.append('list fds')
    except OSError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.settimeout(2)
        s.connect(b'\\0verdict-forkserver')
        req = b'{"op": "fork", "sha": "x", "env": {}, "cwd": "/", "uid": 10001, "rlimits": {}}'
        r, w = posix.pipe()
        s.sendmsg([struct.pack('>I', len(req)) + req], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack('2i', r, w))])
        if s.recv(64):
            got.append('served')
    except OSError:
        pass
return a + b if not got and _parent == 'server' else -1
`),
    );
    expect(v.status, JSON.stringify(v)).toBe('pass');
    expect(await serverPid()).toBe(before);
  }, 120_000);

  it('gives a forked candidate nothing of an earlier grade: program, hidden test, environment, modules, descriptors', async () => {
    // grade 1 carries the markers in its program and in its hidden test, and plants state
    const plant = await grade(
      indent(`
import os, json, sys
import posix  # os.putenv is None under the guard
posix.putenv(b'VERDICT_PLANTED', b'MARKER-PROGRAM-7f3a')
os.environ._data[b'VERDICT_PLANTED2'] = b'1'
json.VERDICT_PLANTED = 1
sys.modules['verdict_planted'] = json
_keep = os.open('/proc/self/status', os.O_RDONLY)
return a + b
`),
      "def check(candidate):\n    secret = 'MARKER-HIDDEN-TEST-9c2e'\n    assert candidate(1, 2) == 3, secret\n",
    );
    expect(plant.status, JSON.stringify(plant)).toBe('pass');
    // grade 2 scans its whole readable memory for them (joined at run time,
    // skipping the needle's own bytes); as a control it must find a string the
    // server's code holds, which it inherited and never wrote itself
    const v = await grade(
      indent(`
${PARENT}
import os, sys, json, ctypes
def find_all(needle):
    own = id(needle) + 32  # where a bytes object's data starts (CPython, 64-bit)
    buf = bytearray(1 << 20)
    b0 = ctypes.addressof((ctypes.c_char * len(buf)).from_buffer(buf))
    hits = 0
    regions = []
    with open('/proc/self/maps') as m:
        for line in m:
            parts = line.split()
            lo, hi = (int(x, 16) for x in parts[0].split('-'))
            if parts[1][0] == 'r' and not (len(parts) > 5 and parts[5] in ('[vvar]', '[vsyscall]')):
                regions.append((lo, hi))
    with open('/proc/self/mem', 'rb', buffering=0) as mem:
        for lo, hi in regions:
            at = lo
            while at < hi:
                n = min(len(buf) - 64, hi - at)
                if at < b0 + len(buf) and b0 < at + n:
                    at += n
                    continue
                try:
                    mem.seek(at)
                    got = mem.readinto(memoryview(buf)[:n])
                except OSError:
                    break
                i = buf.find(needle, 0, got)
                while i >= 0:
                    if at + i != own:
                        hits += 1
                    i = buf.find(needle, i + 1, got)
                at += max(got - len(needle), 1)
    return hits
bad = []
# joined at run time: a constant expression would be folded into the code
if find_all(b'-'.join([b'verdict', b'forkserver'])) == 0:
    bad.append('control not found')
for marker in (b'-'.join([b'MARKER', b'PROGRAM', b'7f3a']), b'-'.join([b'MARKER', b'HIDDEN', b'TEST', b'9c2e'])):
    if find_all(marker):
        bad.append(marker)
if {'VERDICT_PLANTED', 'VERDICT_PLANTED2'} & set(os.environ) or b'VERDICT_PLANTED' in open('/proc/self/environ', 'rb').read():
    bad.append('environ')
if hasattr(json, 'VERDICT_PLANTED') or 'verdict_planted' in sys.modules:
    bad.append('modules')
fds = sorted(int(f) for f in os.listdir('/proc/self/fd'))
if [f for f in fds if f > 4 and os.path.exists('/proc/self/fd/%d' % f)]:
    bad.append('fds')
return a + b if not bad and _parent == 'server' else -1
`),
    );
    expect(v.status, JSON.stringify(v)).toBe('pass');
  }, 120_000);

  it('spawns the candidate the old way when the server is gone, and starts a new one', async () => {
    const pid = await serverPid();
    expect(pid).not.toBeNull();
    await killServer(pid!);
    // reset notices the server is gone; this grade starts a new one and spawns
    const v = await grade(indent(`${PARENT}\nreturn a + b if _parent == 'judge' else -1`));
    expect(v.status, JSON.stringify(v)).toBe('pass');
    const again = await grade(indent(`${PARENT}\nreturn a + b if _parent == 'server' else -1`));
    expect(again.status, JSON.stringify(again)).toBe('pass');
    const now = await serverPid();
    expect(now).not.toBeNull();
    expect(now).not.toBe(pid);
  }, 120_000);
});
