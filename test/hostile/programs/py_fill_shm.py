# expect: pass|fail memory_limit|runtime_error
# Fills /dev/shm (memory-backed) until it is full or the memory limit ends it.
try:
    with open('/dev/shm/fill', 'wb') as f:
        for _ in range(4096):
            f.write(b'x' * (1 << 20))
            f.flush()
except OSError:
    pass
a, b = map(int, open(0).read().split()[:2])
print(a + b)
