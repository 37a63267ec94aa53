"""verdict in-container agent.

Runs as PID 1 of every sandbox container (non-root, no capabilities) and
executes the processes the service asks for, one at a time, so a grade pays
a frame round trip instead of `docker run`/`docker exec` start-up.

Protocol on the container's attached stdin/stdout: frames of
  u32 big-endian header length | JSON header | header["blob_len"] raw bytes.
Requests carry an "id" that the response echoes.

  put   {blob: tar}            extract files into /work
  exec  {argv, env, cwd, ...}  run one process, reply with its outcome and
                               stdout+stderr as the blob
  get   {paths}                reply with a tar of those paths
  pair  {main, peer}           two processes, each one's stdout the other's
                               stdin (interactive judging); blob = the
                               peer's secret input
  reset {}                     kill every other process, wipe scratch space

Three identities (the engine starts the agent as uid 0 with every
capability dropped but the few in AGENT_CAPS, no-new-privileges and a
read-only root):
  * the agent, uid 0: only it can put, get, wipe and kill;
  * trusted judge steps (identity "judge": harnesses, checkers, interactors)
    run as JUDGE_UID, keeping just the capabilities they need to start the
    candidate under CANDIDATE_UID and to kill it (JUDGE_CAPS);
  * everything else (identity "candidate", the default) runs as
    CANDIDATE_UID with no capabilities at all.
So code under test cannot signal, ptrace, prlimit or read the fds of the agent
or of a judge (other uids), cannot read judge-owned files (spec, hidden tests),
and cannot delete them from the sticky /work. Reset kills every process,
wipes scratch space, SysV IPC and POSIX message queues, checks the agent's own
rlimits, nice value and CPU affinity against those recorded at start, and
answers ok only when all of it holds; the engine retires a container on any
doubt. Also:
  * it is PID 1: signals it has no handler for, SIGKILL included, are not
    delivered from inside the container's pid namespace;
  * it is non-dumpable: no ptrace, no /proc/1/fd/* even for its own uid;
  * children get no inherited descriptors besides their own stdio.
"""

import ctypes
import fcntl
import hashlib
import io
import json
import os
import resource
import selectors
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tarfile
import threading
import time

# Trusted Python steps run as forks of this process (python_fork): whatever
# stdlib they commonly import is loaded once here instead of once per grade.
for _m in ("array", "ast", "base64", "copy", "decimal", "fractions", "importlib",
           "hashlib", "math", "tempfile", "traceback", "unittest", "collections",
           "functools", "itertools", "re", "random", "string", "heapq", "bisect"):
    try:
        __import__(_m)
    except ImportError:
        pass

VERSION = 1
WORK = "/work"
SCRATCH_DIRS = ("/work", "/tmp", "/dev/shm")
DEFAULT_ENV = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME": "/tmp",
    "LANG": "C.UTF-8",
}
PR_SET_DUMPABLE = 4
PR_SET_KEEPCAPS = 8

CANDIDATE_UID = 10001  # the image's "sandbox" user: tools find a passwd entry and HOME
JUDGE_UID = 10002
FORKSERVER_UID = 10003  # the candidate fork server (verdict_forkserver.py): neither's reach
IDENTITIES = {"candidate": CANDIDATE_UID, "judge": JUDGE_UID}
# capability numbers (linux/capability.h)
CAP_CHOWN, CAP_FOWNER, CAP_KILL, CAP_SETGID, CAP_SETUID = 0, 3, 5, 6, 7
# a judge starts its candidate as CANDIDATE_UID (setuid/setgid), kills it, and
# hands it a working directory (chown, then chmod of a file it no longer owns)
JUDGE_CAPS = (CAP_CHOWN, CAP_FOWNER, CAP_KILL, CAP_SETGID, CAP_SETUID)
# the fork server makes each child the candidate (setuid/setgid) and kills it
# when its judge goes away; kept across its exec as ambient capabilities
FORKSERVER_CAPS = (CAP_KILL, CAP_SETGID, CAP_SETUID)
LIMITS = [getattr(resource, n) for n in sorted(dir(resource)) if n.startswith("RLIMIT_")]

IN = sys.stdin.buffer.raw if hasattr(sys.stdin.buffer, "raw") else sys.stdin.buffer
OUT = sys.stdout.buffer


def log(msg):
    try:
        sys.stderr.write("agent: %s\n" % msg)
        sys.stderr.flush()
    except Exception:
        pass


def harden_self():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    except Exception as e:  # still works, only less protected
        log("prctl failed: %r" % (e,))
    # As PID 1 a signal with default action is dropped by the kernel; keep it
    # that way for everything Python would otherwise handle.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1,
                signal.SIGUSR2, signal.SIGQUIT, signal.SIGALRM):
        try:
            signal.signal(sig, signal.SIG_DFL)
        except Exception:
            pass
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)


# ---------------------------------------------------------------- framing

def read_exact(n):
    chunks = []
    while n > 0:
        b = IN.read(n)
        if not b:
            return None
        chunks.append(b)
        n -= len(b)
    return b"".join(chunks)


def read_frame():
    raw = read_exact(4)
    if raw is None:
        return None, b""
    (hlen,) = struct.unpack(">I", raw)
    header = json.loads(read_exact(hlen).decode("utf-8"))
    blob = b""
    blen = int(header.get("blob_len") or 0)
    if blen:
        blob = read_exact(blen)
        if blob is None:
            return None, b""
    return header, blob


def write_frame(header, blob=b""):
    header = dict(header)
    header["blob_len"] = len(blob)
    data = json.dumps(header, separators=(",", ":")).encode("utf-8")
    OUT.write(struct.pack(">I", len(data)) + data + blob)
    OUT.flush()


# ---------------------------------------------------------------- processes

def other_pids():
    me = os.getpid()
    pids = []
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) != me:
            pids.append(int(name))
    return pids


def reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def spared(judge=True):
    """The intact servers that outlive a grade: the fork server, and the
    judge server unless the grade itself must die (timeout, output flood)."""
    pids = {forkserver_pid()}
    if judge:
        pids.add(judgeserver_pid())
    pids.discard(None)
    return pids


def signal_everything(spare_judge=True):
    """SIGKILL every process but ourselves and the intact servers."""
    spare = spared(spare_judge)
    if not spare:
        try:
            os.kill(-1, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        return
    for pid in other_pids():
        if pid not in spare:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def in_container():
    """Destructive steps (kill everything, wipe /work and /tmp) are only for
    PID 1 of a sandbox: imported or run on a host (a test, a developer), they
    would kill the host's processes and delete its /work."""
    if os.getpid() != 1:
        raise RuntimeError("verdict agent: not PID 1 of a container; refusing to kill or wipe")


def kill_everything(deadline_s=2.0):
    """SIGKILL every process but ourselves; True when none is left."""
    in_container()
    end = time.monotonic() + deadline_s
    passes = 0
    while True:
        signal_everything()
        reap()
        spare = spared()
        left = [p for p in other_pids() if p not in spare]
        if not left:
            return True
        passes += 1
        if passes == 20 and spare:
            # pid by pid loses a race with a fork loop (kill(-1) does not):
            # give up the servers; later judges start fresh ones
            log("processes outlive 20 passes: stopping the servers")
            forget_forkserver(kill=True)
            forget_judgeserver(kill=True)
        if time.monotonic() > end:
            log("processes survive SIGKILL: %s" % left)
            return False
        time.sleep(0.005)


def oom_kills():
    for path, key in (("/sys/fs/cgroup/memory.events", "oom_kill"),
                      ("/sys/fs/cgroup/memory/memory.oom_control", "oom_kill")):
        try:
            with open(path) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) == 2 and parts[0] == key:
                        return int(parts[1])
        except OSError:
            continue
    return None


_libc = ctypes.CDLL(None, use_errno=True)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def _capset(caps):
    mask = 0
    for c in caps:
        mask |= 1 << c
    hdr = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)(_CapData(mask, mask, 0), _CapData(0, 0, 0))
    if _libc.capset(ctypes.byref(hdr), data) != 0:
        e = ctypes.get_errno()
        raise OSError(e, "capset: " + os.strerror(e))


def _cap_eff():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("CapEff:"):
                return int(line.split()[1], 16)
    return None


def drop_identity(identity):
    """In a child, before it runs anything: become the candidate or the judge.

    Raises on any doubt; the caller turns that into a spawn error (ours)."""
    uid = IDENTITIES[identity]
    if os.getuid() != 0:
        # an agent started without privileges cannot separate anything
        raise OSError(1, "agent is not uid 0: cannot drop to %s" % identity)
    keep = identity == "judge"
    if keep and _libc.prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_KEEPCAPS)")
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if keep:
        _capset(JUDGE_CAPS)
        _libc.prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0)
    want = sum(1 << c for c in JUDGE_CAPS) if keep else 0
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (uid, uid, uid) \
            or os.getgroups() or _cap_eff() != want:
        raise OSError(1, "identity %s not reached" % identity)


# Syscall numbers that create IPC objects outliving their process, per arch.
_IPC_SYSCALLS = {
    "x86_64": (0xC000003E, {"mq_open": 240, "shmget": 29, "semget": 64, "msgget": 68}),
    "aarch64": (0xC00000B7, {"mq_open": 180, "shmget": 194, "semget": 190, "msgget": 186}),
}
# What reset cannot list (gVisor mounts no /dev/mqueue and has no /proc/sysvipc):
# set at start; such objects are then refused to every child (seccomp).
UNLISTABLE = []


def _deny_filter(names):
    """A seccomp program: EPERM for `names`, and for any other syscall ABI."""
    import platform
    arch, nrs = _IPC_SYSCALLS[platform.machine()]
    ins = [(0x20, 0, 0, 4),                          # ld arch
           (0x15, 0, 3 + len(names), arch),          # foreign ABI -> deny
           (0x20, 0, 0, 0),                          # ld nr
           (0x35, 1 + len(names), 0, 0x40000000)]    # x32 -> deny
    for i, n in enumerate(names):
        ins.append((0x15, len(names) - i, 0, nrs[n]))  # jeq -> deny
    ins += [(0x06, 0, 0, 0x7FFF0000),                # allow
            (0x06, 0, 0, 0x00050000 | 1)]            # errno EPERM
    return ins


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8),
                ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(_SockFilter))]


def deny_unlistable():
    if not UNLISTABLE:
        return
    ins = _deny_filter(UNLISTABLE)
    arr = (_SockFilter * len(ins))(*[_SockFilter(*i) for i in ins])
    prog = _SockFprog(len(ins), arr)
    # PR_SET_SECCOMP, SECCOMP_MODE_FILTER (no_new_privs is set for the container)
    if _libc.prctl(22, 2, ctypes.byref(prog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "seccomp filter")


def child_setup(limits, identity="candidate"):
    def setup():
        try:
            with open("/proc/self/oom_score_adj", "w") as f:
                f.write("1000")
        except OSError:
            pass
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        cpu_ms = limits.get("cpu_ms")
        if cpu_ms:
            sec = max(1, (int(cpu_ms) + 999) // 1000)
            # hard limit a second later: SIGXCPU first, then SIGKILL
            resource.setrlimit(resource.RLIMIT_CPU, (sec, sec + 1))
        mem = limits.get("address_space_bytes")
        if mem:
            resource.setrlimit(resource.RLIMIT_AS, (int(mem), int(mem)))
        fsize = limits.get("file_size_bytes")
        if fsize:
            resource.setrlimit(resource.RLIMIT_FSIZE, (int(fsize), int(fsize)))
        stack = limits.get("stack_bytes")
        if stack:
            resource.setrlimit(resource.RLIMIT_STACK, (int(stack), int(stack)))
        deny_unlistable()
        drop_identity(identity)
    return setup


_compiled = {}


def compiled(path, with_key=False):
    """Compiled code of a trusted script, cached by content for the container's
    life (with its content hash when asked)."""
    with open(path, "rb") as f:
        src = f.read()
    key = hashlib.sha256(src).digest()
    code = _compiled.get(key)
    if code is None:
        if len(_compiled) >= 16:
            _compiled.clear()
        code = _compiled[key] = compile(src, path, "exec")
    return (key.hex(), code) if with_key else code


LAUNCHER = "/opt/verdict/launch"
# Set at start: exec'd programs go through the launcher (verdict_launch.c)
# instead of a Python preexec_fn, ~10-15 ms less per spawn. Not when a child
# also needs the seccomp filter of deny_unlistable (gVisor), which only the
# Python set-up installs, nor when the agent cannot change identities.
USE_LAUNCHER = False
# Set at start: judges that ask may have candidates forked by the fork server
# (uid changes possible, the server's file present).
USE_FORKSERVER = False


def launch_argv(argv, limits, identity, status_fd):
    """child_setup's steps as launcher options, in the same order."""
    a = [LAUNCHER, "--status-fd", str(status_fd), "--oom", "1000",
         "--rlimit", "%d:0:0" % resource.RLIMIT_CORE]
    cpu_ms = limits.get("cpu_ms")
    if cpu_ms:
        sec = max(1, (int(cpu_ms) + 999) // 1000)
        a += ["--rlimit", "%d:%d:%d" % (resource.RLIMIT_CPU, sec, sec + 1)]
    for key, res in (("address_space_bytes", resource.RLIMIT_AS),
                     ("file_size_bytes", resource.RLIMIT_FSIZE),
                     ("stack_bytes", resource.RLIMIT_STACK)):
        v = limits.get(key)
        if v:
            a += ["--rlimit", "%d:%d:%d" % (res, int(v), int(v))]
    uid = IDENTITIES[identity]
    # exec drops a judge's capabilities anyway (no file or ambient capabilities):
    # the launcher checks that the program starts with none
    a += ["--ids", "%d:%d" % (uid, uid), "--"]
    return a + list(argv)


def launch(argv, cwd, env, stdin_r, limits, identity):
    """Popen of the launcher (no preexec_fn: Python may vfork); the set-up's
    verdict arrives on a status pipe that closes when the program is exec'd."""
    st_r, st_w = os.pipe()
    try:
        proc = subprocess.Popen(
            launch_argv(argv, limits, identity, st_w), cwd=cwd, env=env, stdin=stdin_r,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, close_fds=True,
            pass_fds=(st_w,), start_new_session=True)
    except BaseException:
        os.close(st_r)
        raise
    finally:
        os.close(st_w)
    try:
        _await_spawn(proc.pid, st_r)
    except OSError:
        proc.stdout.close()
        proc.stderr.close()
        proc.returncode = 0
        raise
    return proc


class SpawnError(OSError):
    """A child whose set-up (identity, limits) or exec failed: reported, never run."""


def _spawn_status():
    """A close-on-exec pipe a forked child reports a failed set-up on."""
    return os.pipe2(os.O_CLOEXEC)


def _await_spawn(pid, st_r):
    """The child's set-up verdict: EOF = it got through (closed or exec'd)."""
    msg = b""
    while True:
        chunk = os.read(st_r, 4096)
        if not chunk:
            break
        msg += chunk
    os.close(st_r)
    if msg:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        raise SpawnError("child set-up failed: " + msg.decode("utf-8", "replace"))


def _report_spawn_failure(st_w, e):
    try:
        os.write(st_w, ("%s: %s" % (type(e).__name__, e)).encode()[:4000] or b"?")
    except BaseException:
        pass
    os._exit(127)


# ---------------------------------------------------------------- fork server

FORKSERVER_PATH = "/opt/verdict/forkserver.py"
FORKSERVER_NAME = "\0verdict-forkserver"  # abstract: the container's own namespace
_FORKSERVER_BOOT = (
    "g={'__name__':'verdict_forkserver'}\n"
    "exec(compile(open(%r,'rb').read(),%r,'exec'),g)\n"
    "g['main']()\n" % (FORKSERVER_PATH, FORKSERVER_PATH))
PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE = 47, 2
# {"pid", "start", "env", "ready_fd", "ready"} of the running fork server, or None
FORKSERVER = None
FORKSERVER_STARTS = 0


def _stat_of(pid):
    """(state, start time, real/effective/saved uids) of a live pid, or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        with open("/proc/%d/status" % pid) as f:
            uids = next(line.split()[1:4] for line in f if line.startswith("Uid:"))
    except (OSError, StopIteration, IndexError):
        return None
    return fields[0], fields[19], tuple(int(u) for u in uids)


def forkserver_pid():
    """The fork server's pid while it is the very process we started (same
    start time, its own uid, not a zombie); else None, and it is forgotten."""
    if FORKSERVER is None:
        return None
    if not _intact(FORKSERVER, FORKSERVER_UID):
        forget_forkserver()
        return None
    return FORKSERVER["pid"]


def _intact(server, uid):
    """The server we started still runs: same pid and start time, its uid, not a zombie."""
    st = _stat_of(server["pid"])
    return st is not None and st[0] not in ("Z", "X") and st[1] == server["start"] and st[2] == (uid,) * 3


def forget_forkserver(kill=False):
    """Stop trusting the fork server; kill it only when the pid is surely its."""
    global FORKSERVER
    fs, FORKSERVER = FORKSERVER, None
    if fs is None:
        return
    if kill:
        try:
            os.kill(fs["pid"], signal.SIGKILL)
        except OSError:
            pass
    if fs["ready_fd"] is not None:
        os.close(fs["ready_fd"])


def _forkserver_setup():
    """preexec of the fork server: no core, the IPC filter, its uid with
    FORKSERVER_CAPS as ambient capabilities (a non-root exec keeps only those)."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    deny_unlistable()
    if _libc.prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_KEEPCAPS)")
    os.setgroups([])
    os.setresgid(FORKSERVER_UID, FORKSERVER_UID, FORKSERVER_UID)
    os.setresuid(FORKSERVER_UID, FORKSERVER_UID, FORKSERVER_UID)
    mask = sum(1 << c for c in FORKSERVER_CAPS)
    hdr = _CapHeader(0x20080522, 0)
    data = (_CapData * 2)(_CapData(mask, mask, mask), _CapData(0, 0, 0))
    if _libc.capset(ctypes.byref(hdr), data) != 0:
        raise OSError(ctypes.get_errno(), "capset")
    for c in FORKSERVER_CAPS:
        if _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "ambient capability %d" % c)
    _libc.prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0)


def start_forkserver(env):
    """A fresh interpreter (never a fork of this one: our heap has held
    specs and hidden tests), started with the judge's environment so what it
    forks matches the interpreter a judge would exec. Ready when it closes
    its stdout, after it listens."""
    global FORKSERVER
    ready_r, ready_w = os.pipe()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-c", _FORKSERVER_BOOT], cwd="/", env=env,
            # its stderr is ours (the service's debug log); a child's is /dev/null
            stdin=subprocess.DEVNULL, stdout=ready_w, stderr=None,
            close_fds=True, start_new_session=True, preexec_fn=_forkserver_setup)
    except (OSError, subprocess.SubprocessError) as e:
        # e.g. no ambient capabilities (gVisor): judges spawn their candidates
        global USE_FORKSERVER
        USE_FORKSERVER = False
        os.close(ready_r)
        log("fork server cannot start, not trying again: %s" % (e,))
        return
    finally:
        os.close(ready_w)
    proc.returncode = 0  # our waitpid loops reap it; Popen must not
    st = _stat_of(proc.pid)
    if st is None:
        os.close(ready_r)
        return
    os.set_blocking(ready_r, False)
    FORKSERVER = {"pid": proc.pid, "start": st[1], "env": dict(env), "ready_fd": ready_r,
                  "ready": False}


def forkserver_for(env):
    """What a judge needs to use the fork server, when it is ready and was
    started with this environment; starts one when there is none."""
    if not USE_FORKSERVER:
        return None
    global FORKSERVER_STARTS
    pid = forkserver_pid()
    if pid is None:
        if FORKSERVER_STARTS < 8:  # one that keeps dying is not worth its start-up
            FORKSERVER_STARTS += 1
            start_forkserver(env)
        return None
    fs = FORKSERVER
    if not fs["ready"]:
        try:
            if os.read(fs["ready_fd"], 1) != b"":
                return None
        except BlockingIOError:
            return None
        os.close(fs["ready_fd"])
        fs["ready_fd"] = None
        fs["ready"] = True
    if _startup_env(fs["env"]) != _startup_env(env):
        return None  # a child takes the rest of the environment from its request
    return {"name": FORKSERVER_NAME, "pid": pid, "uid": FORKSERVER_UID,
            "env": dict(env), "python": sys.executable}


def fork_python(argv, cwd, env, limits, stdin_r, identity="candidate", forkserver=None):
    """Run `python3 [-I] script args...` in a fork of this interpreter.

    Skips interpreter start-up and the imports the agent already holds, which
    is most of a short grade's cost. Only for trusted scripts (graders'
    harnesses): the child starts as a copy of the agent. Code under test must
    still be exec'd fresh by that script.
    """
    args = python_args(argv)
    script = compiled(os.path.join(cwd, args[0]))
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    st_r, st_w = _spawn_status()
    pid = os.fork()
    if pid == 0:  # child: never return from here
        code = 1
        st = st_w
        try:
            try:
                os.setsid()
                signal.signal(signal.SIGINT, signal.default_int_handler)
                for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2,
                            signal.SIGQUIT, signal.SIGALRM):
                    signal.signal(sig, signal.SIG_DFL)
                os.dup2(stdin_r, 0)
                os.dup2(out_w, 1)
                os.dup2(err_w, 2)
                st = fcntl.fcntl(st_w, fcntl.F_DUPFD_CLOEXEC, 3)
                os.closerange(3, st)
                os.closerange(st + 1, 1 << 16)
                os.chdir(cwd)
                child_setup(limits, identity)()
            except BaseException as e:
                _report_spawn_failure(st, e)
            os.close(st)
            os.environ.clear()
            os.environ.update(env)
            sys.stdin = open(0, "r", closefd=False)
            sys.stdout = open(1, "w", closefd=False)
            sys.stderr = open(2, "w", closefd=False, buffering=1)
            sys.argv = args
            import builtins
            g = {"__name__": "__main__", "__file__": args[0], "__builtins__": builtins,
                 # the script may hand its compiled form on (e.g. to a fresh interpreter)
                 "__verdict_code__": script}
            if identity == "judge":
                # the uid a judge must start code under test as (it holds CAP_SETUID for that)
                g["__verdict_candidate_uid__"] = CANDIDATE_UID
                if forkserver is not None:
                    g["__verdict_forkserver__"] = forkserver
            try:
                exec(script, g)
                code = 0
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
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
            os._exit(code)
    os.close(out_w)
    os.close(err_w)
    os.close(st_w)
    try:
        _await_spawn(pid, st_r)
    except OSError:
        os.close(out_r)
        os.close(err_r)
        raise
    return pid, out_r, err_r


def _rlimits_of(limits):
    """child_setup's rlimits as {resource: [soft, hard]} for the fork server."""
    r = {resource.RLIMIT_CORE: [0, 0]}
    cpu_ms = limits.get("cpu_ms")
    if cpu_ms:
        sec = max(1, (int(cpu_ms) + 999) // 1000)
        r[resource.RLIMIT_CPU] = [sec, sec + 1]
    for key, res in (("address_space_bytes", resource.RLIMIT_AS),
                     ("file_size_bytes", resource.RLIMIT_FSIZE),
                     ("stack_bytes", resource.RLIMIT_STACK)):
        v = limits.get(key)
        if v:
            r[res] = [int(v), int(v)]
    return r


# What an interpreter reads from its environment at start-up: a fork of the
# fork server has the values it started with, so those must match the step's.
def _startup_env(env):
    return {k: v for k, v in env.items() if k.startswith("PYTHON") or k in ("LANG", "LANGUAGE", "TZ") or k.startswith("LC_")}


def _zygote_script(path):
    """The script's source when only a trusted step can have put it there:
    a regular file owned by the judge uid and writable by nobody else (code
    under test can neither write nor replace it with one of its own). It
    runs in the fork server's own interpreter before any fork."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != JUDGE_UID or st.st_mode & 0o022:
            return None
        with open(fd, "rb", closefd=False) as f:
            return f.read()
    finally:
        os.close(fd)


def _recv_frame(sock):
    """One u32-length frame from the fork server (blocking)."""
    def exact(n):
        buf = b""
        while len(buf) < n:
            chunk = sock.recv(n - len(buf))
            if not chunk:
                raise OSError(32, "fork server closed the connection")
            buf += chunk
        return buf
    n = struct.unpack(">I", exact(4))[0]
    if n > 1 << 20:
        raise OSError(71, "fork server frame too large")
    return json.loads(exact(n))


def zygote_run(argv, cwd, env, limits, identity, stdin_r):
    """Run `python3 -I script args` (code under test inside it) as a fork of
    the fork server, a fresh interpreter that holds no grade's data and has
    run the script's module body and preloads once: the step's interpreter
    start-up and imports cost a fork. None when it cannot (no server ready
    with this start-up environment, not the candidate, a script we cannot
    trust): the caller starts `python3` as usual.
    Returns (pid, stdout_r, stderr_r, socket the wait status arrives on)."""
    if identity != "candidate" or not USE_FORKSERVER:
        return None
    fs = forkserver_pid() is not None and FORKSERVER["ready"] and FORKSERVER
    if not fs:
        forkserver_for(env)  # starts one, or notices it is ready, for the next step
        fs = forkserver_pid() is not None and FORKSERVER["ready"] and FORKSERVER
        if not fs:
            return None
    if _startup_env(fs["env"]) != _startup_env(env):
        return None
    args = python_args(argv)
    src = _zygote_script(os.path.join(cwd, args[0]))
    if src is None:
        return None
    import socket
    sha = hashlib.sha256(src).hexdigest()
    req = {"op": "run", "sha": sha, "argv": args, "env": env, "cwd": cwd,
           "uid": IDENTITIES[identity], "rlimits": _rlimits_of(limits)}
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    st_r, st_w = _spawn_status()
    try:
        sock.settimeout(30)
        sock.connect(FORKSERVER_NAME)
        body = json.dumps(req).encode()
        socket.send_fds(sock, [struct.pack(">I", len(body)) + body], [stdin_r, out_w, err_w, st_w])
        os.close(out_w)
        os.close(err_w)
        os.close(st_w)
        out_w = err_w = st_w = None
        reply = _recv_frame(sock)
        if reply.get("need") == "code":
            sock.sendall(struct.pack(">I", len(src)) + src)
            reply = _recv_frame(sock)
        if "pid" not in reply:
            raise ZygoteRefused("fork server: %s" % (reply.get("error") or reply,))
        pid = int(reply["pid"])
        _await_zygote(st_r)
        st_r = None
    except BaseException:
        for fd in (out_r, err_r, out_w, err_w, st_r, st_w):
            if fd is not None:
                os.close(fd)
        sock.close()  # the server kills what it forked for us
        raise
    sock.settimeout(None)
    return pid, out_r, err_r, sock


class ZygoteRefused(Exception):
    """The fork server would not run this script (it failed to load there):
    the step runs the usual way, and the server stays."""


def _await_zygote(st_r):
    """The forked child's set-up verdict: EOF = set up, text = why not."""
    msg = b""
    try:
        while True:
            chunk = os.read(st_r, 4096)
            if not chunk:
                break
            msg += chunk
    finally:
        os.close(st_r)
    if msg:
        raise SpawnError("child set-up failed: " + msg.decode("utf-8", "replace"))


# ---------------------------------------------------------------- judge server

# A judge step that asks (judge_server) is served by one long-lived judge
# process per container instead of a fresh fork of the agent per grade. On
# this kind of machine every page a new process touches costs a fault
# (~20-30 us), so a fork per grade costs the judge ~45 ms and the agent
# (copy-on-write in the parent while the child lives) ~20 ms; the judge
# server pays its start-up once. It is a fork of the agent (as every judge
# is), as the judge uid with JUDGE_CAPS, in its own session, non-dumpable;
# it is reached only through a socketpair, runs the script's module body
# once and then `__verdict_main__(argv)` per grade with the grade's pipes as
# fds 0-2, and puts its process state back after each: fds, cwd, environment,
# signal handlers, timers, sys.path, std streams. The script itself starts
# each grade from fresh module state (the harness's _begin_grade). Reset and
# the exec clean-up spare it while intact (pid, start time, uid); a grade
# that times out or floods output kills it, and a server that looks changed
# after a grade (rlimits, identity) or has served JUDGESERVER_MAX_GRADES
# exits after replying.
JUDGESERVER = None
JUDGESERVER_MAX_GRADES = 500
JUDGESERVER_MAX_RSS_KB = 256 * 1024
USE_JUDGESERVER = False


def judgeserver_pid():
    """The judge server's pid while it is the process we started; else None."""
    if JUDGESERVER is None:
        return None
    if not _intact(JUDGESERVER, JUDGE_UID):
        forget_judgeserver()
        return None
    return JUDGESERVER["pid"]


def forget_judgeserver(kill=False):
    global JUDGESERVER
    js, JUDGESERVER = JUDGESERVER, None
    if js is None:
        return
    if kill:
        try:
            os.kill(js["pid"], signal.SIGKILL)
        except OSError:
            pass
    js["sock"].close()


def _judgeserver_loop(sock, g, base):
    """In the judge server: serve grades until the agent hangs up."""
    import socket
    import traceback
    grades = 0
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(sock, 1 << 16, 3)
        except OSError:
            os._exit(0)
        if not msg or len(fds) != 3:
            os._exit(0)
        req = json.loads(msg)
        t0 = time.process_time()
        for i, fd in enumerate(fds):
            os.dup2(fd, i)
            os.close(fd)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the grade waits for its own children
        code = 1
        try:
            os.chdir(req["cwd"])
            args = req["args"]
            sys.argv = list(args)
            sys.stdin = open(0, "r", closefd=False)
            sys.stdout = open(1, "w", closefd=False)
            sys.stderr = open(2, "w", closefd=False, buffering=1)
            g["__verdict_candidate_uid__"] = CANDIDATE_UID
            g.pop("__verdict_forkserver__", None)
            if req.get("forkserver") is not None:
                g["__verdict_forkserver__"] = req["forkserver"]
            try:
                r = g["__verdict_main__"](args)
                code = r if isinstance(r, int) else 0
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
            except BaseException:
                traceback.print_exc()
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            except BaseException:
                pass
        except BaseException:
            pass
        clean = _judgeserver_restore(base)
        grades += 1
        ru = resource.getrusage(resource.RUSAGE_SELF)
        done = not clean or grades >= JUDGESERVER_MAX_GRADES or ru.ru_maxrss > JUDGESERVER_MAX_RSS_KB
        reply = {"code": code, "cpu_ms": round((time.process_time() - t0) * 1000, 3),
                 "max_rss_kb": ru.ru_maxrss, "retiring": done}
        try:
            sock.sendall(json.dumps(reply).encode())
        except OSError:
            os._exit(0)
        if done:
            os._exit(0)


def _only_fd(keep):
    """fds 0-2 on /dev/null, every other descriptor but `keep` closed."""
    null = os.open(os.devnull, os.O_RDWR)
    for i in range(3):
        os.dup2(null, i)
    lo, hi = sorted((null, keep))
    os.closerange(3, lo)
    os.closerange(lo + 1, hi)
    os.closerange(hi + 1, 1 << 16)
    os.close(null)


def _judgeserver_restore(base):
    """After a grade: nothing of it stays in the judge server's process state.
    False when something cannot be put back (then the server retires)."""
    ok = True
    _only_fd(base["sock_fd"])  # the grade's pipes close: the agent sees their end
    sys.stdin, sys.stdout, sys.stderr = base["streams"]
    for sig, h in base["signals"].items():
        try:
            signal.signal(sig, h)
        except (OSError, ValueError, TypeError):
            ok = False
    for which in (signal.ITIMER_REAL, signal.ITIMER_VIRTUAL, signal.ITIMER_PROF):
        signal.setitimer(which, 0)
    os.environ.clear()
    os.environ.update(base["env"])
    sys.path[:] = base["path"]
    sys.setrecursionlimit(base["recursion"])
    os.umask(base["umask"])
    os.chdir("/")
    # children the grade left (re-parented here: the harness is a subreaper) are reaped as they die
    signal.signal(signal.SIGCHLD, lambda *_: reap())
    reap()
    now = own_state()
    if now["rlimits"] != base["state"]["rlimits"] or now["ids"] != base["state"]["ids"] \
            or now["nice"] != base["state"]["nice"] or now["affinity"] != base["state"]["affinity"]:
        ok = False
    return ok


def start_judgeserver(key, script, name, cwd, env, limits):
    """Fork the judge server: the judge's identity and limits, the script's
    module body run once. Its readiness is its first reply; a body that fails
    shows as a server that hangs up."""
    import socket
    global JUDGESERVER
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    pid = os.fork()
    if pid == 0:
        try:
            a.close()
            os.setsid()
            signal.signal(signal.SIGINT, signal.default_int_handler)
            for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2,
                        signal.SIGQUIT, signal.SIGALRM):
                signal.signal(sig, signal.SIG_DFL)
            _only_fd(b.fileno())
            os.chdir(cwd)
            child_setup(limits, "judge")()
            _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)  # as the harness's harden(), before any grade
            os.environ.clear()
            os.environ.update(env)
            sys.stdin = open(0, "r", closefd=False)
            sys.stdout = open(1, "w", closefd=False)
            sys.stderr = open(2, "w", closefd=False)
            import builtins
            g = {"__name__": "verdict_judge_server", "__file__": name, "__builtins__": builtins,
                 "__verdict_code__": script}
            exec(script, g)
            if not callable(g.get("__verdict_main__")):
                os._exit(3)
            os.chdir("/")
            import gc
            gc.collect()
            gc.freeze()  # what the body built is never collected again: no faults on its pages
            base = {"sock_fd": b.fileno(), "env": dict(os.environ), "path": list(sys.path),
                    "streams": (sys.stdin, sys.stdout, sys.stderr), "umask": os.umask(0o022),
                    "recursion": sys.getrecursionlimit(), "state": own_state(),
                    "signals": {sig: signal.getsignal(sig) for sig in signal.valid_signals()
                                if sig not in (signal.SIGKILL, signal.SIGSTOP)
                                and signal.getsignal(sig) is not None}}
            os.umask(base["umask"])
            _judgeserver_loop(b, g, base)
        finally:
            os._exit(1)
    b.close()
    st = _stat_of(pid)
    if st is None:
        a.close()
        return None
    JUDGESERVER = {"pid": pid, "start": st[1], "key": key, "sock": a}
    return JUDGESERVER


def judgeserver_for(argv, cwd, env, limits):
    """The judge server for this script, environment and limits, started
    when there is none (or another's): None when it cannot serve this step."""
    if not USE_JUDGESERVER or limits.get("cpu_ms"):
        return None  # RLIMIT_CPU would add up over grades
    args = python_args(argv)
    sha, script = compiled(os.path.join(cwd, args[0]), with_key=True)
    key = json.dumps([sha, args[0], cwd, env,
                      {k: v for k, v in limits.items() if k not in ("wall_ms", "capture_bytes", "output_bytes")}],
                     sort_keys=True)
    if judgeserver_pid() is not None and JUDGESERVER["key"] == key:
        return JUDGESERVER
    forget_judgeserver(kill=True)
    return start_judgeserver(key, script, args[0], cwd, env, limits)


def serve_by_judgeserver(js, argv, cwd, stdin_r, forkserver):
    """Hand one grade to the judge server: its pipes, argv and fork server."""
    import socket
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    req = {"cwd": cwd, "args": python_args(argv), "forkserver": forkserver}
    try:
        socket.send_fds(js["sock"], [json.dumps(req).encode()], [stdin_r, out_w, err_w])
    except OSError:
        os.close(out_r)
        os.close(err_r)
        forget_judgeserver(kill=True)
        raise
    finally:
        os.close(out_w)
        os.close(err_w)
    return out_r, err_r


def python_args(argv):
    """`python3 [-I] script args...` -> [script, args...]"""
    args = list(argv[1:])
    while args and args[0] == "-I":
        args.pop(0)
    if not args or args[0].startswith("-"):
        raise OSError(22, "python_fork takes: python3 [-I] script [args...]")
    return args


def feed_stdin(fd, data):
    try:
        view = memoryview(data)
        while view:
            n = os.write(fd, view[:65536])
            view = view[n:]
    except OSError:
        pass  # the program closed its stdin or died: not our failure
    finally:
        try:
            os.close(fd)
        except OSError:
            pass


def do_exec(req, blob):
    argv = req["argv"]
    env = dict(DEFAULT_ENV)
    env.update(req.get("env") or {})
    cwd = os.path.join(WORK, req.get("cwd") or ".")
    limits = req.get("limits") or {}
    identity = req.get("identity") or "candidate"
    if identity not in IDENTITIES:
        raise ValueError("unknown identity %r" % (identity,))
    wall_ms = int(limits.get("wall_ms") or 10000)
    capture = int(limits.get("capture_bytes") or 1 << 20)
    out_limit = limits.get("output_bytes")
    out_limit = int(out_limit) if out_limit else None

    oom_before = oom_kills()
    ru_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    stdin_r, stdin_w = os.pipe()
    served = None  # the judge server running this step, when one does
    zygote = None  # the fork server's connection, when it forked this step
    try:
        run = None
        if req.get("zygote"):
            try:
                run = zygote_run(argv, cwd, env, limits, identity, stdin_r)
            except SpawnError:
                raise
            except ZygoteRefused as e:
                log("zygote run refused, spawning instead: %s" % (e,))
            except OSError as e:  # the server, not the step: start it the usual way
                log("zygote run failed, spawning instead: %s" % (e,))
                forget_forkserver(kill=True)
        if run is not None:
            pid, out_fd, err_fd, zygote = run
        elif req.get("python_fork"):
            fs = forkserver_for(env) if req.get("fork_server") and identity == "judge" else None
            js = judgeserver_for(argv, cwd, env, limits) if req.get("judge_server") and identity == "judge" else None
            if js is not None:
                out_fd, err_fd = serve_by_judgeserver(js, argv, cwd, stdin_r, fs)
                served, pid = js, js["pid"]
            else:
                pid, out_fd, err_fd = fork_python(argv, cwd, env, limits, stdin_r, identity, fs)
        else:
            if USE_LAUNCHER:
                proc = launch(argv, cwd, env, stdin_r, limits, identity)
            else:
                proc = subprocess.Popen(
                    argv, cwd=cwd, env=env, stdin=stdin_r, stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE, close_fds=True, start_new_session=True,
                    preexec_fn=child_setup(limits, identity))
            pid = proc.pid
            # we reap it ourselves (wait4 for its rusage); Popen must not
            out_fd, err_fd = os.dup(proc.stdout.fileno()), os.dup(proc.stderr.fileno())
            proc.stdout.close()
            proc.stderr.close()
            proc.returncode = 0
    except (OSError, subprocess.SubprocessError) as e:
        # a program name that does not exist, or a set-up (identity, limits) that failed
        os.close(stdin_r)
        os.close(stdin_w)
        return {"ok": True, "spawn_error": "%s: %s" % (type(e).__name__, e),
                "exit_code": None, "signal": None, "wall_ms": 0, "cpu_ms": 0,
                "timed_out": False, "output_limit_exceeded": False,
                "oom_killed": False, "max_rss_kb": 0, "stdout_len": 0,
                "stderr_len": 0, "stdout_truncated": False,
                "stderr_truncated": False}, b""
    os.close(stdin_r)
    writer = threading.Thread(target=feed_stdin, args=(stdin_w, blob), daemon=True)
    writer.start()

    bufs = {out_fd: bytearray(), err_fd: bytearray()}
    truncated = {fd: False for fd in bufs}
    total = 0
    timed_out = False
    output_exceeded = False
    sel = selectors.DefaultSelector()
    for fd in bufs:
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ)
    # A pidfd wakes us the moment the program exits, even while something it
    # left behind still holds its pipes open; a judge server's reply, when
    # its grade is done.
    pidfd = None
    served_fd = None
    reply = None
    if served is not None:
        served_fd = served["sock"].fileno()
        sel.register(served_fd, selectors.EVENT_READ)
    elif zygote is not None:
        served_fd = zygote.fileno()
        sel.register(served_fd, selectors.EVENT_READ)
    else:
        try:
            pidfd = os.pidfd_open(pid)
            sel.register(pidfd, selectors.EVENT_READ)
        except (AttributeError, OSError):
            pidfd = None
    deadline = start + wall_ms / 1000.0
    status = None
    rusage = None
    killed = False
    lost = None  # why the step's outcome cannot be known (an infrastructure failure)

    def stop():
        # the grade must die: a judge server running it goes with it
        if served is not None and judgeserver_pid() == pid:
            forget_judgeserver(kill=True)
        signal_everything()

    def drain(fd):
        nonlocal total
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return True
        except OSError:
            chunk = b""
        if not chunk:
            sel.unregister(fd)
            return False
        total += len(chunk)
        buf = bufs[fd]
        room = capture - len(buf)
        if room > 0:
            buf += chunk[:room]
        if len(chunk) > max(room, 0):
            truncated[fd] = True
        return True

    while status is None:
        now = time.monotonic()
        if now >= deadline and not killed:
            timed_out = True
            stop()
            killed = True
        timeout = max(0.0, min(deadline - now, 0.05)) if not killed else 0.05
        if pidfd is None and len(sel.get_map()) < 2:
            timeout = min(timeout, 0.002)  # no pidfd: poll for the exit
        if sel.get_map():
            for key, _ in sel.select(timeout):
                if key.fd == served_fd and zygote is not None:
                    sel.unregister(served_fd)
                    try:
                        reply = _recv_frame(zygote)
                        status = int(reply["status"])
                    except (OSError, ValueError, KeyError, TypeError):
                        # the fork server died mid-step (its child with it): not the program's doing
                        lost = "the fork server went away during the step"
                        signal_everything()
                        killed = True
                        status = 0
                elif key.fd == served_fd:
                    sel.unregister(served_fd)
                    try:
                        data = served["sock"].recv(65536)
                    except OSError:
                        data = b""
                    if data:
                        reply = json.loads(data)
                        status = (int(reply.get("code") or 0) & 0xFF) << 8
                        if reply.get("retiring"):
                            forget_judgeserver()
                    # else it died mid-grade: its wait status comes from the reap below
                elif key.fd != pidfd:
                    drain(key.fd)
        else:
            time.sleep(timeout)
        if out_limit is not None and total > out_limit and not killed:
            output_exceeded = True
            stop()
            killed = True
        # Reap everything (orphans are ours to reap as PID 1), keep the main one.
        while True:
            try:
                got, st, ru = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if got == 0:
                break
            if got == pid and reply is None:
                status, rusage = st, ru
    wall = time.monotonic() - start
    if pidfd is not None:
        sel.unregister(pidfd)
        os.close(pidfd)
    if served_fd is not None and served_fd in sel.get_map():
        sel.unregister(served_fd)
    if zygote is not None:
        zygote.close()
    # The program is gone; anything it left running goes with it.
    kill_everything()
    for key in list(sel.get_map().values()):
        while drain(key.fd):
            pass
    sel.close()
    writer.join(timeout=1.0)
    ru_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (ru_after.ru_utime - ru_before.ru_utime) + (ru_after.ru_stime - ru_before.ru_stime)
    if reply is not None:
        cpu += float(reply.get("cpu_ms") or 0) / 1000
    oom_after = oom_kills()
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    os.close(out_fd)
    os.close(err_fd)
    if lost is not None:
        return {"ok": False, "error": lost}, b""
    cpu_ms = limits.get("cpu_ms")
    out = bytes(bufs[out_fd])
    err = bytes(bufs[err_fd])
    res = {
        "ok": True,
        "exit_code": code,
        "signal": sig,
        "wall_ms": round(wall * 1000, 3),
        "cpu_ms": round(cpu * 1000, 3),
        "max_rss_kb": rusage.ru_maxrss if rusage else int(reply.get("max_rss_kb") or 0) if reply else 0,
        "timed_out": timed_out,
        "cpu_limit_exceeded": bool(cpu_ms) and (sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu * 1000 >= int(cpu_ms))),
        "output_limit_exceeded": output_exceeded,
        "oom_killed": oom_before is not None and oom_after is not None and oom_after > oom_before,
        "output_bytes": total,
        "stdout_len": len(out),
        "stderr_len": len(err),
        "stdout_truncated": truncated[out_fd],
        "stderr_truncated": truncated[err_fd],
    }
    return res, out + err


# ---------------------------------------------------------------- pairs

def spawn_member(spec, fds, env, python_fork):
    """Fork one member of a pair with `fds` (target -> source) as its descriptors."""
    identity = spec.get("identity") or "candidate"
    if identity not in IDENTITIES:
        raise ValueError("unknown identity %r" % (identity,))
    argv = spec["argv"]
    cwd = os.path.join(WORK, spec.get("cwd") or ".")
    limits = spec.get("limits") or {}
    script = None
    if python_fork:
        args = python_args(argv)
        script = compiled(os.path.join(cwd, args[0]))
    elif spec.get("exec_only"):
        # An executable the program cannot read runs non-dumpable: no ptrace,
        # no /proc/<pid>/fd or mem access from the program beside it.
        os.chmod(os.path.join(cwd, argv[0]), 0o111)
    st_r, st_w = _spawn_status()
    pid = os.fork()
    if pid != 0:
        os.close(st_w)
        _await_spawn(pid, st_r)
        return pid
    code = 127
    st = st_w
    try:
        try:
            os.setsid()
            for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2,
                        signal.SIGQUIT, signal.SIGALRM, signal.SIGPIPE, signal.SIGXFSZ):
                signal.signal(sig, signal.SIG_DFL)
            # move sources out of the way of the targets first
            moved = {t: fcntl.fcntl(src, fcntl.F_DUPFD, 100) for t, src in fds.items()}
            st = fcntl.fcntl(st_w, fcntl.F_DUPFD_CLOEXEC, 100)
            for t, src in moved.items():
                os.dup2(src, t)
            os.closerange(max(fds) + 1, st)
            os.closerange(st + 1, 1 << 16)
            os.chdir(cwd)
            child_setup(limits, identity)()
            if script is None:
                os.execvpe(argv[0], argv, env)  # success closes st (close-on-exec)
        except BaseException as e:
            _report_spawn_failure(st, e)
        os.close(st)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.environ.clear()
        os.environ.update(env)
        sys.stdin = open(0, "r", closefd=False)
        sys.stdout = open(1, "w", closefd=False)
        sys.stderr = open(2, "w", closefd=False, buffering=1)
        sys.argv = args
        import builtins
        g = {"__name__": "__main__", "__file__": args[0], "__builtins__": builtins}
        try:
            exec(script, g)
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except BaseException:
            import traceback
            traceback.print_exc()
            code = 1
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            pass
    except BaseException as e:
        try:
            os.write(2, ("spawn failed: %s: %s\n" % (type(e).__name__, e)).encode())
        except BaseException:
            pass
    finally:
        os._exit(code)


def do_pair(req, blob):
    """Run `main` and `peer` with main's stdout into peer's stdin and back.

    The peer gets `blob` (its secret input) as fd 3, a scratch file as fd 4
    (returned), both memfds the main program has no path to.
    """
    specs = {"main": req["main"], "peer": req["peer"]}
    envs = {}
    for k, sp in specs.items():
        e = dict(DEFAULT_ENV)
        e.update(sp.get("env") or {})
        envs[k] = e
    oom_before = oom_kills()
    to_peer_r, to_peer_w = os.pipe()
    to_main_r, to_main_w = os.pipe()
    main_err_r, main_err_w = os.pipe()
    peer_err_r, peer_err_w = os.pipe()
    secret = os.memfd_create("secret", 0)
    scratch = os.memfd_create("scratch", 0)
    feed_all(secret, blob)
    os.lseek(secret, 0, os.SEEK_SET)
    start = time.monotonic()
    pids = {}
    try:
        pids["peer"] = spawn_member(specs["peer"], {0: to_peer_r, 1: to_main_w, 2: peer_err_w, 3: secret, 4: scratch},
                                    envs["peer"], bool(specs["peer"].get("python_fork")))
        pids["main"] = spawn_member(specs["main"], {0: to_main_r, 1: to_peer_w, 2: main_err_w},
                                    envs["main"], False)
    finally:
        for fd in (to_peer_r, to_peer_w, to_main_r, to_main_w, main_err_w, peer_err_w, secret):
            os.close(fd)
    errs = {main_err_r: bytearray(), peer_err_r: bytearray()}
    caps = {main_err_r: int((specs["main"].get("limits") or {}).get("capture_bytes") or 1 << 20),
            peer_err_r: int((specs["peer"].get("limits") or {}).get("capture_bytes") or 1 << 20)}
    truncated = {fd: False for fd in errs}
    sel = selectors.DefaultSelector()
    for fd in errs:
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ)
    pidfds = []
    for pid in pids.values():
        try:
            pfd = os.pidfd_open(pid)
            sel.register(pfd, selectors.EVENT_READ)
            pidfds.append(pfd)
        except (AttributeError, OSError):
            pass
    deadlines = {k: start + int((specs[k].get("limits") or {}).get("wall_ms") or 10000) / 1000.0 for k in pids}
    status, rusage, ended, timed_out = {}, {}, {}, {k: False for k in pids}
    by_pid = {v: k for k, v in pids.items()}

    def drain(fd):
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return True
        except OSError:
            chunk = b""
        if not chunk:
            sel.unregister(fd)
            return False
        buf = errs[fd]
        room = caps[fd] - len(buf)
        if room > 0:
            buf += chunk[:room]
        if len(chunk) > max(room, 0):
            truncated[fd] = True
        return True

    while len(status) < 2:
        now = time.monotonic()
        for k, pid in pids.items():
            if k not in status and now >= deadlines[k] and not timed_out[k]:
                timed_out[k] = True
                for kill in (os.killpg, os.kill):
                    try:
                        kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
        if all(timed_out[k] or k in status for k in pids) and now >= max(deadlines.values()) + 2:
            signal_everything()  # something holds out past SIGKILL of its group
        waits = [deadlines[k] - now for k in pids if k not in status and not timed_out[k]]
        timeout = max(0.0, min(waits + [0.05]))
        if not pidfds:
            timeout = min(timeout, 0.002)
        for key, _ in sel.select(timeout):
            if key.fd in errs:
                drain(key.fd)
        while True:
            try:
                got, st, ru = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if got == 0:
                break
            k = by_pid.get(got)
            if k is not None:
                status[k], rusage[k], ended[k] = st, ru, time.monotonic()
    for pfd in pidfds:
        sel.unregister(pfd)
        os.close(pfd)
    kill_everything()
    for key in list(sel.get_map().values()):
        while drain(key.fd):
            pass
    sel.close()
    oom_after = oom_kills()
    os.lseek(scratch, 0, os.SEEK_SET)
    peer_cap = caps[peer_err_r]
    peer_out = b""
    while len(peer_out) < peer_cap:
        chunk = os.read(scratch, min(65536, peer_cap - len(peer_out)))
        if not chunk:
            break
        peer_out += chunk
    os.close(scratch)

    def summary(k, err_fd):
        st, ru = status[k], rusage[k]
        sig = os.WTERMSIG(st) if os.WIFSIGNALED(st) else None
        cpu = ru.ru_utime + ru.ru_stime
        cpu_ms = (specs[k].get("limits") or {}).get("cpu_ms")
        return {
            "exit_code": os.WEXITSTATUS(st) if os.WIFEXITED(st) else None,
            "signal": sig,
            "wall_ms": round((ended[k] - start) * 1000, 3),
            "cpu_ms": round(cpu * 1000, 3),
            "max_rss_kb": ru.ru_maxrss,
            "timed_out": timed_out[k],
            "cpu_limit_exceeded": bool(cpu_ms) and (sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu * 1000 >= int(cpu_ms))),
            "output_limit_exceeded": False,
            "oom_killed": k == "main" and oom_before is not None and oom_after is not None and oom_after > oom_before,
            "output_bytes": 0,
            "stderr_len": len(errs[err_fd]),
            "stderr_truncated": truncated[err_fd],
        }

    res = {"ok": True, "main": summary("main", main_err_r), "peer": summary("peer", peer_err_r)}
    out = bytes(errs[main_err_r]) + bytes(errs[peer_err_r]) + peer_out
    os.close(main_err_r)
    os.close(peer_err_r)
    return res, out


def feed_all(fd, data):
    view = memoryview(data)
    while view:
        n = os.write(fd, view[:1 << 20])
        view = view[n:]


# ---------------------------------------------------------------- files

def safe_path(rel):
    path = os.path.normpath(os.path.join(WORK, rel))
    if path != WORK and not path.startswith(WORK + "/"):
        raise ValueError("path escapes /work: %r" % rel)
    return path


def real_dirs(path):
    """Make every directory from /work down to `path` a real directory.

    The agent is root: a link a program planted in /work must never lead a
    put outside it. A link or file where a directory belongs is replaced
    (what a program planted is its own business, never ours to follow)."""
    cur = WORK
    for part in os.path.relpath(path, WORK).split("/"):
        if part in ("", "."):
            continue
        cur = os.path.join(cur, part)
        if os.path.islink(cur) or (os.path.lexists(cur) and not os.path.isdir(cur)):
            os.unlink(cur)
        if not os.path.lexists(cur):
            os.mkdir(cur, 0o755)
            os.chown(cur, CANDIDATE_UID, CANDIDATE_UID)


def inside_work(path):
    """True when no component of `path` below /work is a symbolic link."""
    cur = WORK
    for part in os.path.relpath(path, WORK).split("/"):
        if part in ("", "."):
            continue
        cur = os.path.join(cur, part)
        if os.path.islink(cur):
            return False
    return True


def do_put(blob):
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:") as tar:
        for member in tar.getmembers():
            if not (member.isfile() or member.isdir()):
                raise ValueError("only files and directories may be put: %r" % member.name)
            dest = safe_path(member.name)
            if member.isdir():
                real_dirs(dest)
                continue
            real_dirs(os.path.dirname(dest))
            # replace, never write through: what is there may be execute-only or a link a program planted
            if os.path.lexists(dest):
                if os.path.isdir(dest) and not os.path.islink(dest):
                    shutil.rmtree(dest)
                else:
                    os.unlink(dest)
            # judge-owned files (uid JUDGE_UID in the tar) keep their mode from the
            # candidate: a 0600 spec is unreadable to code under test
            owner = JUDGE_UID if member.uid == JUDGE_UID else CANDIDATE_UID
            src = tar.extractfile(member)
            fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with open(fd, "wb") as f:
                shutil.copyfileobj(src, f)
                os.fchown(fd, owner, owner)
                os.fchmod(fd, member.mode & 0o755 | 0o600)
    return {"ok": True}, b""


def do_get(req):
    bio = io.BytesIO()
    missing = []
    limit = int(req.get("max_bytes") or 16 << 20)
    with tarfile.open(fileobj=bio, mode="w:") as tar:
        for rel in req.get("paths") or []:
            path = safe_path(rel)
            # a link anywhere on the way could make root read outside /work
            if not inside_work(path) or not os.path.isfile(path):
                missing.append(rel)
                continue
            try:
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            except OSError:
                missing.append(rel)
                continue
            with open(fd, "rb") as f:
                st = os.fstat(fd)
                if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
                    missing.append(rel)
                    continue
                data = f.read(limit + 1)
            if len(data) > limit:
                missing.append(rel)
                continue
            info = tarfile.TarInfo(rel)
            info.size = len(data)
            info.mode = st.st_mode & 0o777
            tar.addfile(info, io.BytesIO(data))
    return {"ok": True, "missing": missing}, bio.getvalue()


def wipe(path):
    in_container()
    def onerror(func, p, exc):
        try:
            os.chmod(os.path.dirname(p), 0o700)
            os.chmod(p, 0o700)
            func(p)
        except OSError:
            pass
    try:
        names = os.listdir(path)
    except OSError:
        return True
    for name in names:
        p = os.path.join(path, name)
        try:
            if os.path.isdir(p) and not os.path.islink(p):
                os.chmod(p, 0o700)
                shutil.rmtree(p, onerror=onerror)
            else:
                os.unlink(p)
        except OSError:
            pass
    try:
        return not os.listdir(path)
    except OSError:
        return False


def scratch_dirs_ok():
    """/work, /tmp and /dev/shm: root's, sticky and world-writable, as at start.

    Only a judge (CAP_CHOWN, CAP_FOWNER) could change them; put right, then checked."""
    ok = True
    for d in SCRATCH_DIRS:
        try:
            st = os.lstat(d)
            if (st.st_uid, st.st_gid) != (0, 0):
                os.chown(d, 0, 0)
            if stat.S_IMODE(st.st_mode) != 0o1777:
                os.chmod(d, 0o1777)
            st = os.lstat(d)
            ok = ok and stat.S_ISDIR(st.st_mode) and st.st_uid == 0 and stat.S_IMODE(st.st_mode) == 0o1777
        except OSError:
            if d != "/dev/shm":
                ok = False
    return ok


# ---------------------------------------------------------------- leftovers

IPC_RMID = 0
_SYSV = (("shm", "shmctl"), ("msg", "msgctl"), ("sem", "semctl"))


def sysv_ids():
    ids = []
    for kind, fn in _SYSV:
        try:
            with open("/proc/sysvipc/" + kind) as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if len(parts) > 1:
                ids.append((fn, int(parts[1])))
    return ids


MQUEUE = "/dev/mqueue"


def mqueue_mounted():
    try:
        with open("/proc/self/mountinfo") as f:
            for line in f:
                fields = line.split()
                if len(fields) > 4 and fields[4] == MQUEUE and " - mqueue " in line:
                    return True
    except OSError:
        pass
    return False


def remove_leftovers_as(identity):
    """SysV IPC objects and POSIX message queues only their creator (or
    CAP_SYS_ADMIN, which nobody here has) may remove: remove them as each uid."""
    pid = os.fork()
    if pid == 0:
        try:
            drop_identity(identity)
            for fn, ident in sysv_ids():
                getattr(_libc, fn)(ident, 0, IPC_RMID, None) if fn == "semctl" \
                    else getattr(_libc, fn)(ident, IPC_RMID, None)
            for name in os.listdir(MQUEUE) if mqueue_mounted() else []:
                try:
                    os.unlink(os.path.join(MQUEUE, name))
                except OSError:
                    pass
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def clean_ipc():
    """SysV IPC and POSIX message queues outlive processes and could carry data
    (or a full queue quota) to the next grade: remove all, then check."""
    if sysv_ids() or (mqueue_mounted() and os.listdir(MQUEUE)):
        for identity in IDENTITIES:
            remove_leftovers_as(identity)
        if mqueue_mounted():
            for name in os.listdir(MQUEUE):
                try:
                    os.unlink(os.path.join(MQUEUE, name))  # root: CAP_FOWNER beats the sticky bit
                except OSError:
                    pass
    return not sysv_ids() and not (mqueue_mounted() and os.listdir(MQUEUE))


# ---------------------------------------------------------------- self

def own_state():
    """What no program may change about the agent: its limits, priority, CPUs, identity."""
    try:
        with open("/proc/self/oom_score_adj") as f:
            oom = f.read().strip()
    except OSError:
        oom = None
    return {
        "rlimits": {r: resource.getrlimit(r) for r in LIMITS},
        "nice": os.getpriority(os.PRIO_PROCESS, 0),
        "affinity": sorted(os.sched_getaffinity(0)),
        "oom_score_adj": oom,
        "ids": (os.getresuid(), os.getresgid()),
    }


START_STATE = None


def self_ok():
    """Re-assert the agent's own limits and compare everything with the start.

    A soft limit can be put back; a lowered hard limit cannot (that needs
    CAP_SYS_RESOURCE): then the container is not to be trusted again."""
    if START_STATE is None:
        return False
    for r, lim in START_STATE["rlimits"].items():
        try:
            if resource.getrlimit(r) != lim:
                resource.setrlimit(r, lim)
        except (OSError, ValueError):
            pass
    now = own_state()
    bad = [k for k in now if now[k] != START_STATE[k]]
    if bad:
        log("own state changed: %s" % bad)
    return not bad


def do_reset():
    procs_ok = kill_everything()
    dirs_ok = all(wipe(d) for d in SCRATCH_DIRS)
    ipc_ok = clean_ipc()
    procs_ok = kill_everything() and procs_ok
    modes_ok = scratch_dirs_ok()
    me_ok = self_ok()
    ok = procs_ok and dirs_ok and ipc_ok and modes_ok and me_ok
    return {"ok": ok, "processes": procs_ok, "files": dirs_ok and modes_ok,
            "ipc": ipc_ok, "self": me_ok}, b""


def main():
    global START_STATE, USE_LAUNCHER, USE_FORKSERVER, USE_JUDGESERVER
    in_container()
    harden_self()
    os.makedirs(WORK, exist_ok=True)
    if not mqueue_mounted():
        UNLISTABLE.append("mq_open")
    if not os.path.isdir("/proc/sysvipc"):
        UNLISTABLE.extend(("shmget", "semget", "msgget"))
    identities = os.getuid() == 0
    if identities:
        identities = scratch_dirs_ok()
        START_STATE = own_state()
    USE_LAUNCHER = identities and not UNLISTABLE and os.access(LAUNCHER, os.X_OK)
    USE_FORKSERVER = identities and os.path.isfile(FORKSERVER_PATH)
    USE_JUDGESERVER = identities
    write_frame({"type": "hello", "version": VERSION, "pid": os.getpid(),
                 "uid": os.getuid(), "identities": identities, "launcher": USE_LAUNCHER, "forkserver": USE_FORKSERVER,
                 "judgeserver": USE_JUDGESERVER,
                 "python": sys.version.split()[0]})
    while True:
        req, blob = read_frame()
        if req is None:
            kill_everything()
            return 0
        rid = req.get("id")
        try:
            t = req.get("type")
            if t == "exec":
                res, out = do_exec(req, blob)
            elif t == "pair":
                res, out = do_pair(req, blob)
            elif t == "put":
                res, out = do_put(blob)
            elif t == "get":
                res, out = do_get(req)
            elif t == "reset":
                res, out = do_reset()
            elif t == "ping":
                res, out = {"ok": True}, b""
            else:
                res, out = {"ok": False, "error": "unknown request type %r" % (t,)}, b""
        except Exception as e:  # report, never die: a dead agent is an infra error
            res, out = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}, b""
        res["id"] = rid
        res["type"] = "reply"
        write_frame(res, out)


if __name__ == "__main__":
    sys.exit(main())
