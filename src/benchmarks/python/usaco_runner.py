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
file (read in text mode, as upstream) on a private descriptor.

Spec: nonce, code, inputs [paths], runtime_limit (s), memory_limit (MB),
      max_output_bytes, stop_on_failure
Events: {"event":"test","index","status":"passed"|"timed_out"|"failed","error"?,"etype"?,
         "output"?,"output_truncated"?,"time_ms"}  then {"event":"done"}
"""

import contextlib
import faulthandler
import io
import json
import os
import select
import shutil
import signal
import sys
import tempfile
import time

_ERR_MAX = 300


class TimeoutException(Exception):
    pass


class _WriteOnlyStringIO(io.StringIO):
    def read(self, *args, **kwargs):
        raise IOError

    def readline(self, *args, **kwargs):
        raise IOError

    def readlines(self, *args, **kwargs):
        raise IOError

    def readable(self, *args, **kwargs):
        return False


class _redirect_stdin(contextlib._RedirectStream):
    _stream = "stdin"


def _reliability_guard(max_bytes):
    import builtins
    import resource
    import subprocess
    resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))
    resource.setrlimit(resource.RLIMIT_DATA, (max_bytes, max_bytes))
    resource.setrlimit(resource.RLIMIT_STACK, (max_bytes, max_bytes))
    faulthandler.disable()
    builtins.exit = None
    builtins.quit = None
    os.environ["OMP_NUM_THREADS"] = "1"
    for name in ("kill", "system", "putenv", "remove", "removedirs", "rmdir", "fchdir", "setuid", "fork",
                 "forkpty", "killpg", "rename", "renames", "truncate", "replace", "unlink", "fchmod",
                 "fchown", "chmod", "chown", "chroot", "lchflags", "lchmod", "lchown", "getcwd", "chdir"):
        setattr(os, name, None)
    shutil.rmtree = None
    shutil.move = None
    shutil.chown = None
    subprocess.Popen = None
    builtins.help = None
    for name in ("ipdb", "joblib", "resource", "psutil", "tkinter"):
        sys.modules[name] = None


def _child(code, input_file, pred_file, runtime_limit, memory_limit, status_fd):
    write = os.write
    os.setsid()
    workdir = tempfile.mkdtemp(prefix="usaco-")
    os.chdir(workdir)
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
        write(status_fd, json.dumps({"status": status[:_ERR_MAX], "etype": etype}).encode())
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
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except OSError:
            pass
    os.waitpid(pid, 0)
    if pidfd is not None:
        os.close(pidfd)
    return False


def _read_all(fd):
    chunks = []
    while True:
        try:
            b = os.read(fd, 65536)
        except OSError:
            break
        if not b:
            break
        chunks.append(b)
    return b"".join(chunks)


def main():
    path = sys.argv[1]
    with open(path, encoding="utf-8") as f:
        spec = json.load(f)
    os.unlink(path)
    nonce = spec.get("nonce", "")
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
        r, w = os.pipe()
        t0 = time.monotonic()
        pid = os.fork()
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
        raw = _read_all(r)
        os.close(r)
        try:
            result = json.loads(raw.decode("utf-8")) if raw else {"status": "timed_out", "etype": ""}
        except ValueError:
            result = {"status": "failed: garbled status", "etype": ""}
        st = str(result.get("status", ""))
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
            ev["etype"] = str(result.get("etype", ""))
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
