# expect: pass
# Other processes' command lines, environments and open files: none may carry another grade's data or a secret.
import os
leak = []
me = os.getpid()
for pid in os.listdir('/proc'):
    if not pid.isdigit() or int(pid) == me:
        continue
    for part in ('environ', 'cmdline'):
        try:
            data = open('/proc/%s/%s' % (pid, part), 'rb').read()
        except OSError:
            continue
        if str(10 ** 6 + 2345).encode() in data or b'VERDICT_' in data or b'API_KEY' in data:
            leak.append((pid, part))
    try:
        for fd in os.listdir('/proc/%s/fd' % pid):
            leak.append((pid, 'fd', fd))
            break
    except OSError:
        pass
a, b = map(int, open(0).read().split()[:2])
print(a + b if not leak else 'LEAK %s' % leak)
