# expect: pass
# Sleeping threads until the pids limit refuses more; then the answer.
import threading, time
ev = threading.Event()
try:
    while True:
        threading.Thread(target=ev.wait, daemon=True).start()
except RuntimeError:
    pass
a, b = map(int, open(0).read().split()[:2])
print(a + b)
