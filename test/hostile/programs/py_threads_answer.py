# expect: pass
# Four worker threads and a deep recursion on a big thread stack (the contest idiom): both must work
# under the judge's limits, as on Codeforces (ulimit -s unlimited).
import sys, threading
a, b = map(int, open(0).read().split()[:2])
out = []
def work(i):
    out.append(i)
ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
for t in ts:
    t.start()
for t in ts:
    t.join()
def deep(n):
    return 0 if n == 0 else deep(n - 1) + 1
def main():
    sys.setrecursionlimit(10 ** 6)
    print(a + b + deep(50000) - 50000 + len(out) - 4)
threading.stack_size(1 << 26)
t = threading.Thread(target=main)
t.start()
t.join()
