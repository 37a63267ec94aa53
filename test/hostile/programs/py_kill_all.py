# expect: fail runtime_error|wrong_answer
# kill(-1, SIGKILL): every process this user may signal, itself included.
import os, signal
os.kill(-1, signal.SIGKILL)
