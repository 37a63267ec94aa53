# expect: fail timeout|runtime_error
# Each process starts two more interpreters running this same file.
import subprocess, sys
while True:
    try:
        subprocess.Popen([sys.executable, __file__])
        subprocess.Popen([sys.executable, __file__])
    except OSError:
        pass
