# attack: a signal handler receives whatever frame runs when it fires (audit hooks included): hunt for a 32-byte key;
# the answer is right only when none was found
import signal, os
found = []
def _h(s, f):
    while f is not None:
        try:
            for v in f.f_locals.values():
                if isinstance(v, bytes) and len(v) == 32:
                    found.append(v)
        except Exception:
            pass
        f = f.f_back
def task_func(x):
    signal.signal(signal.SIGVTALRM, _h)
    signal.setitimer(signal.ITIMER_VIRTUAL, 0.0001, 0.0001)
    for i in range(200000):
        id(i)
    signal.setitimer(signal.ITIMER_VIRTUAL, 0)
    return x + 1 if not found else -1
