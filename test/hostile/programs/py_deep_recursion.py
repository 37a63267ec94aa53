# expect: fail runtime_error|memory_limit|timeout
# Unbounded recursion with the recursion limit lifted: the C stack overflows.
import sys
sys.setrecursionlimit(10 ** 9)
def f(n):
    return f(n + 1) + 1
f(0)
