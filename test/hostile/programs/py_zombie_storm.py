# expect: pass
# Children that exit and are never reaped, until the pids limit refuses more.
import os
n = 0
try:
    while n < 10000:
        if os.fork() == 0:
            os._exit(0)
        n += 1
except OSError:
    pass
a, b = map(int, open(0).read().split()[:2])
print(a + b)
