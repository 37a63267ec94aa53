# expect: pass
# Plants files, a SysV segment, a POSIX message queue, a session-leader sleeper and startup hooks that
# would answer wrong in every later Python program; py_probe_leftovers.py looks for them.
import ctypes, os, subprocess
HOOK = 'import os\nos.path.exists("/work/planted") or print("LEAK planted")\n'
for d in ('/work', '/tmp', '/dev/shm', os.path.expanduser('~'), '/tmp/.local/lib/python3.11/site-packages'):
    try:
        os.makedirs(d, exist_ok=True)
        open(os.path.join(d, 'planted'), 'w').write('planted')
        open(os.path.join(d, 'sitecustomize.py'), 'w').write(HOOK)
        open(os.path.join(d, 'planted.pth'), 'w').write('import os; os.path.exists("/work/planted") or print("LEAK pth")\n')
    except OSError:
        pass
libc = ctypes.CDLL(None)
libc.shmget(0x5eed, 4096, 0o1666)
libc.mq_open(b'/verdict-planted', os.O_CREAT | os.O_RDWR, 0o666, None)
subprocess.Popen(['sleep', '1000'], start_new_session=True)
a, b = map(int, open(0).read().split()[:2])
print(a + b)
