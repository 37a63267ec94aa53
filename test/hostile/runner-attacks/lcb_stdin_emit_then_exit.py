# attack: LiveCodeBench stdin (fx001_a, print a + b). On the first test, reads every test's input from the runner's frames, reports the right output for each through the runner's emit(), then ends the process (the official harness fails it).
# expect: fail runtime_error
import os, sys
f = sys._getframe()
while f is not None and 'spec' not in f.f_locals:
    f = f.f_back
g = f.f_globals
for index, text in enumerate(f.f_locals['spec']['inputs']):
    a, b = map(int, text.split())
    g['emit']({'event': 'test', 'index': index, 'status': 'ok', 'output': '%d\n' % (a + b), 'time_ms': 1.0})
os._exit(0)
