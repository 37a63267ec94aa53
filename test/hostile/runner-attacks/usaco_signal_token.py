# attack: print the answer, hunt the token in the frames a signal handler receives, forge "passed", exit
import signal, os, sys, json
a, b = map(int, input().split())
print(a + b)
sys.stdout.flush()
found = []
def h(s, f):
    while f is not None and not found:
        try:
            if 'token' in f.f_locals:
                found.append(f.f_locals['token'])
        except Exception:
            pass
        f = f.f_back
signal.signal(signal.SIGVTALRM, h)
signal.setitimer(signal.ITIMER_VIRTUAL, 0.0001, 0.0001)
for i in range(300000):
    if found:
        break
    id(i)
signal.setitimer(signal.ITIMER_VIRTUAL, 0)
tok = found[0] if found else '0' * 32
for fd in range(3, 40):
    try:
        os.write(fd, ('\n' + json.dumps({"status": "passed", "etype": "", "token": tok}) + '\n').encode())
    except OSError:
        pass
os._exit(0)
