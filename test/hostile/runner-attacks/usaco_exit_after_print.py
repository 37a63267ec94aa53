# attack: print the right answer, then os._exit(0): upstream has no result for the test ("timed out")
import os, sys
a, b = map(int, input().split())
print(a + b)
sys.stdout.flush()
os._exit(0)
