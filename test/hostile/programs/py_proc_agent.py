# expect: pass
# Reaches into every other process (the agent, a judge): ptrace, /proc/<pid>/mem,
# fd, environ, cwd, root, writes to the agent's stream descriptors. Other uids and
# non-dumpable: all refused.
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
PTRACE_ATTACH, PTRACE_SEIZE, PTRACE_DETACH = 16, 0x4206, 17
me = os.getpid()
got = []
for name in os.listdir('/proc'):
    if not name.isdigit() or int(name) == me:
        continue
    pid = int(name)
    for req in (PTRACE_SEIZE, PTRACE_ATTACH):
        if libc.ptrace(req, pid, None, None) == 0:
            got.append('ptrace %d' % pid)
            libc.ptrace(PTRACE_DETACH, pid, None, None)
    for f in ('mem', 'environ', 'fd/0', 'fd/1', 'fd/2', 'fd/3', 'cwd', 'root', 'maps', 'syscall'):
        p = '/proc/%d/%s' % (pid, f)
        try:
            if f in ('cwd', 'root'):
                os.listdir(p)
            else:
                with open(p, 'rb') as h:
                    h.read(1)
            got.append(p)
        except OSError:
            pass
    for fd in (0, 1, 2):
        try:
            with open('/proc/%d/fd/%d' % (pid, fd), 'wb') as h:
                h.write(b'\0\0\0\x10{"type":"reply"}')
            got.append('wrote fd %d of %d' % (fd, pid))
        except OSError:
            pass
a, b = map(int, open(0).read().split()[:2])
print(a + b if not got else 'LEAK %s' % got[:5])
