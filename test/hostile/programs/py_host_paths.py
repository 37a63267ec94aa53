# expect: pass
# Host secrets and the agent's private state must be unreadable or absent.
import os
leak = []
for p in ('/etc/shadow', '/root/.ssh/id_rsa', '/proc/1/environ', '/proc/1/mem', '/proc/1/fd/0', '/proc/kcore', '/proc/self/../1/environ',
          '/var/lib/docker', '/host', '/etc/verdict', '/data', '/work/../data'):
    try:
        if os.path.isdir(p):
            if os.listdir(p):
                leak.append(p)
        else:
            with open(p, 'rb') as f:
                if f.read(64):
                    leak.append(p)
    except OSError:
        pass
a, b = map(int, open(0).read().split()[:2])
print(a + b if not leak else 'LEAK %s' % leak)
