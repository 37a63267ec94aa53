# hack: sys.exit(0) inside the function
# official: LiveCodeBench stdin swallows SystemExit (pass only if the output was right); functional: error
import sys
def ENTRY(*args, **kwargs):
    sys.exit(0)
