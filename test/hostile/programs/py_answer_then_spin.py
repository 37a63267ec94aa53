# expect: fail timeout|runtime_error
# The right answer, then threads that never end: the run never finishes, as on any judge.
import sys, threading
a, b = map(int, open(0).read().split()[:2])
print(a + b)
sys.stdout.flush()
def spin():
    while True:
        pass
for _ in range(4):
    threading.Thread(target=spin).start()
