#!/usr/bin/env python3
"""USACO runner: one forked process per test, as USACOBench's check_correctness.

Usage: python3 usaco_runner.py spec.json   (the spec file is deleted after reading)

Reproduces USACOBench/evaluation/judges/usaco_utils.py @46f18c8: for each test
a child forked from this process enters a fresh temporary directory, applies
reliability_guard(memory_limit * 10**6) (RLIMIT_AS/DATA/STACK, exit/quit and
destructive os functions set to None), and exec()s
    import sys; sys.stdin = open(IN); sys.stdout = open(PRED, 'w')
    <code>
    sys.stdout.close(); sys.stdin.close()
with globals {'__name__': '__main__'}, its own stdout/stderr swallowed, under
an ITIMER_REAL alarm of runtime_limit seconds; this process waits
runtime_limit + 1 s and kills it. This process never runs candidate code and
never sees an expected output: it reports each test's status and prediction
file (read in text mode, as upstream) on a private descriptor; it is
non-dumpable, so a test's leftovers can neither read its memory nor open its
/proc/PID/fd.

A test's status comes over a pipe the program can also write to, so whatever
arrives there is validated, and anything malformed is that test's failure
(never a crash of this runner: an infra_error). "passed" needs the test's
token: a witness thread in the test process writes it on the pipe before the
program runs and again with "passed" only once it sees the main thread back in
_child after exec() returned. The token lives in that thread's frame only; an
audit hook in the test process refuses the program other threads' frames, gc
walks, ctypes, /proc, new audit hooks and new processes through os and
subprocess (a process started otherwise cannot read this non-dumpable one).
So writing the pipe,
walking frames to the runner's functions, or os._exit after printing earn no
"passed". Remaining (documented in docs/hostile.md): a program that reads raw
memory without any audited call (numpy's __array_interface__ with a raw
address, when the program imports numpy) can find the token.

Spec: nonce, code, inputs [paths], runtime_limit (s), memory_limit (MB),
      max_output_bytes, stop_on_failure
Events: {"event":"test","index","status":"passed"|"timed_out"|"failed","error"?,"etype"?,
         "output"?,"output_truncated"?,"time_ms"}  then {"event":"done"}
"""

import contextlib
import json
import os
import select
import signal
import sys
import tempfile
import time

# bundle: include ../python-common/prctl.py
# bundle: include ../python-common/upstream_guard.py
# bundle: include ../python-common/audit.py
# bundle: include ../python-common/kill.py

_ERR_MAX = 300


class TimeoutException(Exception):
    pass


class _redirect_stdin(contextlib._RedirectStream):
    _stream = "stdin"


def _reliability_guard(max_bytes):
    """USACOBench's reliability_guard(memory_limit): the address, data and
    stack limits, then the rest as every upstream copy has it."""
    import resource
    import subprocess  # noqa: F401 (loaded before the limits, as upstream has it)
    resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))
    resource.setrlimit(resource.RLIMIT_DATA, (max_bytes, max_bytes))
    resource.setrlimit(resource.RLIMIT_STACK, (max_bytes, max_bytes))
    upstream_reliability_guard()


# What a program could use to reach the witness thread's frame (where the
# token lives), raw memory, or a process without this guard: refused by an
# audit hook, which the program cannot remove. More than the other runners
# refuse (python-common/audit.py), on purpose: the test process runs nothing
# but the program (no test code, no library that needs these), so new code
# objects, new processes, links and every ctypes call (below) are refused
# outright rather than checked.
_DENY = _AUDIT_DENY | frozenset(["code.__new__", "os.exec", "os.posix_spawn", "os.spawn", "os.system",
                                 "subprocess.Popen", "os.fork", "os.forkpty", "os.symlink", "os.link",
                                 "os.rename", "pty.spawn"])


def _install_guard(trusted_codes):
    """Installs the hook. It calls only functions bound here (module globals
    and builtins are the program's to rebind, and no program code may run in
    the hook) and holds nothing worth stealing."""
    import _thread
    getframe, ident, os_open, readlink, close = sys._getframe, _thread.get_ident, os.open, os.readlink, os.close
    o_path = os.O_PATH | os.O_CLOEXEC
    deny_events = _DENY
    _type, _str, _bytes, _isinstance, _int, _err = type, str, bytes, isinstance, int, RuntimeError
    busy = set()

    def requester():
        """The code that called the audited function (0 this, 1 the hook)."""
        return getframe(2).f_code

    def resolved(path):
        """Where a path leads, by the kernel's own resolution (no Python code)."""
        fd = os_open(path, o_path)
        try:
            return readlink("/proc/self/fd/%d" % fd)
        finally:
            close(fd)

    def hook(event, args):
        me = ident()
        if me in busy:
            return
        deny = event in deny_events or event.startswith("ctypes.")
        if not deny and (event == "sys._current_frames" or event == "marshal.loads"):
            busy.add(me)
            try:
                c = requester()
                # other threads' frames: the witness only; code from bytes: the import system only
                deny = c not in trusted_codes if event == "sys._current_frames" else not c.co_filename.startswith("<frozen importlib")
            finally:
                busy.discard(me)
        if not deny and event == "open":
            path = args[0]
            t = _type(path)
            if t is _str or t is _bytes:
                busy.add(me)
                try:
                    where = resolved(path)
                except OSError:
                    where = ""  # does not exist yet: the open decides
                finally:
                    busy.discard(me)
                deny = where.startswith(("/proc", "/sys"))
            elif not _isinstance(path, _int):
                deny = True  # a path object would run the program's __fspath__ in here
        if deny:
            raise _err("refused in the sandbox: " + event)

    sys.addaudithook(hook)


def _finished(wake, ack):
    # reached only when exec() of the program returned: the witness looks for this frame
    wake()
    ack()


# The three runners' witness threads (LiveCodeBench, BigCodeBench, USACO) look
# alike but are not shared, on purpose: each signs different facts (LCB: one
# test line, only from run_stdin/run_functional called by main; BigCodeBench:
# each unittest callback through its one legitimate caller, with tamper
# snapshots; USACO: a token before the program, "passed" once exec returned),
# and a witness may call only C functions bound in its own frame: a shared
# Python helper in its loop would be one more thing the program can rebind.
def _witness(status_fd, child_frame):
    """A thread that writes this test's token before the program runs and the
    "passed" line, with the token, once it sees the main thread in _finished
    called by the real _child frame, i.e. only after exec() returned. The
    token lives in this thread's frame alone: the program's frames, signal
    handlers and tracebacks are all on the main thread, and the hook refuses
    it other threads' frames. No program code can run in this thread: it
    calls only C functions bound here. Returns (the witness's code, start)."""
    import _thread
    wake, ack, ready = _thread.allocate_lock(), _thread.allocate_lock(), _thread.allocate_lock()
    wake.acquire()
    ack.acquire()
    ready.acquire()
    main = _thread.get_ident()
    fin_code = _finished.__code__
    write, urandom, frames, exit_ = os.write, os.urandom, sys._current_frames, os._exit

    def run():
        try:
            token = urandom(16).hex()
            write(status_fd, ("T %s\n" % token).encode())
            ready.release()
            while True:
                wake.acquire()
                f = frames().get(main)
                ok = f is not None and f.f_code is fin_code and f.f_back is child_frame
                f = None
                if ok:
                    write(status_fd, ('{"status": "passed", "etype": "", "token": "%s"}\n' % token).encode())
                    ack.release()
                    return
                ack.release()
        except BaseException:
            exit_(0)

    def start():
        _thread.start_new_thread(run, ())
        ready.acquire()
        return wake.release, ack.acquire

    return run.__code__, start


def _child(code, input_file, pred_file, runtime_limit, memory_limit, status_fd):
    write = os.write
    os.setsid()
    workdir = tempfile.mkdtemp(prefix="usaco-")
    os.chdir(workdir)
    try:
        witness_code, start = _witness(status_fd, sys._getframe())
        _install_guard(frozenset([witness_code]))
        wake, ack = start()
        del start
    except BaseException:  # a second guard (the program calling _child) is refused
        os._exit(0)
    status = "failed: no result"
    etype = ""
    try:
        _reliability_guard(int(memory_limit * 1000000))
        program = ("import sys\nsys.stdin=open(%r, 'r')\nsys.stdout=open(%r, 'w')\n" % (input_file, pred_file)
                   + code + "\nsys.stdout.close()\nsys.stdin.close()\n")

        def on_alarm(signum, frame):
            raise TimeoutException("Timed out!")

        try:
            stream = _WriteOnlyStringIO()
            with contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream), _redirect_stdin(stream):
                signal.setitimer(signal.ITIMER_REAL, runtime_limit)
                signal.signal(signal.SIGALRM, on_alarm)
                try:
                    exec(program, {"__name__": "__main__"})
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            status = "passed"
        except TimeoutException:
            status = "timed_out"
        except BaseException as e:
            try:
                status = "failed: %s" % (e,)
            except BaseException:
                status = "failed"
            etype = type(e).__name__
    except BaseException as e:  # the guard itself failed: still the candidate's process
        status = "failed: %s" % (type(e).__name__,)
    try:
        if status == "passed":
            _finished(wake, ack)
        else:
            # a failure needs no token: whoever writes one fails the test
            write(status_fd, (json.dumps({"status": str(status)[:_ERR_MAX], "etype": str(etype)[:100]}) + "\n").encode())
    finally:
        os._exit(0)


def _wait(pid, seconds):
    """Wait for pid up to `seconds`; kill its group after. True if it ended by itself."""
    deadline = time.monotonic() + seconds
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        pidfd = None
    while True:
        got, _ = os.waitpid(pid, os.WNOHANG)
        if got == pid:
            if pidfd is not None:
                os.close(pidfd)
            try:  # what the program left running must not touch the next test
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
            return True
        left = deadline - time.monotonic()
        if left <= 0:
            break
        if pidfd is not None:
            select.select([pidfd], [], [], min(left, 0.5))
        else:
            time.sleep(min(left, 0.002))
    _kill_group(pid)
    os.waitpid(pid, 0)
    if pidfd is not None:
        os.close(pidfd)
    return False


def _read_status(fd, cap=1 << 16):
    """What the test process wrote, without waiting for writers that outlive
    it (a daemon it left may hold the pipe open), at most cap bytes."""
    os.set_blocking(fd, False)
    chunks, size = [], 0
    while size <= cap:
        try:
            b = os.read(fd, 65536)
        except OSError:
            break
        if not b:
            break
        chunks.append(b)
        size += len(b)
    return b"".join(chunks)[:cap]


_HEX = frozenset("0123456789abcdef")


def _parse_status(raw):
    """The status a test process reported: its guard's token line (written
    before the program ran), then at most one status line carrying that
    token, which only the guard can write. Anything else the program wrote
    there is its own failure, never ours."""
    lines = raw.split(b"\n")
    head = lines[0]
    if len(lines) < 2 or not head.startswith(b"T ") or len(head) != 34 or not _HEX.issuperset(head[2:].decode("latin-1")):
        # the guard never ran (the process died first) or the program wrote first
        return {"status": "timed_out", "etype": ""} if not raw else {"status": "failed: garbled status", "etype": ""}
    token = head[2:].decode("ascii")
    rest = [x for x in lines[1:] if x]
    if not rest:
        return {"status": "timed_out", "etype": ""}  # no result: upstream's "timed out"
    if len(rest) != 1:
        return {"status": "failed: garbled status", "etype": ""}
    try:
        msg = json.loads(rest[0].decode("utf-8"))
    except (ValueError, RecursionError):
        return {"status": "failed: garbled status", "etype": ""}
    if not isinstance(msg, dict) or not isinstance(msg.get("status"), str) or not isinstance(msg.get("etype"), str):
        return {"status": "failed: garbled status", "etype": ""}
    if set(msg) == {"status", "etype", "token"} and msg["status"] == "passed" and msg["token"] == token:
        return {"status": "passed", "etype": ""}
    if set(msg) == {"status", "etype"} and msg["status"] != "passed":
        # a failure: the test process's own, or one the program wrote (its fail either way)
        status = msg["status"] if msg["status"] in ("timed_out",) or msg["status"].startswith("failed") else "failed"
        return {"status": status, "etype": msg["etype"][:100]}
    return {"status": "failed: garbled status", "etype": ""}


def main():
    path = sys.argv[1]
    with open(path, encoding="utf-8") as f:
        spec = json.load(f)
    os.unlink(path)
    nonce = spec.get("nonce", "")
    # no other process of this uid (a test's leftovers) may read our memory or open our /proc/PID/fd
    _prctl(_PR_SET_DUMPABLE, 0)
    out = os.dup(1)  # not inherited by the children
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)

    def emit(obj):
        obj["nonce"] = nonce
        view = memoryview((json.dumps(obj) + "\n").encode("utf-8", "surrogatepass"))
        while view:
            view = view[os.write(out, view):]

    code = spec["code"]
    # upstream forks its tests from a process that has numpy and
    # multiprocessing loaded; their imports fail after the guard otherwise
    for word, module in (("numpy", "numpy"), ("multiprocessing", "multiprocessing"), ("concurrent", "concurrent.futures")):
        if word in code:
            try:
                __import__(module)
            except Exception:
                pass
    limit = float(spec["runtime_limit"])
    cap = int(spec["max_output_bytes"])
    preds = tempfile.mkdtemp(prefix="pred-")
    for index, input_file in enumerate(spec["inputs"]):
        pred_file = os.path.join(preds, "%d.out" % (index + 1))
        t0 = time.monotonic()
        try:
            r, w = os.pipe()
            pid = os.fork()
        except OSError as e:
            # only the program's leftovers use processes and descriptors here
            emit({"event": "test", "index": index, "time_ms": 0.0, "status": "failed",
                  "error": "could not start the test process: %s" % (e.__class__.__name__,), "etype": "ResourceExhausted"})
            if spec.get("stop_on_failure", True):
                break
            continue
        if pid == 0:
            try:
                os.close(r)
                os.close(out)
                _child(code, input_file, pred_file, limit, float(spec["memory_limit"]), w)
            finally:
                os._exit(0)
        os.close(w)
        _wait(pid, limit + 1)
        elapsed = round((time.monotonic() - t0) * 1000, 3)
        raw = _read_status(r)
        os.close(r)
        result = _parse_status(raw)
        st = result["status"]
        ev = {"event": "test", "index": index, "time_ms": elapsed}
        if st == "passed":
            ev["status"] = "passed"
            try:
                # text mode with universal newlines, as upstream reads the prediction
                with open(pred_file, "r", encoding="utf-8", errors="replace") as f:
                    text = f.read(cap + 1)
                if len(text) > cap:
                    ev["output_truncated"] = True
                    text = text[:cap]
                ev["output"] = text
            except OSError as e:
                ev["status"] = "failed"
                ev["error"] = "prediction file unreadable: %s" % (e.__class__.__name__,)
        elif st == "timed_out":
            ev["status"] = "timed_out"
        else:
            ev["status"] = "failed"
            ev["error"] = st[len("failed: "):] if st.startswith("failed: ") else st
            ev["etype"] = result["etype"]
        try:
            os.remove(pred_file)
        except OSError:
            pass
        emit(ev)
        if ev["status"] != "passed" and spec.get("stop_on_failure", True):
            break
    emit({"event": "done"})


if __name__ == "__main__":
    main()
