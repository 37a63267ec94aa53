# Ending a process the judge started, with whatever it started in its own
# session: SIGKILL to its process group, and to the pid itself when it leads
# none (it died before setsid, or was never a leader). Errors mean it is gone.

import os
import signal


def _kill_group(pid):
    for fn in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            fn()
        except OSError:
            pass
