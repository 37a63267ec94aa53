# expect: pass
# Poisons every other process it can reach: lowers their resource limits
# (prlimit: NPROC, STACK, CPU, NOFILE, AS, ...), their priority and CPU set,
# signals them. Every other process here is the agent's (PID 1) or a judge's
# (other uids): each attempt must be refused, or the container would go back
# to the pool with an agent whose next programs cannot fork, recurse or run 1 s.
# Its own uid's processes are its own business and not counted: that includes
# setpriority(PRIO_USER, 0, ...), where 0 means the caller's own uid (this
# program itself), which every process may do to itself; counting that made
# this program answer wrong on a sound sandbox (stop 18, in CI).
import os, resource, signal
me, mine = os.getpid(), os.getuid()
JUDGE_UID = 10002
done = []
LIMITS = [getattr(resource, n) for n in dir(resource) if n.startswith('RLIMIT_')]


def uid_of(pid):
    try:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                if line.startswith('Uid:'):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None


for name in os.listdir('/proc'):
    if not name.isdigit() or int(name) == me:
        continue
    pid = int(name)
    if pid != 1 and uid_of(pid) in (None, mine):
        continue
    for r in LIMITS:
        try:
            resource.prlimit(pid, r, (1, 1))
            done.append('prlimit %d %d' % (pid, r))
        except (OSError, ValueError):
            pass
    for what, f in (('nice', lambda: os.setpriority(os.PRIO_PROCESS, pid, 19)),
                    ('affinity', lambda: os.sched_setaffinity(pid, {min(os.sched_getaffinity(0))})),
                    ('signal', lambda: os.kill(pid, 0))):
        try:
            f()
            done.append('%s %d' % (what, pid))
        except OSError:
            pass
# every process of the judge's uid, and the agent's process group
for what, f in (('prio user %d' % JUDGE_UID, lambda: os.setpriority(os.PRIO_USER, JUDGE_UID, 19)),
                ('prio group 1', lambda: os.setpriority(os.PRIO_PGRP, 1, 19))):
    try:
        f()
        done.append(what)
    except OSError:
        pass
a, b = map(int, open(0).read().split()[:2])
print(a + b if not done else 'LEAK %s' % done[:5])
