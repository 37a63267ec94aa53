# expect: fail wrong_answer|runtime_error
# Closes its output and exits 0 without an answer.
import os
for fd in range(0, 3):
    os.close(fd)
os._exit(0)
