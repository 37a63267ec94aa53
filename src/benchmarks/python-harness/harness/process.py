# The candidate process seen from the judge: fork, isolate (own session,
# another uid or no capabilities, death signal, oom score), exec a fresh
# interpreter, ship it this script, and kill, reap and describe its end.
# The channel methods come from rpc._Channel.
# bundle: requires prctl, kill, clock, rpc, failures, candidate, isolation

import os
import signal
import time


_CHILD_START_TIMEOUT = 20.0  # interpreter start-up, not charged to the candidate


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

    # -- lifecycle ---------------------------------------------------------
    def spawn(self):
        j = self.judge
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
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
        # ship the harness source, then wait for the interpreter to say hello
        deadline = time.monotonic() + _CHILD_START_TIMEOUT
        src = j.boot_payload
        try:
            self._write_all(len(src).to_bytes(4, "big") + src, deadline)
            hello = self.recv(deadline)
        except (ChildTimeout, ChildGone, ChildProtocolError) as e:
            self.kill()
            raise HarnessError("candidate process failed to start: %s %s %s"
                               % (type(e).__name__, e, self.exit_info()))
        if hello.get("op") != "hello":
            raise HarnessError("candidate process failed to start (bad hello)")

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
