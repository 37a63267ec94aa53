# expect: pass
# The program holds no capability and no other identity: its uid, gid and groups
# are the candidate's, CapEff/CapPrm/CapAmb are empty, it cannot take another uid
# (the agent's 0, the judge's 10002), and files the judge owns are unreadable.
import os
leak = []
st = open('/proc/self/status').read()
for key in ('CapEff', 'CapPrm', 'CapAmb', 'CapInh'):
    for line in st.splitlines():
        if line.startswith(key + ':') and int(line.split()[1], 16) != 0:
            leak.append(line)
if os.getresuid() != (10001, 10001, 10001) or os.getresgid() != (10001, 10001, 10001) or os.getgroups():
    leak.append('ids %s %s %s' % (os.getresuid(), os.getresgid(), os.getgroups()))
for uid in (0, 10002):
    for f in (os.setuid, os.seteuid, os.setgid):
        try:
            f(uid)
            leak.append('took %d' % uid)
        except OSError:
            pass
for d in ('/work', '/tmp'):
    s = os.stat(d)
    if s.st_uid != 0 or s.st_mode & 0o1777 != 0o1777:
        leak.append('%s mode %o uid %d' % (d, s.st_mode, s.st_uid))
    try:
        os.chmod(d, 0o700)
        leak.append('chmod ' + d)
    except OSError:
        pass
a, b = map(int, open(0).read().split()[:2])
print(a + b if not leak else 'LEAK %s' % leak[:5])
