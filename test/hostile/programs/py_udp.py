# expect: pass
# A DNS query over UDP to public resolvers and the Docker gateway.
import socket
q = b'\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01'
leak = []
for host in ('8.8.8.8', '1.1.1.1', '172.17.0.1', '127.0.0.11'):
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(0.5)
        s.sendto(q, (host, 53))
        s.recvfrom(512)
        leak.append(host)
    except OSError:
        pass
a, b = map(int, open(0).read().split()[:2])
print(a + b if not leak else 'LEAK %s' % leak)
