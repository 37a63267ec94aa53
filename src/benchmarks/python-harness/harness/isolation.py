# Kernel-facing isolation the judge applies to itself and to a candidate
# before it runs: prctl (non-dumpable, subreaper, no-new-privs, death signal),
# dropping every capability for uid 0, whether another uid can reach a path,
# the descriptor range to close. prctl itself is python-common/prctl.py.
# bundle: requires prctl

import ctypes
import os


_LINUX_CAPABILITY_VERSION_3 = 0x20080522


# ---------------------------------------------------------------------------
# Judge side: process control
# ---------------------------------------------------------------------------
class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def _drop_all_capabilities():
    """uid 0 without any capability: no CAP_SYS_PTRACE, so the non-dumpable
    judge's /proc entries stay closed; an empty bounding set keeps exec from
    handing root its capabilities back."""
    _prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL)
    for cap in range(64):
        _prctl(_PR_CAPBSET_DROP, cap)
    hdr = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    try:
        _libc.capset(ctypes.byref(hdr), data)
    except Exception:
        pass
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("CapEff:", "CapPrm:", "CapBnd:")) and int(line.split()[1], 16) != 0:
                return False
    return True


def _usable_by_others(path, need=0o005):
    """True if a different, unprivileged uid can reach `path`: o+x on every
    ancestor directory and the `need` bits (default o+rx) on the target."""
    try:
        path = os.path.realpath(path)
        st = os.stat(path)
        if st.st_mode & need != need:
            return False
        parent = os.path.dirname(path)
        while True:
            if not os.stat(parent).st_mode & 0o001:
                return False
            nxt = os.path.dirname(parent)
            if nxt == parent:
                return True
            parent = nxt
    except OSError:
        return False


def _max_fd():
    try:
        n = os.sysconf("SC_OPEN_MAX")
        return n if n > 0 else 65536
    except (ValueError, OSError):
        return 65536
