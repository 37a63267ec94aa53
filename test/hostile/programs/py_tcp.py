# expect: pass
# Answers right only when every TCP connection is refused.
import socket
leak = []
for host, port in [('1.1.1.1', 80), ('8.8.8.8', 53), ('172.17.0.1', 2375), ('172.17.0.1', 8080), ('10.0.0.1', 80), ('169.254.169.254', 80), ('127.0.0.1', 8080)]:
    try:
        socket.create_connection((host, port), timeout=0.5).close()
        leak.append((host, port))
    except OSError:
        pass
a, b = map(int, open(0).read().split()[:2])
print(a + b if not leak else 'LEAK %s' % leak)
