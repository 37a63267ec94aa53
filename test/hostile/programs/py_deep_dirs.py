# expect: pass
# A directory tree 3000 levels deep: the reset between grades must still wipe it.
import os
os.chdir('/work')
try:
    for _ in range(3000):
        os.mkdir('d')
        os.chdir('d')
    open('planted', 'w').write('x')
except OSError:
    pass
a, b = map(int, open(0).read().split()[:2])
print(a + b)
