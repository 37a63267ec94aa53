import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxContainer } from '../src/sandbox/container.js';
import { SandboxEngine } from '../src/sandbox/engine.js';
import { SandboxError } from '../src/sandbox/errors.js';
import type { ContainerProfile } from '../src/sandbox/types.js';
import { dockerAvailable, ensurePythonImage, profile, quietLog } from './helpers/docker.js';
import { ti } from './helpers/instance.js';

const hasDocker = await dockerAvailable();

describe.skipIf(!hasDocker)('sandbox engine', () => {
  let engine: SandboxEngine;
  let prof: ContainerProfile;

  beforeAll(async () => {
    prof = profile(await ensurePythonImage());
    // one container, reused: every test below also checks that the previous one left nothing behind
    engine = new SandboxEngine({ log: quietLog, instance: ti('test-sandbox'), concurrency: 1, warm: 1, maxUses: 1000 });
  }, 900_000);
  afterAll(async () => {
    await engine?.close();
  });

  const py = (code: string, limits: { wallMs?: number; outputBytes?: number; cpuMs?: number } = {}, stdin?: string) =>
    engine.session(prof, async (s) => {
      await s.put([{ path: 'main.py', content: code }]);
      return s.exec({
        argv: ['python3', 'main.py'],
        limits: { wallMs: limits.wallMs ?? 5000, outputBytes: limits.outputBytes, cpuMs: limits.cpuMs },
        ...(stdin !== undefined ? { stdin: Buffer.from(stdin) } : {}),
      });
    });

  it('runs a program as a non-root user with stdin, stdout and exit code', async () => {
    const r = await py('import os,sys\nprint(os.getuid(), sys.stdin.read().upper())\nsys.exit(3)', {}, 'hello');
    expect(r.stdout.toString()).toBe('10001 HELLO\n');
    expect(r.exitCode).toBe(3);
    expect(r.timedOut).toBe(false);
  });

  it('has no capabilities, no network and a read-only root', async () => {
    const r = await py(`
import socket, os
caps = [l for l in open('/proc/self/status') if l.startswith('CapEff')][0].split()[1]
print('caps', caps)
try:
    socket.create_connection(('1.1.1.1', 53), timeout=1); print('net open')
except OSError as e: print('net blocked')
try:
    socket.getaddrinfo('example.com', 80); print('dns open')
except OSError: print('dns blocked')
try:
    open('/etc/evil', 'w'); print('root writable')
except OSError: print('root read-only')
print('ifaces', sorted(os.listdir('/sys/class/net')))
`);
    const out = r.stdout.toString();
    expect(out).toContain('caps 0000000000000000');
    expect(out).toContain('net blocked');
    expect(out).toContain('dns blocked');
    expect(out).toContain('root read-only');
    expect(out).toContain("ifaces ['lo']");
  });

  it('stops an infinite loop at the wall-clock limit', async () => {
    const r = await py('while True: pass', { wallMs: 700 });
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe(9);
    expect(r.wallMs).toBeGreaterThanOrEqual(700);
    expect(r.wallMs).toBeLessThan(3000);
  });

  it('stops a multi-threaded busy loop by CPU time', async () => {
    const r = await py('import threading\ndef spin():\n    while True: pass\nfor _ in range(4): threading.Thread(target=spin).start()', {
      wallMs: 10_000,
      cpuMs: 1000,
    });
    expect(r.cpuLimitExceeded || r.timedOut).toBe(true);
    expect(r.exitCode).not.toBe(0);
  });

  it('caps a flood of output and kills the program past the limit', async () => {
    const r = await py('import sys\nwhile True: sys.stdout.write("x" * 65536)', { outputBytes: 4 << 20, wallMs: 20_000 });
    expect(r.outputLimitExceeded).toBe(true);
    expect(r.stdoutTruncated).toBe(true);
    expect(r.stdout.length).toBeLessThanOrEqual(1 << 20);
  });

  it('survives a fork bomb', async () => {
    const r = await py('import os\nwhile True:\n    try: os.fork()\n    except OSError: pass', { wallMs: 2000 });
    expect(r.exitCode).not.toBe(0);
    const after = await py('print("alive")');
    expect(after.stdout.toString()).toBe('alive\n');
  });

  it('ends a memory bomb with the OOM killer or MemoryError', async () => {
    const r = await py('x = []\nwhile True: x.append(bytearray(16 << 20))', { wallMs: 20_000 });
    expect(r.exitCode).not.toBe(0);
    expect(r.oomKilled || r.stderr.toString().includes('MemoryError')).toBe(true);
    const after = await py('print("alive")');
    expect(after.stdout.toString()).toBe('alive\n');
  });

  it('bounds disk writes by the scratch size', async () => {
    const r = await py(`
import os
n = 0
try:
    with open('/work/big', 'wb') as f:
        while True:
            f.write(b'x' * (1 << 20)); f.flush(); n += 1
except OSError as e:
    print('stopped', e.errno, n)
`);
    expect(r.stdout.toString()).toMatch(/stopped 28 \d+/); // ENOSPC
  });

  it('leaves nothing behind for the next grade: files, processes, IPC, environment', async () => {
    const first = await py(`
import os, subprocess, sys
open('/work/left.txt', 'w').write('secret')
open('/tmp/left.txt', 'w').write('secret')
open('/dev/shm/left', 'w').write('secret')
os.environ['LEAK'] = '1'
subprocess.Popen(['sleep', '1000'], start_new_session=True)
if os.fork() == 0:
    os.setsid()
    while True: pass
import ctypes
libc = ctypes.CDLL(None)
print('shm', libc.shmget(0x1234, 4096, 0o1666))
print('mq', libc.mq_open(b'/left', os.O_CREAT | os.O_RDWR, 0o666, None) >= 0, sorted(os.listdir('/dev/mqueue')))
`);
    expect(first.stdout.toString()).toMatch(/shm \d+/);
    expect(first.stdout.toString()).toContain("mq True ['left']");
    const second = await py(`
import ctypes, os
print(sorted(os.listdir('/work')), sorted(os.listdir('/tmp')), sorted(os.listdir('/dev/shm')))
print('LEAK' in os.environ)
print(sorted(int(p) for p in os.listdir('/proc') if p.isdigit() and int(p) != os.getpid()))
print(open('/proc/sysvipc/shm').read().count('\\n'))
print(sorted(os.listdir('/dev/mqueue')), ctypes.CDLL(None).mq_open(b'/left', os.O_RDONLY))
`);
    const lines = second.stdout.toString().trim().split('\n');
    expect(lines[0]).toBe("['main.py'] [] []");
    expect(lines[1]).toBe('False');
    // only the agent (PID 1) besides this program
    expect(lines[2]).toBe('[1]');
    expect(lines[3]).toBe('1'); // header line only
    expect(lines[4]).toBe('[] -1'); // POSIX message queues too
  });

  it('runs code under test and judges as separate uids, out of each other\'s and the agent\'s reach', async () => {
    const probe = `
import os, resource
st = open('/proc/self/status').read()
caps = [l.split()[1] for l in st.splitlines() if l.startswith('CapEff')][0]
def tryit(f):
    try:
        f(); return 'ok'
    except OSError as e:
        return 'denied'
try:
    spec = open('/work/spec.json').read()
except OSError:
    spec = 'unreadable'
print(os.getresuid(), os.getresgid(), os.getgroups(), caps, spec,
      tryit(lambda: resource.prlimit(1, resource.RLIMIT_NPROC, (1, 1))),
      tryit(lambda: os.kill(1, 0)), tryit(lambda: os.setpriority(os.PRIO_PROCESS, 1, 19)),
      tryit(lambda: os.unlink('/work/spec.json')))
`;
    const [cand, judge, got] = await engine.session(prof, async (s) => {
      await s.put([
        { path: 'probe.py', content: probe },
        { path: 'spec.json', content: 'hidden', mode: 0o600, owner: 'judge' },
      ]);
      const c = await s.exec({ argv: ['python3', 'probe.py'], limits: { wallMs: 5000 } });
      const j = await s.exec({ argv: ['python3', 'probe.py'], pythonFork: true, identity: 'judge', limits: { wallMs: 5000 } });
      // what the candidate writes, the agent can hand back
      await s.exec({ argv: ['sh', '-c', 'umask 077; echo out > out.txt; mkdir -p d; echo deep > d/f'], limits: { wallMs: 5000 } });
      return [c, j, await s.get(['out.txt', 'd/f'])] as const;
    });
    // CHOWN FOWNER KILL SETGID SETUID = bits 0 3 5 6 7
    expect(cand.stdout.toString()).toBe("(10001, 10001, 10001) (10001, 10001, 10001) [] 0000000000000000 unreadable denied denied denied denied\n");
    // the judge reads its spec and cannot touch the agent either (PID 1 is another uid)
    expect(judge.stdout.toString()).toBe('(10002, 10002, 10002) (10002, 10002, 10002) [] 00000000000000e9 hidden denied ok denied ok\n');
    expect(got.get('out.txt')?.toString()).toBe('out\n');
    expect(got.get('d/f')?.toString()).toBe('deep\n');
  });

  it('never follows a link a program planted when putting or getting files', async () => {
    const [r, got] = await engine.session(prof, async (s) => {
      await s.exec({ argv: ['sh', '-c', 'ln -s /etc d; ln -s /etc/passwd p; ln -s /proc/1 q'], limits: { wallMs: 5000 } });
      await s.put([{ path: 'd/evil', content: 'x' }, { path: 'p', content: 'y' }]);
      const got = await s.get(['d/passwd', 'p', 'q/environ']);
      const r = await s.exec({ argv: ['sh', '-c', 'ls -la /work; cat /work/d/evil /work/p'], limits: { wallMs: 5000 } });
      return [r, got] as const;
    });
    expect(r.stdout.toString()).toContain('xy');
    expect([...got.keys()]).toEqual(['p']);
    expect(got.get('p')?.toString()).toBe('y');
  });

  it('kills a background process that outlives the program', async () => {
    const t = performance.now();
    const r = await py('import subprocess\nsubprocess.Popen(["sleep", "30"])\nprint("bye")');
    expect(r.stdout.toString()).toBe('bye\n');
    expect(performance.now() - t).toBeLessThan(5000);
  });

  it('protects the agent: signals to PID 1 and reading its descriptors fail', async () => {
    const r = await py(`
import os, signal
for s in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT):
    try: os.kill(1, s)
    except OSError as e: print('kill', e.errno)
try:
    os.open('/proc/1/fd/0', os.O_RDONLY); print('fd open')
except OSError as e: print('fd denied', e.errno)
try:
    os.open('/proc/1/fd/1', os.O_WRONLY); print('fd open')
except OSError as e: print('fd denied', e.errno)
print('done')
`);
    expect(r.stdout.toString()).toContain('done');
    expect(r.stdout.toString()).not.toContain('fd open');
    const after = await py('print("alive")');
    expect(after.stdout.toString()).toBe('alive\n');
  });

  it('reports a container killed from outside as a retryable infrastructure error', async () => {
    const docker = new Docker();
    // the handler is attached at once: the rejection comes while we are busy killing
    const p = engine
      .session(prof, async (s) => {
        await s.put([{ path: 'main.py', content: 'import time\ntime.sleep(20)' }]);
        return s.exec({ argv: ['python3', 'main.py'], limits: { wallMs: 30_000 } });
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    await new Promise((r) => setTimeout(r, 800));
    const list = await docker.listContainers({ filters: { label: [`verdict.instance=${ti('test-sandbox')}`] } });
    await Promise.all(list.map((c) => docker.getContainer(c.Id).kill().catch(() => undefined)));
    const err = await p;
    expect(err).toBeInstanceOf(SandboxError);
    expect((err as SandboxError).retryable).toBe(true);
    const after = await py('print("alive")');
    expect(after.stdout.toString()).toBe('alive\n');
  }, 60_000);

  it('reports a missing image as image_missing', async () => {
    const err = await engine
      .session(profile('verdict/does-not-exist:0'), (s) => s.exec({ argv: ['true'], limits: { wallMs: 1000 } }))
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(SandboxError);
    expect((err as SandboxError).kind).toBe('image_missing');
  });
});

describe.skipIf(!hasDocker)('the agent\'s launcher (exec\'d programs under runc)', () => {
  let c: SandboxContainer;
  beforeAll(async () => {
    c = await SandboxContainer.start(new Docker(), profile(await ensurePythonImage()), { instance: ti('test-launcher'), log: quietLog });
  }, 900_000);
  afterAll(async () => {
    await c?.destroy();
  });

  // Exactly what the Python preexec_fn set up before it: the launcher must not be a weaker path.
  const probe = `
import os, resource
st = open('/proc/self/status').read()
caps = [l.split()[1] for l in st.splitlines() if l.split(':')[0] in ('CapInh', 'CapPrm', 'CapEff', 'CapAmb')]
lim = [resource.getrlimit(getattr(resource, 'RLIMIT_' + n)) for n in ('CPU', 'AS', 'FSIZE', 'STACK', 'CORE')]
print(os.getresuid(), os.getresgid(), os.getgroups(), caps, lim, open('/proc/self/oom_score_adj').read().strip(),
      os.getsid(0) == os.getpid(), sorted(os.listdir('/proc/self/fd')), sorted(os.environ))
`;
  const limits = { wallMs: 5000, cpuMs: 2500, addressSpaceBytes: 512 << 20, fileSizeBytes: 1 << 20, stackBytes: 16 << 20 };
  const zero = "['0000000000000000', '0000000000000000', '0000000000000000', '0000000000000000']";
  const rest = `[(3, 4), (${512 << 20}, ${512 << 20}), (${1 << 20}, ${1 << 20}), (${16 << 20}, ${16 << 20}), (0, 0)] 1000 True ['0', '1', '2', '3'] ['HOME', 'LANG', 'PATH', 'X']`;

  it('is what the agent uses, and sets up the candidate as before', async () => {
    expect(c.launcher).toBe(true);
    await c.put([{ path: 'probe.py', content: probe }]);
    const r = await c.exec({ argv: ['python3', 'probe.py'], env: { X: '1' }, limits });
    expect(r.stderr.toString()).toBe('');
    expect(r.stdout.toString()).toBe(`(10001, 10001, 10001) (10001, 10001, 10001) [] ${zero} ${rest}\n`);
  });

  it('runs an exec\'d judge step as the judge uid, with no capability left after exec', async () => {
    const r = await c.exec({ argv: ['python3', 'probe.py'], env: { X: '1' }, identity: 'judge', limits });
    expect(r.stdout.toString()).toBe(`(10002, 10002, 10002) (10002, 10002, 10002) [] ${zero} ${rest}\n`);
  });

  it('reports a program that cannot start as a spawn error, and the container stays usable', async () => {
    const r = await c.exec({ argv: ['no-such-program'], limits: { wallMs: 5000 } });
    expect(r.spawnError).toMatch(/no-such-program: No such file or directory/);
    expect(r.exitCode).toBe(null);
    const ok = await c.exec({ argv: ['sh', '-c', 'echo $(id -u) ok'], limits: { wallMs: 5000 } });
    expect(ok.stdout.toString()).toBe('10001 ok\n');
  });
});

const hasRunsc = hasDocker && ((await new Docker().info()) as { Runtimes?: Record<string, unknown> }).Runtimes?.runsc !== undefined;
if (hasDocker && !hasRunsc) console.warn('[skip] runsc (gVisor) is not registered with Docker: gVisor tests skipped');

describe.skipIf(!hasRunsc)('sandbox engine under gVisor (runsc)', () => {
  let engine: SandboxEngine;
  let prof: ContainerProfile;
  beforeAll(async () => {
    prof = profile(await ensurePythonImage(), { runtime: 'runsc' });
    engine = new SandboxEngine({ log: quietLog, instance: ti('test-gvisor'), concurrency: 1, warm: 0, maxUses: 1000 });
  }, 900_000);
  afterAll(async () => {
    await engine?.close();
  });
  const py = (code: string, wallMs = 5000) =>
    engine.session(prof, async (s) => {
      await s.put([{ path: 'main.py', content: code }]);
      return s.exec({ argv: ['python3', 'main.py'], limits: { wallMs } });
    });

  it('keeps the Python set-up under gVisor, where children also need the IPC seccomp filter', async () => {
    const c = await SandboxContainer.start(new Docker(), prof, { instance: ti('test-gvisor'), log: quietLog });
    try {
      expect(c.launcher).toBe(false);
      const r = await c.exec({ argv: ['id', '-u'], limits: { wallMs: 5000 } });
      expect(r.stdout.toString()).toBe('10001\n');
    } finally {
      await c.destroy();
    }
  }, 60_000);

  it('runs programs in the gVisor kernel, over many reused grades', async () => {
    for (let i = 0; i < 12; i++) {
      const r = await py('print(open("/proc/version").read())');
      expect(r.stdout.toString()).toContain('Linux version 4.4.0'); // gVisor's reported kernel
    }
  }, 120_000);

  it('separates the candidate from the agent and cleans message queues between grades', async () => {
    const first = await py(`
import ctypes, os, resource
try:
    resource.prlimit(1, resource.RLIMIT_NPROC, (1, 1)); print('prlimit ok')
except OSError: print('prlimit denied')
libc = ctypes.CDLL(None)
print(os.getresuid(), libc.mq_open(b'/left', os.O_CREAT | os.O_RDWR, 0o666, None) >= 0, libc.shmget(0x1234, 4096, 0o1666) >= 0)
`);
    // gVisor lists neither (no /dev/mqueue, no /proc/sysvipc): the agent refuses to create them (seccomp)
    expect(first.stdout.toString()).toBe('prlimit denied\n(10001, 10001, 10001) False False\n');
    const second = await py("import ctypes, os\nlibc = ctypes.CDLL(None)\nprint(libc.mq_open(b'/left', os.O_RDONLY), libc.shmget(0x1234, 0, 0))");
    expect(second.stdout.toString()).toBe('-1 -1\n');
  }, 120_000);

  it('survives a fork bomb and an infinite loop', async () => {
    const bomb = await py('import os\nwhile True:\n    try: os.fork()\n    except OSError: pass', 2000);
    expect(bomb.exitCode).not.toBe(0);
    const loop = await py('while True: pass', 700);
    expect(loop.timedOut).toBe(true);
    expect((await py('print("alive")')).stdout.toString()).toBe('alive\n');
  }, 120_000);
});

describe.skipIf(!hasDocker)('single-use containers (maxUses = 1)', () => {
  let engine: SandboxEngine;
  let prof: ContainerProfile;
  beforeAll(async () => {
    prof = profile(await ensurePythonImage());
    engine = new SandboxEngine({ log: quietLog, instance: ti('test-single'), concurrency: 1, warm: 1, maxUses: 1 });
  }, 900_000);
  afterAll(async () => {
    await engine?.close();
  });

  it('gives every grade a container of its own', async () => {
    const hosts = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const r = await engine.session(prof, (s) => s.exec({ argv: ['cat', '/etc/hostname'], limits: { wallMs: 2000 } }));
      hosts.add(r.stdout.toString().trim());
    }
    expect(hosts.size).toBe(3);
  });
});
