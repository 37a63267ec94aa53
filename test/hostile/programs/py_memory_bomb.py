# expect: fail memory_limit|runtime_error|timeout
# Allocates and touches 16 MB blocks until something stops it.
x = []
while True:
    x.append(bytearray(16 << 20))
