# expect: pass
# Raw and packet sockets need capabilities the sandbox does not have; IPv6 has no route either.
import socket
leak = []
for fam, typ, proto in [(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP), (socket.AF_PACKET, socket.SOCK_RAW, 0)]:
    try:
        socket.socket(fam, typ, proto)
        leak.append((fam, typ))
    except (OSError, AttributeError):
        pass
try:
    socket.create_connection(('2606:4700:4700::1111', 53), timeout=0.5)
    leak.append('ipv6')
except OSError:
    pass
a, b = map(int, open(0).read().split()[:2])
print(a + b if not leak else 'LEAK %s' % leak)
