# expect: pass|fail wrong_answer
# A daemon that keeps stdout open and writes to it after the program has exited.
import os, time
a, b = map(int, open(0).read().split()[:2])
print(a + b, flush=True)
if os.fork() == 0:
    os.setsid()
    time.sleep(0.3)
    for _ in range(100):
        try:
            os.write(1, b'garbage\n')
        except OSError:
            break
        time.sleep(0.05)
    os._exit(0)
