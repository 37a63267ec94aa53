#!/usr/bin/env python3
"""LiveCodeBench runner: one process runs every test, as the official harness does.

Usage: python3 lcb_runner.py spec.json   (the spec file is deleted after reading)

Reproduces lcb_runner/evaluation/testing_util.py @28fef95 (Python 3.11)
behaviour for behaviour, because the verdicts depend on it: the candidate runs
in this interpreter (exec into a module), stdin programs are wrapped into a
function and fed through the official stdin mocks, tests share the module (and
the Solution instance), each test has a signal.alarm, and SystemExit is
swallowed for stdin programs. What differs on purpose: no expected output ever
enters this process. Each test's captured stdout (stdin problems) or return
value (functional problems, in a tagged JSON codec) is reported on a private
descriptor and compared by the service.

The candidate runs in this interpreter, so whatever this runner's main thread
can reach (emit, the output descriptor, module globals, frames), the program
can reach too: it could write "ok" for every test and then crash, which the
official harness fails (its results list is appended only when run_test
returns). So a test passes, and the run ends, only on a line signed by a
witness thread: it reads the service's key from stdin before any program code
exists, keeps it in its own frame only, and signs a report only while the main
thread stands in _report called straight from run_stdin/run_functional called
by main (or, for "done", by main itself): a report the program triggers has
its own frame in that chain. An audit hook refuses the program other threads'
frames, gc walks, tracing, ctypes memory access, /proc/PID/mem and new audit
hooks. Failures need no signature (whoever forges one fails). Remaining, as
for USACO and BigCodeBench (docs/hostile.md): raw memory reads without an
audited call (numpy with a raw address) could find the key.

Spec: nonce, code, mode ("stdin" | "functional"), fn_name?, inputs [str],
      timeout_s (int), lenient (bool)
Stdin: the witness key, 64 hex digits and a newline.
Events (JSON lines, each with the nonce):
  {"event":"compiled","ok":bool,"error"?,"syntax"?}
  {"event":"test","index","status":"timeout"|"error","error","etype"?,"time_ms"}
Signed by the witness ("W SEQ KIND MAC LINE", MAC = HMAC-SHA256(key, "SEQ KIND LINE")):
  test  {"event":"test","index","status":"ok","output"|"value","time_ms"}
  done  {"event":"done"}
"""

import ast
import builtins
import faulthandler
import io
import json
import os
import signal
import sys
import time
import types

# bundle: include ../python-common/prctl.py
# bundle: include ../python-common/upstream_guard.py
# bundle: include ../python-common/audit.py

# The namespace every candidate gets (testing_util.import_string).
_STAR = ["string", "re", "datetime", "collections", "heapq", "bisect", "copy", "math", "random",
         "statistics", "itertools", "functools", "operator", "io", "sys", "json", "builtins", "typing"]
_PLAIN = ["string", "re", "datetime", "collections", "heapq", "bisect", "copy", "math", "random",
          "statistics", "itertools", "functools", "operator", "io", "sys", "json"]
IMPORT_STRING = ("".join("from %s import *\n" % m for m in _STAR)
                 + "".join("import %s\n" % m for m in _PLAIN)
                 + "sys.setrecursionlimit(50000)\n")

_MAX_DEPTH = 2000
_INT_SAFE = 2 ** 53
_ERR_MAX = 300

# Bound before any candidate code can touch os.
_write = os.write
_exit = os._exit
_monotonic = time.monotonic


class TimeoutException(Exception):
    pass


def _on_alarm(signum, frame):
    # the official handler prints into whatever sys.stdout is (the capture)
    print("timeout occured: alarm went off")
    raise TimeoutException


# ---------------------------------------------------------------- output

_OUT = None
_NONCE = ""


def emit(obj):
    obj["nonce"] = _NONCE
    data = (json.dumps(obj) + "\n").encode("utf-8", "surrogatepass")
    view = memoryview(data)
    while view:
        n = _write(_OUT, view)
        view = view[n:]


# ---------------------------------------------------------------- the witness

_W = [None, None]  # wake the witness, wait for it


def _report(line):
    """Hand one report line to the witness and wait until it has looked at this frame."""
    _W[0]()
    _W[1]()


# The three runners' witness threads (LiveCodeBench, BigCodeBench, USACO) look
# alike but are not shared, on purpose: each signs different facts (LCB: one
# test line, only from run_stdin/run_functional called by main; BigCodeBench:
# each unittest callback through its one legitimate caller, with tamper
# snapshots; USACO: a token before the program, "passed" once exec returned),
# and a witness may call only C functions bound in its own frame: a shared
# Python helper in its loop would be one more thing the program can rebind.
def _witness(out_fd, main_frame, run_codes):
    """Starts the thread that alone holds the key. It calls only C functions
    bound here (module globals and builtins are the program's to rebind), so
    no program code ever runs in it. Returns (its code, start)."""
    import _hashlib
    import _thread
    wake, ack, ready = _thread.allocate_lock(), _thread.allocate_lock(), _thread.allocate_lock()
    for lock in (wake, ack, ready):
        lock.acquire()
    main = _thread.get_ident()
    rep_code = _report.__code__
    read, write, frames, exit_ = os.read, os.write, sys._current_frames, os._exit
    mac_of, fromhex = _hashlib.hmac_digest, bytes.fromhex
    _type, _str, _len = type, str, len

    def run():
        try:
            hexkey = b""
            while _len(hexkey) < 65:
                b = read(0, 65 - _len(hexkey))
                if not b:
                    break
                hexkey += b
            key = fromhex(hexkey[:64].decode("ascii")) if _len(hexkey) >= 64 else None
            hexkey = b = None
            ready.release()
            if key is None:
                return  # no key: nothing is ever signed (every test fails)
            seq = 0
            last = None  # the frame signed last: one report, one line
            while True:
                wake.acquire()
                f = frames().get(main)
                kind = line = None
                if f is not None and f.f_code is rep_code and f is not last:
                    g = f.f_back
                    if g is main_frame:
                        kind = "done"
                    elif g is not None and g.f_code in run_codes and g.f_back is main_frame:
                        kind = "test"
                    if kind is not None:
                        line = f.f_locals.get("line")
                        if _type(line) is not _str or "\n" in line:
                            kind = None
                if kind is not None:
                    last = f
                    seq += 1
                    mac = mac_of(key, ("%d %s %s" % (seq, kind, line)).encode("utf-8", "surrogatepass"), "sha256").hex()
                    data = ("W %d %s %s %s\n" % (seq, kind, mac, line)).encode("utf-8", "surrogatepass")
                    while data:
                        data = data[write(out_fd, data):]
                f = g = line = None
                ack.release()
        except BaseException:
            exit_(0)

    def start():
        _thread.start_new_thread(run, ())
        ready.acquire()
        _W[0], _W[1] = wake.release, ack.acquire

    return run.__code__, start


def _install_guard(trusted_codes, lib, ctypes_dir):
    """The audit hook (irremovable; python-common/audit.py), with this
    runner's rule for other threads' frames: the witness only. Binds
    everything it calls; none of the program's code may run in here."""
    getframe = sys._getframe
    ctypes_memory = _AUDIT_CTYPES_MEMORY
    opens_memory = _proc_memory_opener()

    def from_program():
        """Whether the caller of the audited function (past ctypes' own
        wrappers) is the program's: not under the interpreter's libraries."""
        f = getframe(3)  # 0 here, 1 check, 2 the hook, 3 the caller
        while f is not None and f.f_code.co_filename.startswith(ctypes_dir):
            f = f.f_back
        return f is not None and not f.f_code.co_filename.startswith(lib)

    def check(event, args):
        if event == "sys._current_frames":
            return getframe(2).f_code not in trusted_codes
        if event in ctypes_memory:
            return from_program()
        if event == "open":
            return opens_memory(args[0])
        return False

    _install_audit_hook(_AUDIT_DENY, ctypes_memory | frozenset(["sys._current_frames", "open"]), check)


def _line(obj):
    obj["nonce"] = _NONCE
    return json.dumps(obj)


# ---------------------------------------------------------------- program construction

def clean_if_name(code):
    """Unwrap a final `if __name__ == '__main__':` block (only when it is the last statement)."""
    try:
        tree = ast.parse(code)
        last = tree.body[-1]
        if isinstance(last, ast.If) and ast.unparse(last.test).strip() == "__name__ == '__main__'":
            code = ast.unparse(tree.body[:-1]) + "\n" + ast.unparse(last.body)
    except Exception:
        pass
    return code


def make_function(code):
    """Hoist imports; every other top-level statement goes into `def wrapped_function():`."""
    try:
        tree = ast.parse(code)
        imports = [s for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom))]
        rest = [s for s in tree.body if not isinstance(s, (ast.Import, ast.ImportFrom))]
        fn = ast.FunctionDef(
            name="wrapped_function",
            args=ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]),
            body=rest, decorator_list=[], lineno=-1)
        return IMPORT_STRING + "\n" + ast.unparse(imports) + "\n" + ast.unparse(fn)
    except Exception:
        return code


def compile_code(code, timeout):
    signal.alarm(timeout)
    try:
        module = types.ModuleType("tmp_sol", "")
        exec(code, module.__dict__)
        # LeetCode solutions live in class Solution (a text test, as upstream)
        compiled = module.Solution() if "class Solution" in code else module
        assert compiled is not None
    finally:
        signal.alarm(0)
    return compiled


# ---------------------------------------------------------------- official stdin mocks

class _FirstLineBuffer:
    """sys.stdin.buffer: read() gives all bytes; readline() always the first line."""

    def __init__(self, text):
        self._data = text.encode("utf-8")

    def read(self, *args):
        return self._data

    def readline(self, *args):
        return self._data.split(b"\n")[0] + b"\n"


class _MockStdin:
    """Not iterable (no __iter__): `for line in sys.stdin` raises TypeError, as upstream."""

    def __init__(self, text):
        self._text = text
        self._io = io.StringIO(text)
        self.buffer = _FirstLineBuffer(text)

    def read(self, *args):
        return self._text

    def readline(self, *args):
        return self._io.readline(*args)

    def readlines(self, *args):
        return self._text.split("\n")

    def __getattr__(self, name):
        return getattr(self._io, name)


def _call_official(method, inputs):
    from unittest.mock import mock_open, patch

    text = "\n".join(inputs) if isinstance(inputs, list) else inputs
    lines = iter(text.split("\n"))
    # Entered in upstream's decorator order (innermost first): the three method
    # patches land on the process's own sys.stdin, then sys.stdin is replaced.
    patches = [
        patch("sys.stdin.read", lambda *a: text),
        patch("sys.stdin.readlines", lambda *a: text.split("\n")),
        patch("sys.stdin.readline", lambda *a: next(lines)),
        patch("sys.stdin", _MockStdin(text)),
        patch("builtins.open", mock_open(read_data=text)),
    ]
    entered = []
    try:
        for p in patches:
            p.__enter__()
            entered.append(p)
        try:
            return method()
        except SystemExit:
            pass
    finally:
        for p in reversed(entered):
            p.__exit__(None, None, None)


def _call_lenient(method, inputs):
    from unittest.mock import mock_open, patch

    text = "\n".join(inputs) if isinstance(inputs, list) else inputs
    stdin = io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8")
    with patch("sys.stdin", stdin), patch("builtins.open", mock_open(read_data=text)):
        try:
            return method()
        except SystemExit:
            pass


class _Capture:
    """sys.stdout as a StringIO whose close() is upstream's `lambda x: 1` (so close() raises)."""

    def __init__(self, lenient):
        self.lenient = lenient
        self.value = ""

    def __enter__(self):
        self._saved = sys.stdout
        if self.lenient:
            self._bytes = io.BytesIO()
            self._io = io.TextIOWrapper(self._bytes, encoding="utf-8", errors="surrogateescape",
                                        newline="\n", write_through=True)
            self._io.close = lambda *a: None
        else:
            self._io = io.StringIO()
            self._io.close = lambda x: 1
        sys.stdout = self._io
        return self

    def __exit__(self, *exc):
        if self.lenient:
            try:
                self._io.flush()
            except Exception:
                pass
            self.value = self._bytes.getvalue().decode("utf-8", "replace")
        else:
            self.value = self._io.getvalue()
        del self._io
        sys.stdout = self._saved


# ---------------------------------------------------------------- value codec

def encode(v, depth=0):
    """Plain JSON for null/bool/str/safe ints/lists; {"t","v"} otherwise. Builtin values only:
    a candidate class cannot decide its own equality here."""
    if depth > _MAX_DEPTH:
        raise RecursionError("value nested too deeply")
    if v is None or isinstance(v, bool):
        return bool(v) if v is not None else None
    if isinstance(v, int):
        v = int(v)
        return v if -_INT_SAFE <= v <= _INT_SAFE else {"t": "int", "v": format(v, "x")}
    if isinstance(v, float):
        return {"t": "float", "v": float.__repr__(v)}
    if isinstance(v, str):
        return str.__str__(v)
    if isinstance(v, list):
        return [encode(x, depth + 1) for x in list.__iter__(v)]
    if isinstance(v, tuple):
        return {"t": "tuple", "v": [encode(x, depth + 1) for x in tuple.__iter__(v)]}
    if isinstance(v, dict):
        return {"t": "dict", "v": [[encode(k, depth + 1), encode(x, depth + 1)] for k, x in dict.items(v)]}
    if isinstance(v, (set, frozenset)):
        return {"t": "set", "v": [encode(x, depth + 1) for x in v]}
    mod = type(v).__module__
    if mod == "numpy":
        import numpy
        if isinstance(v, numpy.bool_):
            return bool(v)
        if isinstance(v, numpy.integer):
            return encode(int(v), depth)
        if isinstance(v, numpy.floating):
            return encode(float(v), depth)
    if mod == "decimal" or mod == "fractions":
        import decimal
        import fractions
        if isinstance(v, decimal.Decimal) and v.is_finite():
            v = fractions.Fraction(v)
        if isinstance(v, fractions.Fraction):
            return {"t": "fraction", "v": [format(v.numerator, "x"), format(v.denominator, "x")]}
    return {"t": "opaque", "v": type(v).__name__}


# ---------------------------------------------------------------- the run

def _error_text(e):
    try:
        s = repr(e)
    except Exception:
        s = type(e).__name__
    return s[:_ERR_MAX]


def _fail(index, e, t0):
    timed_out = "timeoutexception" in _error_text(e).lower() or isinstance(e, TimeoutException)
    ev = {"event": "test", "index": index, "status": "timeout" if timed_out else "error",
          "error": _error_text(e), "etype": type(e).__name__,
          "time_ms": round((_monotonic() - t0) * 1000, 3)}
    emit(ev)


def run_stdin(spec):
    timeout = spec["timeout_s"]
    lenient = spec.get("lenient", False)
    code = make_function(clean_if_name(spec["code"]))
    method = _compile(code, timeout, "wrapped_function")
    if method is None:
        return
    emit({"event": "compiled", "ok": True})
    caller = _call_lenient if lenient else _call_official
    for index, inp in enumerate(spec["inputs"]):
        signal.alarm(timeout)
        faulthandler.enable()
        signal.alarm(timeout)
        t0 = _monotonic()
        failed = None
        with _Capture(lenient) as cap:
            try:
                caller(method, inp)
                signal.alarm(0)
            except BaseException as e:  # upstream: Exception here, anything else ends the process
                signal.alarm(0)
                failed = e
            finally:
                signal.alarm(0)
                faulthandler.disable()
        if failed is not None:
            _fail(index, failed, t0)
            return
        _report(_line({"event": "test", "index": index, "status": "ok", "output": cap.value,
                       "time_ms": round((_monotonic() - t0) * 1000, 3)}))


def run_functional(spec):
    timeout = spec["timeout_s"]
    code = IMPORT_STRING + "\n\n" + spec["code"]
    method = _compile(code, timeout, spec.get("fn_name"))
    if method is None:
        return
    try:
        args = [[json.loads(line) for line in inp.split("\n")] for inp in spec["inputs"]]
    except Exception as e:
        emit({"event": "compiled", "ok": False, "error": "test input is not JSON: " + _error_text(e)})
        return
    emit({"event": "compiled", "ok": True})
    for index, a in enumerate(args):
        signal.alarm(timeout)
        faulthandler.enable()
        t0 = _monotonic()
        try:
            prediction = method(*a)
            signal.alarm(0)
            if isinstance(prediction, tuple):
                prediction = list(prediction)
            value = encode(prediction)
        except BaseException as e:
            signal.alarm(0)
            _fail(index, e, t0)
            return
        finally:
            signal.alarm(0)
            faulthandler.disable()
        _report(_line({"event": "test", "index": index, "status": "ok", "value": value,
                       "time_ms": round((_monotonic() - t0) * 1000, 3)}))


def _compile(code, timeout, name):
    try:
        compiled = compile_code(code, timeout)
    except BaseException as e:
        emit({"event": "compiled", "ok": False, "error": _error_text(e),
              "syntax": isinstance(e, SyntaxError)})
        return None
    method = getattr(compiled, name, None) if name and hasattr(compiled, name) else None
    if method is None:
        emit({"event": "compiled", "ok": False, "error": "no function %r" % (name,), "syntax": False})
        return None
    return method


# Modules upstream's worker process has imported before its reliability_guard
# (testing_util and its caller import them), so a candidate's `import numpy`
# works there although numpy's import calls functions the guard removes.
# Loaded only when the code names them: numpy alone costs 0.1-0.8 s.
_PRELOAD = {"numpy": ("numpy",), "multiprocessing": ("multiprocessing",),
            "concurrent": ("concurrent.futures",), "platform": ("platform",)}


def preload(code):
    for word, modules in _PRELOAD.items():
        if word in code:
            for m in modules:
                try:
                    __import__(m)
                except Exception:
                    pass


def main():
    global _OUT, _NONCE
    path = sys.argv[1]
    with open(path, encoding="utf-8") as f:
        spec = json.load(f)
    os.unlink(path)
    _NONCE = spec.get("nonce", "")
    _prctl(_PR_SET_DUMPABLE, 0)  # no other process of this uid may read our memory or open our /proc/PID/fd
    # Our reports go to a private copy of stdout; the program's own fd 0/1
    # lead nowhere, as in upstream's worker process.
    _OUT = os.dup(1)
    # the witness reads its key from fd 0 before it is closed, and before any program code
    witness_code, start = _witness(_OUT, sys._getframe(), frozenset([run_stdin.__code__, run_functional.__code__]))
    start()
    del start
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    sys.stdin = open(0, "r", closefd=False)
    sys.stdout = open(1, "w", closefd=False)
    if spec.get("lenient"):
        sys.set_int_max_str_digits(0)
    else:
        sys.set_int_max_str_digits(50000)
    signal.signal(signal.SIGALRM, _on_alarm)
    preload(spec["code"])
    if spec["mode"] != "functional":
        import unittest.mock  # noqa: F401  (loaded outside the first test's alarm, as upstream)
    upstream_reliability_guard(null_exit=False)  # as run_test calls it (no memory limit); upstream keeps exit
    lib = tuple(d.rstrip("/") + "/" for d in sys.path[1:] if os.path.isabs(d))
    ctypes_dir = os.path.dirname(os.path.abspath(types.__file__)) + "/ctypes/"
    _install_guard(frozenset([witness_code]), lib, ctypes_dir)
    try:
        if spec["mode"] == "functional":
            run_functional(spec)
        else:
            run_stdin(spec)
    except BaseException as e:  # the candidate broke out of a test
        emit({"event": "escaped", "error": _error_text(e)})
    line = _line({"event": "done"})
    _report(line)
    _exit(0)


# Run as a fork of the container's fork server (Step.zygote): it has run
# this module body once, and these imports, which every program's
# IMPORT_STRING (and unittest.mock for stdin programs) would make anyway.
# random reseeds itself in each fork (os.register_at_fork).
__verdict_zygote__ = main


def __verdict_zygote_preload__():
    for m in _STAR + ["unittest.mock"]:
        __import__(m)


if __name__ == "__main__":
    main()
