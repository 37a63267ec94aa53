# expect: fail timeout|runtime_error
# A classic fork bomb: every process forks forever (bounded by the pids limit).
import os
while True:
    try:
        os.fork()
    except OSError:
        pass
