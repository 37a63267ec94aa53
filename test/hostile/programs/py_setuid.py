# expect: pass
# Privilege: setuid/setgid to root, nice -20, chroot, mount; setuid binaries are inert (no_new_privs).
import ctypes, os
leak = []
for f in (lambda: os.setuid(0), lambda: os.setgid(0), lambda: os.seteuid(0), lambda: os.setgroups([0]), lambda: os.nice(-20), lambda: os.chroot('/tmp')):
    try:
        f()
        leak.append('call')
    except (OSError, PermissionError):
        pass
libc = ctypes.CDLL(None, use_errno=True)
if libc.mount(b'none', b'/tmp', b'tmpfs', 0, None) == 0:
    leak.append('mount')
if 'NoNewPrivs:	1' not in open('/proc/self/status').read():
    leak.append('setuid binaries would work: no_new_privs is off')
if os.geteuid() == 0:
    leak.append('root')
a, b = map(int, open(0).read().split()[:2])
print(a + b if not leak else 'LEAK %s' % leak)
