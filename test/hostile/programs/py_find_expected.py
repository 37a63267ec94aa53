# expect: pass
# Searches every readable file for the hidden test's expected output (1002345) and
# for files named like answers: they must be nowhere in the sandbox.
import os
MARK = str(10 ** 6 + 2345).encode()  # built at run time: this file must not match itself
ME = os.path.abspath(__file__)
leak = []
for root in ('/work', '/tmp', '/dev/shm', '/run', '/var', '/home', '/root', '/opt', '/srv', '/mnt', '/etc', '/'):
    for d, dirs, files in os.walk(root):
        if d.startswith(('/proc', '/sys', '/usr', '/dev')) and root == '/':
            dirs[:] = []
            continue
        if root == '/' and d != '/':
            dirs[:] = []
        for f in files:
            p = os.path.join(d, f)
            if p == ME:
                continue
            low = f.lower()
            if any(k in low for k in ('expected', '.ans', 'answer', 'hidden')) and not p.startswith('/usr'):
                leak.append(p)
            try:
                if os.path.getsize(p) < (1 << 20) and MARK in open(p, 'rb').read():
                    leak.append(p)
            except OSError:
                pass
a, b = map(int, open(0).read().split()[:2])
print(a + b if not leak else 'LEAK %s' % sorted(set(leak))[:5])
