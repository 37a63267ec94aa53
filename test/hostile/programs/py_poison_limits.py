# expect: pass  (KNOWN GAP, stop 18: answered fail/wrong_answer on the judge core in CI; an attempt may have reached a process of the candidate uid — investigate, then move back to programs/)
# Poisons every other process it can reach: lowers their resource limits
# (prlimit: NPROC, STACK, CPU, NOFILE, AS, ...), their priority and CPU set,
# signals them. Every other process here is the agent's or the judge's (other
# uids): each attempt must be refused, or the container would go back to the
# pool with an agent whose next programs cannot fork, recurse or run 1 s.
import os, resource, signal
me = os.getpid()
done = []
LIMITS = [getattr(resource, n) for n in dir(resource) if n.startswith('RLIMIT_')]
for name in os.listdir('/proc'):
    if not name.isdigit() or int(name) == me:
        continue
    pid = int(name)
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
for f in (lambda: os.setpriority(os.PRIO_USER, 0, 19), lambda: os.setpriority(os.PRIO_PGRP, 1, 19)):
    try:
        f()
        done.append('prio group')
    except OSError:
        pass
a, b = map(int, open(0).read().split()[:2])
print(a + b if not done else 'LEAK %s' % done[:5])
