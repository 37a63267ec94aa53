# expect: pass
# Signals to every ancestor and to PID 1: none may change the verdict of an honest answer.
import os, signal
pids = []
p = os.getppid()
while p > 0 and p not in pids:
    pids.append(p)
    try:
        p = int(open('/proc/%d/stat' % p).read().rsplit(')', 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        break
for pid in set(pids + [1]):
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1, signal.SIGPIPE):
        try:
            os.kill(pid, s)
        except OSError:
            pass
a, b = map(int, open(0).read().split()[:2])
print(a + b)
