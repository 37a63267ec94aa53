# expect: pass
# Things a naive cleanup trips over: unreadable and unwritable directories, a fifo,
# symlinks to / and to the agent, a sticky dir, a file named like an option.
import os
# the program runs once per test in the same /work: plant once
if not os.path.exists('/work/-rf'):
    _plant = True
else:
    _plant = False
_plant and os.makedirs('/work/locked/inner', exist_ok=True)
_plant and open('/work/locked/inner/f', 'w').write('x')
_plant and os.chmod('/work/locked/inner', 0)
_plant and os.chmod('/work/locked', 0o500)
_plant and os.mkfifo('/work/fifo')
_plant and os.mkfifo('/tmp/fifo')
_plant and os.symlink('/', '/work/root-link')
_plant and os.symlink('/proc/1/root', '/tmp/agent-root')
_plant and os.makedirs('/tmp/sticky', exist_ok=True)
_plant and os.chmod('/tmp/sticky', 0o1000)
_plant and open('/work/-rf', 'w').write('x')
a, b = map(int, open(0).read().split()[:2])
print(a + b)
