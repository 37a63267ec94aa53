# The grading clock: monotonic time minus the time this run's processes spent
# waiting for a CPU, so a busy machine does not turn a program that fits its
# limit into a timeout. Its own module because the judge (deadlines, alarms)
# and the process control (which pids count) both use it, and it knows
# nothing of either.

import time


# ---------------------------------------------------------------------------
# Load-independent clock
# ---------------------------------------------------------------------------
# Time limits are official wall-clock limits, but a busy machine stretches
# wall time: a program that needs 2.5 s of a CPU can take 8 s when it waits
# for one.  Time a process spends runnable but waiting for a CPU (the second
# field of /proc/<pid>/schedstat) did not happen on an idle machine, so the
# grading clock skips it.  Sleeping and blocking still count, as they would
# on the official harness.  Where schedstat is missing (gVisor), it is wall time.
# A program's own threads and processes also queue for the CPU; so that a fork
# bomb or a busy thread pool cannot stretch its limit without bound, the clock
# runs at least 1/_MAX_STRETCH as fast as wall time.
_MAX_STRETCH = 3.0
_T0 = time.monotonic()
_RQ_PIDS = {}  # pid -> [wait at registration, last wait seen] (seconds)
_RQ_ENDED = [0.0]  # waits of processes that are gone
_NOW_LAST = [0.0]


def _clock_begin():
    """A fresh clock for a grade (a judge server grades many in one process)."""
    global _T0
    _T0 = time.monotonic()
    _RQ_PIDS.clear()
    _RQ_ENDED[0] = 0.0
    _NOW_LAST[0] = 0.0


def _rq_wait(pid):
    try:
        with open("/proc/%d/schedstat" % pid, "rb") as f:
            return int(f.read().split()[1]) * 1e-9
    except (OSError, ValueError, IndexError):
        return None


def _rq_track(pid, from_birth):
    w = _rq_wait(pid)
    if w is not None:
        _RQ_PIDS[pid] = [0.0 if from_birth else w, w]


def _rq_untrack(pid):
    e = _RQ_PIDS.pop(pid, None)
    if e is not None:
        w = _rq_wait(pid)
        _RQ_ENDED[0] += (e[1] if w is None else w) - e[0]


def _now():
    """Monotonic seconds minus our processes' run-queue waits (never goes back)."""
    delay = _RQ_ENDED[0]
    for pid, e in _RQ_PIDS.items():
        w = _rq_wait(pid)
        if w is not None and w > e[1]:
            e[1] = w
        delay += e[1] - e[0]
    mono = time.monotonic()
    t = max(mono - delay, _T0 + (mono - _T0) / _MAX_STRETCH)
    if t < _NOW_LAST[0]:
        t = _NOW_LAST[0]
    _NOW_LAST[0] = t
    return t
