# expect: pass
# A 1 TB sparse file and a 1 TB truncate: no blocks, no harm.
import os
for p in ('/work/sparse', '/tmp/sparse'):
    try:
        with open(p, 'wb') as f:
            f.seek(1 << 40)
            f.write(b'x')
        os.truncate(p, 1 << 40)
    except OSError:
        pass
a, b = map(int, open(0).read().split()[:2])
print(a + b)
