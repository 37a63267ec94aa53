# The audit hook of the in-process runners (LiveCodeBench, BigCodeBench),
# whose program shares the interpreter with a witness thread that holds a
# signing key: refuses the program the ways to another thread's frame or to
# raw memory (other threads' frames, gc walks, tracing, new audit hooks,
# ctypes memory calls from its own code, /proc/PID/mem and map_files). Each
# runner adds its own checks (which code may read frames, BigCodeBench's
# matplotlib and __code__ rules) through `check`; USACO's test process refuses
# more (all of ctypes, /proc, /sys, new processes) and keeps its own hook.
# Everything a hook calls is bound when it is installed: module globals and
# builtins are the program's to rebind, and none of its code may run in there.

import os
import sys


# Events the program may not cause at all, and ctypes calls from its own code.
_AUDIT_DENY = frozenset(["sys.addaudithook", "sys._current_exceptions", "sys.settrace", "sys.setprofile",
                         "gc.get_objects", "gc.get_referrers", "gc.get_referents"])
_AUDIT_CTYPES_MEMORY = frozenset(["ctypes.string_at", "ctypes.wstring_at", "ctypes.cdata", "ctypes.addressof",
                                  "ctypes.PyObj_FromPtr", "ctypes.call_function", "ctypes.dlsym", "ctypes.set_errno"])


def _proc_memory_opener():
    """opens_memory(path): whether opening `path` (a str or bytes; a
    descriptor is open already) reaches a process's memory: /proc/PID/mem or
    /proc/PID/map_files/..., as the kernel resolves it (no Python code)."""
    os_open, readlink, close = os.open, os.readlink, os.close
    o_path = os.O_PATH | os.O_CLOEXEC
    _type, _str, _bytes = type, str, bytes

    def opens_memory(path):
        t = _type(path)
        if t is not _str and t is not _bytes:
            return False
        try:
            fd = os_open(path, o_path)
        except OSError:
            return False
        try:
            where = readlink("/proc/self/fd/%d" % fd)
        finally:
            close(fd)
        return where.startswith("/proc/") and (where.endswith("/mem") or "/map_files/" in where)

    return opens_memory


def _install_audit_hook(deny_events, checked, check):
    """Installs the (irremovable) hook: events in deny_events are refused;
    for events in checked, check(event, args) called straight from the hook
    (frame depths count: 0 check, 1 the hook, 2 the audited call's caller)
    decides. An audited call made while checking is let through."""
    import _thread
    ident = _thread.get_ident
    _err = RuntimeError
    busy = set()

    def hook(event, args):
        if event in deny_events:
            raise _err("refused in the sandbox: " + event)
        if event in checked:
            me = ident()
            if me in busy:
                return
            busy.add(me)
            try:
                deny = check(event, args)
            finally:
                busy.discard(me)
            if deny:
                raise _err("refused in the sandbox: " + event)

    sys.addaudithook(hook)
