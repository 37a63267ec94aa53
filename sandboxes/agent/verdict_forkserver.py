"""verdict candidate fork server.

A fresh interpreter the agent starts once per container (its own uid,
FORKSERVER_UID, with only CAP_SETUID/SETGID/KILL, non-dumpable), so a Python
judge's candidate process costs a fork instead of an interpreter start and the
harness's imports. It holds nothing of any grade: judges send it only their
environment, limits and the harness's (public) code, never a spec, a test or a
program, so what a forked candidate inherits is the same for every grade.

Listens on an abstract Unix socket (the container's own network namespace) and
serves only the judge uid (SO_PEERCRED). Per connection, frames of u32
big-endian length | JSON:
  judge -> {"op": "fork", "sha": version key, "env": {...}, "cwd": dir, "uid": n,
            "rlimits": {res: [soft, hard]}}  + SCM_RIGHTS [request_r, reply_w]
  server -> {"need": "code"}      judge -> the harness's code frame (raw bytes)
  server -> {"pid": n} | {"error": "..."}
  server -> {"status": raw wait status}   when the candidate has ended
Closing the connection kills the candidate's process group. The forked child
becomes the candidate exactly as the judge's own fork + exec would make it
(session, fds 3/4, /dev/null stdio, oom score, uid, no capabilities, rlimits,
dumpable again, environment, working directory) and runs the harness's
child_main(3, 4).
"""

import builtins
import ctypes
import gc
import json
import marshal
import os
import selectors
import signal
import socket
import struct
import sys

NAME = b"\0verdict-forkserver"
JUDGE_UID = 10002
MAX_FRAME = 1 << 22
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 1, 4, 38
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4

_libc = ctypes.CDLL(None, use_errno=True)
_codes = {}  # harness sha256 -> the harness's module globals (code run once here)


def prctl(op, arg=0):
    return _libc.prctl(ctypes.c_int(op), ctypes.c_ulong(arg), ctypes.c_ulong(0),
                       ctypes.c_ulong(0), ctypes.c_ulong(0))


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def drop_all_caps():
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    hdr = _CapHeader(0x20080522, 0)
    data = (_CapData * 2)()
    if _libc.capset(ctypes.byref(hdr), data) != 0:
        return False
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("CapEff:", "CapPrm:", "CapInh:", "CapAmb:")) \
                    and int(line.split()[1], 16) != 0:
                return False
    return True


def frame(obj):
    data = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
    return struct.pack(">I", len(data)) + data


def load(key, code):
    """Run the harness's module body once per version (it only defines).
    The key is the judge's name for that version (a hash of its source)."""
    if len(_codes) >= 4:
        _codes.clear()
    g = {"__name__": "verdict_candidate", "__builtins__": builtins}
    if code[:1] == b"M":
        c = marshal.loads(code[1:])
    else:
        c = compile(code[1:], "verdict_harness.py", "exec")
    exec(c, g)
    _codes[key] = g
    # a candidate's collections then skip what it inherited (fewer copy-on-write faults)
    gc.freeze()


def child(req, fds, devnull):  # runs in the forked child; never returns
    try:
        os.setsid()
        a, b = fds
        while a < 5 or b < 5:
            a, b = (os.dup(a) if a < 5 else a), (os.dup(b) if b < 5 else b)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.dup2(a, 3)
        os.dup2(b, 4)
        os.closerange(5, 1 << 16)
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        try:
            with open("/proc/self/oom_score_adj", "w") as f:
                f.write("1000")
        except OSError:
            pass
        for res, (soft, hard) in req["rlimits"].items():
            import resource
            resource.setrlimit(int(res), (soft, hard))
        uid = int(req["uid"])
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
        if os.getresuid() != (uid, uid, uid) or not drop_all_caps():
            os._exit(126)
        prctl(PR_SET_NO_NEW_PRIVS, 1)
        # as an exec would after the uid change: the candidate may read its own /proc entries
        prctl(PR_SET_DUMPABLE, 1)
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != SERVER_PID:
            os._exit(125)
        os.chdir(req["cwd"])
        os.environ.clear()
        os.environ.update(req["env"])
        sys.argv[:] = ["-c", "3", "4"]
        g = _codes[req["sha"]]
        _codes.clear()
        g["child_main"](3, 4)
    except BaseException:
        os._exit(126)
    os._exit(0)


class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.fds = []
        self.req = None
        self.pid = None


def recv_some(conn):
    data, anc, _, _ = conn.sock.recvmsg(1 << 16, socket.CMSG_SPACE(8 * 4))
    for level, kind, payload in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            n = len(payload) - len(payload) % 4
            conn.fds.extend(struct.unpack("%di" % (n // 4), payload[:n]))
    if not data:
        return False
    conn.buf += data
    return True


def frames(conn):
    while len(conn.buf) >= 4:
        n = struct.unpack(">I", conn.buf[:4])[0]
        if n > MAX_FRAME:
            raise ValueError("frame too large")
        if len(conn.buf) < 4 + n:
            return
        body, conn.buf = conn.buf[4:4 + n], conn.buf[4 + n:]
        yield body


def handle(conn, body, children, devnull):
    if conn.req is None:
        req = json.loads(body)
        if req.get("op") != "fork" or len(conn.fds) != 2 or conn.pid is not None:
            raise ValueError("bad request")
        conn.req = req
        if req["sha"] not in _codes:
            conn.sock.sendall(frame({"need": "code"}))
            return
    else:
        load(conn.req["sha"], body)
    pid = os.fork()
    if pid == 0:
        child(conn.req, conn.fds, devnull)
    for fd in conn.fds:
        os.close(fd)
    conn.fds = []
    conn.pid = pid
    children[pid] = conn
    conn.sock.sendall(frame({"pid": pid}))


def close(sel, conn, children):
    if conn.pid is not None and children.get(conn.pid) is conn:
        try:
            os.killpg(conn.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            os.kill(conn.pid, signal.SIGKILL)
        except OSError:
            pass
    for fd in conn.fds:
        os.close(fd)
    conn.fds = []
    sel.unregister(conn.sock)
    conn.sock.close()


def main():
    global SERVER_PID
    SERVER_PID = os.getpid()
    prctl(PR_SET_DUMPABLE, 0)
    devnull = os.open(os.devnull, os.O_RDWR)
    wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
    lsock.bind(NAME)
    lsock.listen(16)
    sel = selectors.DefaultSelector()
    sel.register(lsock, selectors.EVENT_READ, "listen")
    sel.register(wake_r, selectors.EVENT_READ, "wake")
    children = {}  # pid -> Conn
    # the agent learns we are ready when fd 1 closes
    os.dup2(devnull, 1)
    while True:
        for key, _ in sel.select():
            what = key.data
            if what == "listen":
                try:
                    s, _ = lsock.accept()
                except OSError:
                    continue
                cred = s.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
                _, uid, _ = struct.unpack("3i", cred)
                if uid != JUDGE_UID:
                    s.close()
                    continue
                s.setblocking(False)
                sel.register(s, selectors.EVENT_READ, Conn(s))
            elif what == "wake":
                try:
                    while os.read(wake_r, 512):
                        pass
                except BlockingIOError:
                    pass
                while True:
                    try:
                        pid, status = os.waitpid(-1, os.WNOHANG)
                    except ChildProcessError:
                        break
                    if pid == 0:
                        break
                    conn = children.pop(pid, None)
                    if conn is not None:
                        try:
                            conn.sock.sendall(frame({"status": status}))
                        except OSError:
                            pass
            else:
                conn = what
                try:
                    alive = recv_some(conn)
                    if alive:
                        for body in frames(conn):
                            handle(conn, body, children, devnull)
                except Exception as e:
                    try:
                        conn.sock.sendall(frame({"error": "%s: %s" % (type(e).__name__, e)}))
                    except OSError:
                        pass
                    alive = False
                if not alive:
                    close(sel, conn, children)


SERVER_PID = None

if __name__ == "__main__":
    main()
