# expect: pass
# Inode exhaustion: small files until an error (or 0.8 s of them).
import os, time
os.makedirs('/tmp/many', exist_ok=True)
end = time.time() + 0.8
try:
    for i in range(100000):
        if time.time() > end:
            break
        open('/tmp/many/%d' % i, 'w').close()
except OSError:
    pass
a, b = map(int, open(0).read().split()[:2])
print(a + b)
