# The judge: hardens this process (signals, privileges, the candidate's
# working directory), arms the load-adjusted alarm, starts candidates, speaks
# the init/call protocol to them and cleans up every process they left.
# Modes drive it; it never runs candidate code in this process.
# bundle: requires prctl, kill, clock, codec, rpc, failures, isolation, process

import os
import shutil
import signal
import sys
import time


class Judge:
    def __init__(self, spec, own_source, python, env):
        self.spec = spec
        self.own_source = own_source
        self._boot_payload = None
        self.python = python
        self.child_env = env
        # the agent's candidate fork server (process.py), when it has one ready
        fs = globals().get("__verdict_forkserver__")
        self.forkserver = fs if type(fs) is dict else None
        self._boot_sha = None
        self.children = set()
        self.max_msg = int(spec.get("max_message_bytes") or _DEFAULT_MAX_MSG)
        self.ignored_signals = []
        self.child_uid = None
        self.drop_caps_only = False
        self.child_dir = None
        self.notes = []
        self.alarm_deadline = None
        self.bound = {}

    @property
    def boot_payload(self):
        """What a candidate runs: this file's code, as a marshalled code object
        when the agent already compiled it (compiling 70 KB costs ~40 ms a
        grade), else as source. Trusted direction only: judge to candidate.
        Made only when a candidate needs it: in a fork of the agent, marshalling
        the agent's code object costs ~15 ms of copy-on-write faults, and a
        fork server that already holds this version never asks for it."""
        if self._boot_payload is None:
            code = globals().get("__verdict_code__")
            if type(code) is type(compile("", "", "exec")):
                import marshal
                self._boot_payload = b"M" + marshal.dumps(code)
            else:
                self._boot_payload = b"S" + self.own_source
        return self._boot_payload

    def boot_sha(self):
        """The fork server's key for this version of the harness."""
        if self._boot_sha is None:
            import hashlib
            kind = "M" if type(globals().get("__verdict_code__")) is type(compile("", "", "exec")) else "S"
            self._boot_sha = kind + hashlib.sha256(self.own_source).hexdigest()
        return self._boot_sha

    # -- setup ---------------------------------------------------------------
    def harden(self):
        import tempfile  # lazy: keeps candidate start-up short
        _prctl(_PR_SET_DUMPABLE, 0)  # blocks /proc/<judge>/fd, mem, ptrace for same-uid peers
        _rq_track(os.getpid(), False)
        _prctl(_PR_SET_CHILD_SUBREAPER, 1)  # escaped grandchildren re-parent here
        for name in ("SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGTSTP", "SIGTTIN", "SIGTTOU"):
            s = getattr(signal, name, None)
            if s is None:
                continue
            try:
                signal.signal(s, signal.SIG_IGN)
                self.ignored_signals.append(s)
            except (OSError, ValueError):
                pass
        signal.signal(signal.SIGALRM, self._on_alarm)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        drop = self.spec.get("drop_privileges", True)
        # The agent runs this judge as its own uid with just CAP_SETUID/SETGID/
        # KILL/CHOWN/FOWNER, and names the uid code under test must run as.
        agent_uid = globals().get("__verdict_candidate_uid__")
        if isinstance(agent_uid, int) and drop:
            self.child_uid = agent_uid
        elif os.geteuid() == 0 and drop:
            reachable = [sys.executable, sys.prefix, sys.base_prefix] + \
                [p for p in sys.path if p and os.path.isdir(p)]
            if all(_usable_by_others(p) for p in reachable):
                # A per-run uid: the candidate cannot signal or read the root
                # judge, /proc/<judge>/fd, or another run's candidate.
                self.child_uid = 20000 + os.getpid() % 30000
            else:
                self.drop_caps_only = True
                self.notes.append("python is not reachable by other uids: candidate runs as uid 0 "
                                  "without capabilities")
        # private working dir (like upstream's create_tempdir), inside the
        # scratch dir so it goes away with it even if this process is killed;
        # under TMPDIR only when a lower-privileged candidate could not reach it
        bases = [os.getcwd(), None]
        if self.child_uid is not None and not _usable_by_others(os.getcwd(), need=0o001):
            bases.reverse()
        for base in bases:
            try:
                self.child_dir = tempfile.mkdtemp(prefix="verdict-cand-", dir=base)
                break
            except OSError:
                continue
        if self.child_dir is None:
            raise HarnessError("cannot create a working directory for the candidate")
        if self.child_uid is not None:
            try:
                os.chown(self.child_dir, self.child_uid, self.child_uid)
            except OSError:
                self.notes.append("could not chown candidate dir")
        os.chmod(self.child_dir, 0o700)

    def _on_alarm(self, signum, frame):
        dl = self.alarm_deadline
        # spurious SIGALRM (e.g. sent by someone else) is ignored
        if dl is None:
            return  # spurious
        left = dl - _now()
        if left <= 0.005:
            self.alarm_deadline = None
            raise Failure("timeout", "timed out")
        # the machine was busy: the load-adjusted deadline is still ahead
        signal.setitimer(signal.ITIMER_REAL, left)

    def arm(self, deadline):
        self.alarm_deadline = deadline
        signal.setitimer(signal.ITIMER_REAL, max(0.001, deadline - _now()))

    def disarm(self):
        self.alarm_deadline = None
        signal.setitimer(signal.ITIMER_REAL, 0)

    def new_candidate(self):
        c = Candidate(self)
        try:
            c.spawn()
        except BaseException:
            c.close()
            if (self.child_uid is not None or self.drop_caps_only) and c.status is not None \
                    and os.WIFEXITED(c.status) and os.WEXITSTATUS(c.status) == 126:
                raise HarnessError("could not drop privileges for the candidate process")
            raise
        return c

    def cleanup(self):
        """Kill every process the candidate may have left behind."""
        for pid in list(self.children):
            _kill_group(pid)
        me = os.getpid()
        for _ in range(50):
            # reap first: a killed child is a zombie until then, and waiting
            # on it with a sleep would cost every grade 10 ms
            self._reap_any()
            victims = []
            try:
                entries = os.listdir("/proc")
            except OSError:
                entries = []
            for e in entries:
                if not e.isdigit() or int(e) == me:
                    continue
                try:
                    with open("/proc/%s/status" % e) as f:
                        st = f.read()
                except OSError:
                    continue
                ppid = uid = None
                if "\nState:\tZ" in st:
                    continue
                for line in st.splitlines():
                    if line.startswith("PPid:"):
                        ppid = int(line.split()[1])
                    elif line.startswith("Uid:"):
                        uid = int(line.split()[1])
                if ppid == me or (self.child_uid is not None and uid == self.child_uid):
                    victims.append(int(e))
            if not victims:
                break
            for v in victims:
                try:
                    os.kill(v, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.01)
            self._reap_any()
        self._reap_any()
        if self.child_dir:
            shutil.rmtree(self.child_dir, ignore_errors=True)

    def _reap_any(self):
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return

    # -- RPC helpers -----------------------------------------------------------
    def start_candidate(self, cand, source, entry_point, flavour, deadline, names=None):
        """Send the program; returns None on success or a Failure.  With
        names, the candidate's bindings for them land in self.bound."""
        mem = self.spec.get("memory_limit_bytes")
        init = {"op": "init", "source": source, "entry_point": entry_point,
                "guard": flavour, "mem": mem if isinstance(mem, int) else None}
        if names is not None:
            init["names"] = list(names)
        reply, failure = self._exchange(cand, init, deadline, "timed out while loading the candidate code",
                                        "while loading the candidate code")
        if failure is not None:
            return failure
        if reply.get("ok") is True:
            if names is not None:
                bound = reply.get("names")
                if type(bound) is not dict:
                    cand.kill()
                    return Failure("runtime_error", "malformed reply from candidate process")
                self.bound = bound
            return None
        kind = reply.get("kind")
        if kind == "compile":
            f = _compile_failure(source)
            if f is not None:
                return f
        if kind == "missing":
            return Failure("runtime_error", _trunc("NameError: name %r is not defined" % (entry_point,)))
        return _failure_from_child_error(reply)

    def _exchange(self, cand, msg, deadline, timeout_detail, when):
        """Send one message; (the reply, None), or (None, the Failure the
        channel's end means: a timeout, a crash, a malformed reply)."""
        try:
            cand.send(msg, deadline)
            return cand.recv(deadline), None
        except ChildTimeout:
            cand.kill()
            return None, Failure("timeout", timeout_detail)
        except ChildGone:
            return None, _failure_from_crash(cand, when)
        except ChildProtocolError as e:
            cand.kill()
            return None, Failure("runtime_error", "malformed reply from candidate process: %s" % e)

    def call(self, cand, args, kwargs, deadline, digest=False, name=None):
        """Call the entry point (or the candidate's callable `name`); returns
        the decoded value (or, with digest, the (hexdigest, nbytes) of its
        repr) or raises Failure."""
        try:
            enc_args = encode_value(list(args), opaque_ok=False)
            enc_kwargs = encode_value(dict(kwargs), opaque_ok=False)
        except OpaqueArgument:
            raise Failure("wrong_answer", "the test passed back a value of the program that has no data form")
        except (Unencodable, RecursionError) as e:
            raise HarnessError("cannot send argument to candidate: %s" % e)
        req = {"op": "call", "args": enc_args, "kwargs": enc_kwargs}
        if name is not None:
            req["name"] = name
        if digest:
            req["digest"] = _DIGEST_ALG
        reply, failure = self._exchange(cand, req, deadline, "timed out", "during a call")
        if failure is not None:
            raise failure
        if reply.get("ok") is True and digest:
            hx, n = reply.get("digest"), reply.get("bytes")
            if type(hx) is not str or type(n) is not int:
                cand.kill()
                raise Failure("runtime_error", "malformed digest from candidate process")
            return hx, n
        if reply.get("ok") is True:
            try:
                value = decode_value(reply.get("value"))
            except (Exception, RecursionError, MemoryError) as e:  # hostile data: any decode error
                cand.kill()
                raise Failure("runtime_error", "malformed value from candidate process (%s)" % type(e).__name__)
            # not charged to the per-input limit (upstream has no such step);
            # linear in the reply, which max_message_bytes bounds, and the
            # group's deadline is checked before the next call
            return value
        raise _failure_from_child_error(reply)
