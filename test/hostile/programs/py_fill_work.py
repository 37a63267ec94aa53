# expect: pass
# Fills /work until ENOSPC, then answers: the scratch size bounds it.
import os
try:
    with open('/work/fill', 'wb') as f:
        while True:
            f.write(b'x' * (1 << 20))
            f.flush()
except OSError:
    pass
a, b = map(int, open(0).read().split()[:2])
print(a + b)
