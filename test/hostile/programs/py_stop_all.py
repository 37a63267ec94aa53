# expect: fail timeout|runtime_error
# kill(-1, SIGSTOP): freezes every process this user may signal.
import os, signal
os.kill(-1, signal.SIGSTOP)
os.kill(os.getpid(), signal.SIGSTOP)
