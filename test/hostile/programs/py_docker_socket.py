# expect: pass
# The Docker socket (or any containerd socket) must not be reachable.
import os, socket
leak = []
for p in ('/var/run/docker.sock', '/run/docker.sock', '/run/containerd/containerd.sock', '/var/run/docker/containerd/containerd.sock', '/proc/1/root/var/run/docker.sock'):
    try:
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(0.5)
        s.connect(p)
        leak.append(p)
    except OSError:
        pass
a, b = map(int, open(0).read().split()[:2])
print(a + b if not leak else 'LEAK %s' % leak)
