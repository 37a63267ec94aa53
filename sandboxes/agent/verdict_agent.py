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

Why it is hard to fool from inside the container:
  * it is PID 1: signals it has no handler for, SIGKILL included, are not
    delivered from inside the container's pid namespace;
  * it is non-dumpable, so a same-uid program cannot ptrace it or open
    /proc/1/fd/* to read or forge protocol frames;
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


def signal_everything():
    try:
        os.kill(-1, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def kill_everything(deadline_s=2.0):
    """SIGKILL every process but ourselves; True when none is left."""
    end = time.monotonic() + deadline_s
    while True:
        signal_everything()
        reap()
        left = other_pids()
        if not left:
            return True
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


def child_setup(limits):
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
    return setup


_compiled = {}


def compiled(path):
    """Compiled code of a trusted script, cached by content for the container's life."""
    with open(path, "rb") as f:
        src = f.read()
    key = hashlib.sha256(src).digest()
    code = _compiled.get(key)
    if code is None:
        if len(_compiled) >= 16:
            _compiled.clear()
        code = _compiled[key] = compile(src, path, "exec")
    return code


def fork_python(argv, cwd, env, limits, stdin_r):
    """Run `python3 [-I] script args...` in a fork of this interpreter.

    Skips interpreter start-up and the imports the agent already holds, which
    is most of a short grade's cost. Only for trusted scripts (graders'
    harnesses): the child starts as a copy of the agent. Code under test must
    still be exec'd fresh by that script.
    """
    args = list(argv[1:])
    while args and args[0] == "-I":
        args.pop(0)
    if not args or args[0].startswith("-"):
        raise OSError(22, "python_fork takes: python3 [-I] script [args...]")
    script = compiled(os.path.join(cwd, args[0]))
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never return from here
        code = 1
        try:
            os.setsid()
            signal.signal(signal.SIGINT, signal.default_int_handler)
            for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2,
                        signal.SIGQUIT, signal.SIGALRM):
                signal.signal(sig, signal.SIG_DFL)
            os.dup2(stdin_r, 0)
            os.dup2(out_w, 1)
            os.dup2(err_w, 2)
            os.closerange(3, 1 << 16)
            os.chdir(cwd)
            child_setup(limits)()
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
    return pid, out_r, err_r


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
    wall_ms = int(limits.get("wall_ms") or 10000)
    capture = int(limits.get("capture_bytes") or 1 << 20)
    out_limit = limits.get("output_bytes")
    out_limit = int(out_limit) if out_limit else None

    oom_before = oom_kills()
    ru_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    stdin_r, stdin_w = os.pipe()
    try:
        if req.get("python_fork"):
            pid, out_fd, err_fd = fork_python(argv, cwd, env, limits, stdin_r)
        else:
            proc = subprocess.Popen(
                argv, cwd=cwd, env=env, stdin=stdin_r, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, close_fds=True, start_new_session=True,
                preexec_fn=child_setup(limits))
            pid = proc.pid
            # we reap it ourselves (wait4 for its rusage); Popen must not
            out_fd, err_fd = os.dup(proc.stdout.fileno()), os.dup(proc.stderr.fileno())
            proc.stdout.close()
            proc.stderr.close()
            proc.returncode = 0
    except OSError as e:
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
    # left behind still holds its pipes open.
    try:
        pidfd = os.pidfd_open(pid)
        sel.register(pidfd, selectors.EVENT_READ)
    except (AttributeError, OSError):
        pidfd = None
    deadline = start + wall_ms / 1000.0
    status = None
    rusage = None
    killed = False

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
            signal_everything()
            killed = True
        timeout = max(0.0, min(deadline - now, 0.05)) if not killed else 0.05
        if pidfd is None and len(sel.get_map()) < 2:
            timeout = min(timeout, 0.002)  # no pidfd: poll for the exit
        if sel.get_map():
            for key, _ in sel.select(timeout):
                if key.fd != pidfd:
                    drain(key.fd)
        else:
            time.sleep(timeout)
        if out_limit is not None and total > out_limit and not killed:
            output_exceeded = True
            signal_everything()
            killed = True
        # Reap everything (orphans are ours to reap as PID 1), keep the main one.
        while True:
            try:
                got, st, ru = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if got == 0:
                break
            if got == pid:
                status, rusage = st, ru
    wall = time.monotonic() - start
    if pidfd is not None:
        sel.unregister(pidfd)
        os.close(pidfd)
    # The program is gone; anything it left running goes with it.
    kill_everything()
    for key in list(sel.get_map().values()):
        while drain(key.fd):
            pass
    sel.close()
    writer.join(timeout=1.0)
    ru_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (ru_after.ru_utime - ru_before.ru_utime) + (ru_after.ru_stime - ru_before.ru_stime)
    oom_after = oom_kills()
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    os.close(out_fd)
    os.close(err_fd)
    cpu_ms = limits.get("cpu_ms")
    out = bytes(bufs[out_fd])
    err = bytes(bufs[err_fd])
    res = {
        "ok": True,
        "exit_code": code,
        "signal": sig,
        "wall_ms": round(wall * 1000, 3),
        "cpu_ms": round(cpu * 1000, 3),
        "max_rss_kb": rusage.ru_maxrss if rusage else 0,
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
    argv = spec["argv"]
    cwd = os.path.join(WORK, spec.get("cwd") or ".")
    limits = spec.get("limits") or {}
    script = None
    if python_fork:
        args = [a for a in argv[1:]]
        while args and args[0] == "-I":
            args.pop(0)
        if not args or args[0].startswith("-"):
            raise OSError(22, "python_fork takes: python3 [-I] script [args...]")
        script = compiled(os.path.join(cwd, args[0]))
    elif spec.get("exec_only"):
        # An executable the program cannot read runs non-dumpable: no ptrace,
        # no /proc/<pid>/fd or mem access from the program beside it.
        os.chmod(os.path.join(cwd, argv[0]), 0o111)
    pid = os.fork()
    if pid != 0:
        return pid
    code = 127
    try:
        os.setsid()
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2,
                    signal.SIGQUIT, signal.SIGALRM, signal.SIGPIPE, signal.SIGXFSZ):
            signal.signal(sig, signal.SIG_DFL)
        # move sources out of the way of the targets first
        moved = {t: fcntl.fcntl(src, fcntl.F_DUPFD, 100) for t, src in fds.items()}
        for t, src in moved.items():
            os.dup2(src, t)
        os.closerange(max(fds) + 1, 1 << 16)
        os.chdir(cwd)
        child_setup(limits)()
        if script is None:
            os.execvpe(argv[0], argv, env)
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


def do_put(blob):
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:") as tar:
        for member in tar.getmembers():
            if not (member.isfile() or member.isdir()):
                raise ValueError("only files and directories may be put: %r" % member.name)
            dest = safe_path(member.name)
            if member.isdir():
                os.makedirs(dest, exist_ok=True)
                continue
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            # replace, never write through: what is there may be execute-only or a link a program planted
            if os.path.lexists(dest) and not os.path.isdir(dest):
                os.unlink(dest)
            src = tar.extractfile(member)
            with open(dest, "wb") as f:
                shutil.copyfileobj(src, f)
            os.chmod(dest, member.mode & 0o755 | 0o600)
    return {"ok": True}, b""


def do_get(req):
    bio = io.BytesIO()
    missing = []
    limit = int(req.get("max_bytes") or 16 << 20)
    with tarfile.open(fileobj=bio, mode="w:") as tar:
        for rel in req.get("paths") or []:
            path = safe_path(rel)
            if not os.path.isfile(path) or os.path.islink(path):
                missing.append(rel)
                continue
            if os.path.getsize(path) > limit:
                missing.append(rel)
                continue
            tar.add(path, arcname=rel, recursive=False)
    return {"ok": True, "missing": missing}, bio.getvalue()


def wipe(path):
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


def clean_ipc():
    # SysV IPC objects outlive processes and could carry data to the next grade.
    for kind, opt in (("shm", "-m"), ("msg", "-q"), ("sem", "-s")):
        try:
            with open("/proc/sysvipc/" + kind) as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if len(parts) > 1:
                subprocess.run(["ipcrm", opt, parts[1]], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, close_fds=True)
    leftover = 0
    for kind in ("shm", "msg", "sem"):
        try:
            with open("/proc/sysvipc/" + kind) as f:
                leftover += max(0, len(f.read().splitlines()) - 1)
        except OSError:
            pass
    return leftover == 0


def do_reset():
    procs_ok = kill_everything()
    dirs_ok = all(wipe(d) for d in SCRATCH_DIRS)
    ipc_ok = clean_ipc()
    procs_ok = kill_everything() and procs_ok
    return {"ok": procs_ok and dirs_ok and ipc_ok, "processes": procs_ok,
            "files": dirs_ok, "ipc": ipc_ok}, b""


def main():
    harden_self()
    os.makedirs(WORK, exist_ok=True)
    write_frame({"type": "hello", "version": VERSION, "pid": os.getpid(),
                 "uid": os.getuid(), "python": sys.version.split()[0]})
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
