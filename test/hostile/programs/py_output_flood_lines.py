# expect: fail wrong_answer|timeout|output_limit
# The right answer first, then an endless flood of lines.
import sys
a, b = map(int, open(0).read().split()[:2])
print(a + b)
while True:
    sys.stdout.write('3\n' * 10000)
