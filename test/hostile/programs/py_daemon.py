# expect: pass
# A double-forked daemon in its own session keeps spinning after the answer.
import os, sys
a, b = map(int, open(0).read().split()[:2])
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.closerange(0, 3)
        while True:
            pass
    os._exit(0)
print(a + b)
