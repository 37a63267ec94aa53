# expect: pass
import socket
leak = []
for name in ('example.com', 'host.docker.internal', 'gateway.docker.internal', 'metadata.google.internal'):
    try:
        socket.getaddrinfo(name, 80)
        leak.append(name)
    except OSError:
        pass
a, b = map(int, open(0).read().split()[:2])
print(a + b if not leak else 'LEAK %s' % leak)
