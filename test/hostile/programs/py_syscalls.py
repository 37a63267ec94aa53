# expect: pass
# ptrace of PID 1 and the parent, unshare, keyctl, bpf, perf_event_open, kexec, reboot: all refused.
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
leak = []
PTRACE_ATTACH = 16
for pid in (1, os.getppid()):
    if libc.ptrace(PTRACE_ATTACH, pid, None, None) == 0:
        leak.append('ptrace %d' % pid)
CLONE_NEWNS, CLONE_NEWNET = 0x00020000, 0x40000000
for flag in (CLONE_NEWNS, CLONE_NEWNET):
    if libc.unshare(flag) == 0:
        leak.append('unshare %x' % flag)
# x86-64 numbers: bpf 321, perf_event_open 298, kexec_load 246, reboot 169
if libc.syscall(321, 0, None, 0) >= 0:
    leak.append('bpf')
if libc.syscall(169, 0xfee1dead, 672274793, 0x1234567, None) == 0:
    leak.append('reboot')
for p in ('/proc/sysrq-trigger', '/sys/kernel/uevent_helper', '/proc/sys/kernel/core_pattern', '/sys/fs/cgroup/release_agent'):
    try:
        with open(p, 'w') as f:
            f.write('x')
        leak.append(p)
    except OSError:
        pass
try:
    os.mknod('/work/sda', 0o600 | 0o60000, os.makedev(8, 0))
    leak.append('mknod')
except OSError:
    pass
a, b = map(int, open(0).read().split()[:2])
print(a + b if not leak else 'LEAK %s' % leak)
