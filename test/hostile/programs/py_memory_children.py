# expect: fail memory_limit|runtime_error|timeout
# Eight children each hold 200 MB: the address-space limit is per process, the container's is not.
import os, time
for _ in range(8):
    if os.fork() == 0:
        try:
            x = bytearray(200 << 20)
            for i in range(0, len(x), 4096):
                x[i] = 1
        except MemoryError:
            pass
        time.sleep(60)
        os._exit(0)
time.sleep(60)
