# expect: fail timeout
# Stops itself: a stopped process must still be ended at the limit.
import os, signal
os.kill(os.getpid(), signal.SIGSTOP)
