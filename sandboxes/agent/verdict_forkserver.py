"""verdict candidate fork server.

A fresh interpreter the agent starts once per container (its own uid,
FORKSERVER_UID, with only CAP_SETUID/SETGID/KILL, non-dumpable), so a Python
judge's candidate process costs a fork instead of an interpreter start and the
harness's imports. It holds nothing of any grade: judges send it only their
environment, limits and the harness's (public) code, never a spec, a test or a
program, so what a forked candidate inherits is the same for every grade.

It also serves the agent (uid 0) a second kind of child, a "zygote run":
a Python script that runs code under test in its own interpreter (the
LiveCodeBench runner) runs as a fork of this server instead of a fresh
`python3 -I script`, the script's module body and preloads already done.

Listens on an abstract Unix socket (the container's own network namespace) and
serves only the judge uid and the agent (SO_PEERCRED). Per connection, frames
of u32 big-endian length | JSON:
  judge -> {"op": "fork", "sha": version key, "env": {...}, "cwd": dir, "uid": n,
            "rlimits": {res: [soft, hard]}}  + SCM_RIGHTS [request_r, reply_w]
  agent -> {"op": "run", "sha": sha256 of the script, "argv": [script, args...],
            "env", "cwd", "uid", "rlimits"}  + SCM_RIGHTS [stdin, stdout, stderr, status_w]
  server -> {"need": "code"}      client -> the code frame (raw bytes)
  server -> {"pid": n} | {"error": "..."}
  server -> {"status": raw wait status, "cpu_ms", "max_rss_kb"}   when the child has ended
Closing the connection kills the child's process group. A "fork" child
becomes the candidate exactly as the judge's own fork + exec would make it
(session, fds 3/4, /dev/null stdio, oom score, uid, no capabilities, rlimits,
dumpable again, environment, working directory) and runs the harness's
child_main(3, 4). A "run" child becomes the candidate the same way with the
step's stdio as fds 0-2, closes status_w (or writes why its set-up failed
there, and exits), and calls the script's `__verdict_zygote__()` with
sys.argv, sys.path, __main__ and the std streams as `python3 -I script args`
would have them. A script may bind `__verdict_zygote_preload__()`: called
once here after its module body (imports every grade would make).
"""

import builtins
import ctypes
import gc
import json
import marshal
import os
import resource  # here, not in each child: an import there costs a fork's child ~2 ms
import selectors
import signal
import socket
import struct
import sys
import time
import types

NAME = b"\0verdict-forkserver"
JUDGE_UID = 10002
AGENT_UID = 0
CANDIDATE_UID = 10001  # the only identity a "run" child may take
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
    # read back (capget: cheaper than parsing /proc/self/status in every child);
    # ambient capabilities cannot outlive empty permitted and inheritable sets
    got = (_CapData * 2)()
    if _libc.capget(ctypes.byref(_CapHeader(0x20080522, 0)), got) != 0:
        return False
    return all(d.effective == 0 and d.permitted == 0 and d.inheritable == 0 for d in got)


def frame(obj):
    data = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
    return struct.pack(">I", len(data)) + data


def load(key, code, req):
    """Run a script's module body once per version (it only defines). The
    key is the client's name for that version (a hash of its source)."""
    if len(_codes) >= 4:
        _codes.clear()
    if req["op"] == "run":
        name = script_path(req)
        mod = types.ModuleType("verdict_zygote")
        g = mod.__dict__
        g.update({"__file__": name, "__builtins__": builtins, "__verdict_module__": mod})
        exec(compile(code, name, "exec"), g)
        if not callable(g.get("__verdict_zygote__")):
            raise ValueError("%s binds no __verdict_zygote__" % (name,))
        preload = g.get("__verdict_zygote_preload__")
        if callable(preload):
            preload()
    else:
        g = {"__name__": "verdict_candidate", "__builtins__": builtins}
        if code[:1] == b"M":
            c = marshal.loads(code[1:])
        else:
            c = compile(code[1:], "verdict_harness.py", "exec")
        exec(c, g)
    _codes[key] = g
    # a candidate's collections then skip what it inherited (fewer copy-on-write faults)
    gc.freeze()


def key_of(req):
    """A script's key: judges' harnesses and the agent's scripts never share one."""
    if req["op"] == "run":
        return "run:%s:%s" % (req["sha"], script_path(req))
    return "fork:" + str(req["sha"])


def script_path(req):
    """The absolute path `python3 script` gives its __main__ (Python >= 3.9)."""
    return os.path.normpath(os.path.join(req["cwd"], req["argv"][0]))


def become(req, fds, devnull):
    """The candidate's identity, limits and place: what the judge's own fork +
    exec (or the agent's launcher) would give it. fds land on 0.. in order."""
    os.setsid()
    fds = list(fds)
    low = 4 if req["op"] == "run" else 5
    # move every received fd above where they go before placing any
    for i, fd in enumerate(fds):
        while fd < low:
            fd = os.dup(fd)
        fds[i] = fd
    if req["op"] == "run":
        for i, fd in enumerate(fds):
            os.dup2(fd, i)  # stdin, stdout, stderr, the set-up status on 3
        os.closerange(4, 1 << 16)
    else:
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.dup2(fds[0], 3)
        os.dup2(fds[1], 4)
        os.closerange(5, 1 << 16)
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("1000")
    except OSError:
        pass
    for res, (soft, hard) in req["rlimits"].items():
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


def child(req, fds, devnull):  # runs in the forked child; never returns
    try:
        become(req, fds, devnull)
        sys.argv[:] = ["-c", "3", "4"]
        g = _codes[key_of(req)]
        _codes.clear()
        g["child_main"](3, 4)
    except BaseException:
        os._exit(126)
    os._exit(0)


def run_child(req, fds, devnull):  # runs in the forked child; never returns
    code = 1
    try:
        try:
            become(req, fds, devnull)
            g = _codes[key_of(req)]
            _codes.clear()
            time.tzset()  # TZ as the step's environment has it
            # what `python3 -I script args` has: no '' (cwd) on the path, the script as __main__
            sys.path[:] = [p for p in sys.path if p and os.path.isabs(p)]
            sys.argv[:] = list(req["argv"])
            mod = g["__verdict_module__"]
            mod.__name__ = "__main__"
            sys.modules["__main__"] = mod
            sys.stdin = sys.__stdin__ = open(0, "r", closefd=False)
            sys.stdout = sys.__stdout__ = open(1, "w", closefd=False)
            sys.stderr = sys.__stderr__ = open(2, "w", closefd=False, buffering=1, errors="backslashreplace")
            main = g["__verdict_zygote__"]
            g = mod = None
        except BaseException as e:
            try:
                os.write(3, ("%s: %s" % (type(e).__name__, e)).encode()[:4000] or b"?")
            finally:
                os._exit(127)
        os.close(3)  # set up: the agent stops waiting
        try:
            main()
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
            if e.code is not None and not isinstance(e.code, int):
                try:
                    print(e.code, file=sys.stderr)
                except BaseException:
                    pass
        except BaseException:
            import traceback
            traceback.print_exc()
            code = 1
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            pass
    finally:
        os._exit(code & 0xFF if isinstance(code, int) else 1)


class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.fds = []
        self.req = None
        self.pid = None
        self.peer_uid = None


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
        if conn.pid is not None:
            raise ValueError("bad request")
        if req.get("op") == "fork":
            ok = conn.peer_uid == JUDGE_UID and len(conn.fds) == 2
        elif req.get("op") == "run":
            ok = conn.peer_uid == AGENT_UID and len(conn.fds) == 4 and int(req.get("uid", -1)) == CANDIDATE_UID \
                and isinstance(req.get("argv"), list) and len(req["argv"]) >= 1
        else:
            ok = False
        if not ok:
            raise ValueError("bad request")
        conn.req = req
        if key_of(req) not in _codes:
            conn.sock.sendall(frame({"need": "code"}))
            return
    else:
        load(key_of(conn.req), body, conn.req)
    pid = os.fork()
    if pid == 0:
        (run_child if conn.req["op"] == "run" else child)(conn.req, conn.fds, devnull)
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
                if uid not in (JUDGE_UID, AGENT_UID):
                    s.close()
                    continue
                s.setblocking(False)
                conn = Conn(s)
                conn.peer_uid = uid
                sel.register(s, selectors.EVENT_READ, conn)
            elif what == "wake":
                try:
                    while os.read(wake_r, 512):
                        pass
                except BlockingIOError:
                    pass
                while True:
                    try:
                        pid, status, ru = os.wait4(-1, os.WNOHANG)
                    except ChildProcessError:
                        break
                    if pid == 0:
                        break
                    conn = children.pop(pid, None)
                    if conn is not None:
                        try:
                            conn.sock.sendall(frame({"status": status, "max_rss_kb": ru.ru_maxrss,
                                                     "cpu_ms": round((ru.ru_utime + ru.ru_stime) * 1000, 3)}))
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
