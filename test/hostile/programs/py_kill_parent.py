# expect: fail runtime_error|wrong_answer|timeout
# SIGKILL to the parent and to PID 1, then no answer.
import os, signal
for pid in (os.getppid(), 1):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
