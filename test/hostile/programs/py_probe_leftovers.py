# expect: pass
# after: all
# Runs after every other program: nothing an earlier grade planted may be visible.
import ctypes, os
leak = []
for d in ('/work', '/tmp', '/dev/shm', os.path.expanduser('~')):
    try:
        extra = [f for f in os.listdir(d) if f not in ('main.py',)]
    except OSError:
        continue
    if extra:
        leak.append((d, extra[:3]))
anc = set()
p = os.getpid()
while p > 0 and p not in anc:
    anc.add(p)
    try:
        p = int(open('/proc/%d/stat' % p).read().rsplit(')', 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        break
others = [int(x) for x in os.listdir('/proc') if x.isdigit() and int(x) not in anc and int(x) != 1]
if others:
    leak.append(('procs', others[:5]))
if open('/proc/sysvipc/shm').read().count('\n') > 1:
    leak.append('shm')
# a POSIX message queue (also when /dev/mqueue is not mounted: open it by name)
if ctypes.CDLL(None).mq_open(b'/verdict-planted', os.O_RDONLY) >= 0 or (os.path.isdir('/dev/mqueue') and os.listdir('/dev/mqueue')):
    leak.append('mqueue')
a, b = map(int, open(0).read().split()[:2])
print(a + b if not leak else 'LEAK %s' % leak)
