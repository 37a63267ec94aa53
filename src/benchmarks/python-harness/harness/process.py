# The candidate process seen from the judge: fork, isolate (own session,
# another uid or no capabilities, death signal, oom score), exec a fresh
# interpreter, ship it this script, and kill, reap and describe its end.
# Where the agent runs a fork server (sandboxes/agent/verdict_forkserver.py),
# the candidate is instead forked by it, already isolated the same way, from an
# interpreter that has run this script's module body and holds nothing of any
# grade; its wait status then comes over the server's connection.
# The channel methods come from rpc._Channel.
# bundle: requires prctl, kill, clock, rpc, failures, candidate, isolation

import json
import os
import signal
import time


_CHILD_START_TIMEOUT = 20.0  # interpreter start-up, not charged to the candidate
_FORKSERVER_TIMEOUT = 5.0  # a fork and a reply; longer means it is stuck: spawn instead


def _server_frame(sock):
    """One u32-length JSON frame from the fork server (blocking per its timeout)."""
    head = b""
    while len(head) < 4:
        c = sock.recv(4 - len(head))
        if not c:
            raise EOFError("fork server closed the connection")
        head += c
    n = int.from_bytes(head, "big")
    if n > 1 << 16:
        raise ValueError("fork server frame too large")
    body = b""
    while len(body) < n:
        c = sock.recv(n - len(body))
        if not c:
            raise EOFError("fork server closed the connection")
        body += c
    return json.loads(body)


class Candidate(_Channel):
    """One candidate process and its RPC channel."""

    def __init__(self, judge):
        self.judge = judge
        self.pid = None
        self.rfd = None
        self.wfd = None
        self.buf = bytearray()
        self.status = None  # raw waitpid status once reaped
        self.dead = False
        self.server = None  # the fork server connection, when it forked this one

    # -- lifecycle ---------------------------------------------------------
    def spawn(self):
        j = self.judge
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        pid = self._fork_by_server(req_r, resp_w)
        if pid is None:
            parent = os.getpid()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - runs in the forked child
                try:
                    self._child_setup(parent, req_r, resp_w)
                finally:
                    os._exit(127)
        os.close(req_r)
        os.close(resp_w)
        self.pid = pid
        _rq_track(pid, True)
        self.rfd = resp_r
        self.wfd = req_w
        os.set_blocking(self.wfd, False)
        j.children.add(pid)
        # ship the harness source (a forked one has it), then wait for the hello
        deadline = time.monotonic() + _CHILD_START_TIMEOUT
        src = j.boot_payload
        try:
            if self.server is None:
                self._write_all(len(src).to_bytes(4, "big") + src, deadline)
            hello = self.recv(deadline)
        except (ChildTimeout, ChildGone, ChildProtocolError) as e:
            self.kill()
            raise HarnessError("candidate process failed to start: %s %s %s"
                               % (type(e).__name__, e, self.exit_info()))
        if hello.get("op") != "hello":
            raise HarnessError("candidate process failed to start (bad hello)")

    def _fork_by_server(self, req_r, resp_w):
        """The candidate's pid, forked by the fork server; None (and the
        server is not asked again this grade) when it cannot be used."""
        j = self.judge
        fs = j.forkserver
        if fs is None or j.child_uid is None or fs.get("env") != j.child_env \
                or fs.get("python") != j.python:
            return None
        import socket
        import struct
        import resource
        sock = None
        try:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
            sock.settimeout(_FORKSERVER_TIMEOUT)
            sock.connect(fs["name"])
            # the server the agent started, not a process squatting on its name
            pid, uid, _ = struct.unpack("3i", sock.getsockopt(
                socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
            if pid != fs["pid"] or uid != fs["uid"]:
                raise OSError("fork server peer is pid %d uid %d" % (pid, uid))
            limits = {}
            for name in dir(resource):
                if name.startswith("RLIMIT_"):
                    res = getattr(resource, name)
                    limits[str(res)] = list(resource.getrlimit(res))
            req = json.dumps({"op": "fork", "sha": j.boot_sha(), "env": j.child_env,
                              "cwd": j.child_dir, "uid": j.child_uid, "rlimits": limits}).encode()
            sock.sendmsg([len(req).to_bytes(4, "big") + req],
                          [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack("2i", req_r, resp_w))])
            reply = _server_frame(sock)
            if reply.get("need") == "code":
                sock.sendall(len(j.boot_payload).to_bytes(4, "big") + j.boot_payload)
                reply = _server_frame(sock)
            pid = reply.get("pid") if type(reply) is dict else None
            if type(pid) is not int or pid <= 0:
                raise OSError("fork server: %s" % reply.get("error", "no pid"))
        except (OSError, ValueError, EOFError):
            if sock is not None:
                sock.close()  # a child it forked dies with the connection
            j.forkserver = None
            return None
        self.server = sock
        return pid

    def _server_status(self, block):
        """The wait status the fork server reports; None while it runs."""
        import select
        sock = self.server
        try:
            if not block and not select.select([sock], [], [], 0)[0]:
                return None
            sock.settimeout(_FORKSERVER_TIMEOUT)
            msg = _server_frame(sock)
        except (OSError, ValueError, EOFError):
            return -1  # server gone: the candidate died with it (death signal)
        st = msg.get("status") if type(msg) is dict else None
        return st if type(st) is int else -1

    def _child_setup(self, parent, req_r, resp_w):  # pragma: no cover
        j = self.judge
        os.setsid()  # own process group: the judge kills the whole group
        # keep only the two pipe ends, as fds 3 and 4; 0/1/2 -> /dev/null
        a = os.dup(req_r)
        b = os.dup(resp_w)
        while a < 5 or b < 5:
            if a < 5:
                a = os.dup(a)
            if b < 5:
                b = os.dup(b)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.dup2(a, 3)
        os.dup2(b, 4)
        os.closerange(5, _max_fd())
        try:
            with open("/proc/self/oom_score_adj", "w") as f:
                f.write("1000")
        except Exception:
            pass
        try:
            os.chdir(j.child_dir)
        except Exception:
            pass
        if j.drop_caps_only:
            _prctl(_PR_SET_NO_NEW_PRIVS, 1)
            if not _drop_all_capabilities():
                os._exit(126)
        if j.child_uid is not None:
            os.setgroups([])
            os.setresgid(j.child_uid, j.child_uid, j.child_uid)
            os.setresuid(j.child_uid, j.child_uid, j.child_uid)
            if os.getuid() != j.child_uid or os.geteuid() != j.child_uid:
                os._exit(126)
        _prctl(_PR_SET_NO_NEW_PRIVS, 1)
        # after the uid change: a credential change clears the death signal
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:
            os._exit(125)
        for s in j.ignored_signals:
            try:
                signal.signal(s, signal.SIG_DFL)
            except Exception:
                pass
        os.execve(j.python, [j.python, "-c", _BOOT, "3", "4"], j.child_env)

    def kill(self):
        if self.pid is None or self.dead:
            return
        _rq_untrack(self.pid)
        _kill_group(self.pid)
        self._reap(block=True)

    def _reap(self, block):
        if self.dead:
            return True
        if self.server is not None:
            st = self._server_status(block)
            if st is None:
                return False
            self.status = st if st >= 0 else None
            self.dead = True
            self.judge.children.discard(self.pid)
            return True
        try:
            pid, status = os.waitpid(self.pid, 0 if block else os.WNOHANG)
        except ChildProcessError:
            self.dead = True
            self.judge.children.discard(self.pid)
            return True
        if pid == 0:
            return False
        self.status = status
        self.dead = True
        self.judge.children.discard(self.pid)
        return True

    def close(self):
        self.kill()
        for fd in (self.rfd, self.wfd):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.rfd = self.wfd = None
        if self.server is not None:
            self.server.close()
            self.server = None

    def exit_info(self):
        """After the pipe hit EOF: how did the process end?"""
        end = time.monotonic() + 1.0
        while not self._reap(block=False):
            if time.monotonic() > end:
                # closed its pipe but is still alive: treat as dead, kill it
                self.kill()
                break
            time.sleep(0.005)
        info = {}
        if self.status is not None:
            if os.WIFSIGNALED(self.status):
                info["killed_by_signal"] = os.WTERMSIG(self.status)
            elif os.WIFEXITED(self.status):
                info["exit_code"] = os.WEXITSTATUS(self.status)
        return info
