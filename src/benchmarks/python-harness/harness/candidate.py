# What runs in the candidate process: a fresh interpreter that receives this
# script over a pipe (_BOOT), applies the upstream reliability guard, runs the
# program and then answers only "call entry_point(*args)" requests with
# codec data. Nothing here decides a verdict.
# bundle: requires upstream_guard, codec, rpc

import builtins
import io
import json
import os
import subprocess  # noqa: F401 - the guard imports it; here a fork server pays that once (~15 ms a grade)
import sys


# ---------------------------------------------------------------------------
# Candidate process side
# ---------------------------------------------------------------------------
class _NoInput(io.StringIO):
    """stdin replacement: every read fails, as in upstream swallow_io."""

    def read(self, *a, **k):
        raise OSError("stdin is not available")

    def readline(self, *a, **k):
        raise OSError("stdin is not available")

    def readlines(self, *a, **k):
        raise OSError("stdin is not available")

    def readable(self):
        return False


class _Sink(io.StringIO):
    """stdout/stderr replacement that drops everything (no memory growth)."""

    def write(self, s):
        return len(s)

    def writelines(self, lines):
        for _ in lines:
            pass


def _guard(flavour):
    """Same effects as upstream reliability_guard(); flavour 'evalplus' also
    disables open() like evalplus/eval/utils.py does."""
    upstream_reliability_guard()
    if flavour == "evalplus":
        builtins.open = None


def _builtin_exc_name(t):
    """Name of the nearest builtin exception class of t.  Only the type goes
    to the judge: a message (or a program-defined class name) can echo the
    hidden test inputs, and a __str__ can hang or raise."""
    try:
        for k in type.__getattribute__(t, "__mro__"):
            name = type.__getattribute__(k, "__name__")
            if type(name) is str and getattr(builtins, name, None) is k:
                return name
    except Exception:
        pass
    return "Exception"


def _exc_info(e):
    t = type(e)
    return {
        "type": _builtin_exc_name(t),
        "memory": issubclass(t, MemoryError),
        "syntax": issubclass(t, SyntaxError),
    }


def child_main(rfd, wfd):
    """Entry point of the candidate process (after the bootstrap exec)."""
    _read = os.read
    _write = os.write

    def send(obj):
        data = _frame(obj)
        view = memoryview(data)
        while view:
            n = _write(wfd, view)
            view = view[n:]

    def recv_exact(n):
        chunks = []
        while n:
            c = _read(rfd, min(n, 1 << 20))
            if not c:
                os._exit(0)  # judge went away
            chunks.append(c)
            n -= len(c)
        return b"".join(chunks)

    def recv():
        n = int.from_bytes(recv_exact(4), "big")
        with _raised_recursion():
            return json.loads(recv_exact(n))

    def send_failed(e, kind):
        info = _exc_info(e)
        info["ok"] = False
        info["kind"] = kind
        send(info)

    send({"op": "hello"})
    init = recv()
    mem = init.get("mem")
    if isinstance(mem, int) and mem > 0:
        try:
            import resource

            for lim in (resource.RLIMIT_AS, resource.RLIMIT_DATA, resource.RLIMIT_STACK):
                resource.setrlimit(lim, (mem, mem))
        except Exception:
            pass
    entry = init.get("entry_point")
    source = init.get("source")
    if init.get("guard") == "evalplus" and isinstance(source, str) and "numpy" in source:
        # upstream's worker already has numpy loaded (evalplus.eval imports it)
        # when the guard sets open=None; a cold `import numpy` would break.
        try:
            import numpy  # noqa: F401
        except Exception:
            pass
    sys.stdin = _NoInput()
    sys.stdout = _Sink()
    sys.stderr = _Sink()
    sys.__stdout__ = sys.stdout
    sys.__stderr__ = sys.stderr
    sys.__stdin__ = sys.stdin
    _guard(init.get("guard"))
    gl = {}
    try:
        code = compile(source, "<candidate>", "exec")
    except BaseException as e:  # SyntaxError, ValueError (NUL bytes), MemoryError
        send_failed(e, "compile")
        return
    try:
        exec(code, gl)
    except BaseException as e:
        send_failed(e, "import")
        return
    names = init.get("names")
    if isinstance(names, list):
        # asserts mode: the judge binds each name the tests use to what the
        # program defined; objects without a plain-data form stay here as refs
        global _CAND_REFS
        _CAND_REFS = []
        fn = None
        bound = {}
        for n in names:
            if type(n) is not str or n not in gl:
                continue
            v = gl[n]
            if type(v) is type(os):
                # which module is the judge's decision (from the trusted
                # reference), never this module's __name__
                bound[n] = {"kind": "module"}
            elif callable(v):
                bound[n] = {"kind": "callable"}
            else:
                try:
                    bound[n] = {"kind": "value", "value": encode_value(v, opaque_ok=True)}
                except BaseException as e:
                    send_failed(e, "import")
                    return
        send({"ok": True, "names": bound})
    else:
        if not isinstance(entry, str) or entry not in gl:
            send({"ok": False, "kind": "missing", "type": "NameError", "memory": False, "syntax": False})
            return
        fn = gl[entry]
        send({"ok": True})
    while True:
        msg = recv()
        if msg.get("op") != "call":
            return
        target = fn
        name = msg.get("name")
        if name is not None:
            target = gl.get(name) if type(name) is str else None
            if not callable(target):
                send({"ok": False, "type": "TypeError", "memory": False, "syntax": False})
                continue
        try:
            args = decode_value(msg.get("args"), np_ok=False)
            kwargs = decode_value(msg.get("kwargs"), np_ok=False)
        except BaseException as e:
            send({"ok": False, "type": "HarnessError", "memory": False, "syntax": False})
            continue
        try:
            out = target(*args, **kwargs)
            if msg.get("digest") == _DIGEST_ALG:
                hx, n = repr_digest(out)
                reply = {"ok": True, "digest": hx, "bytes": n}
            else:
                reply = {"ok": True, "value": encode_value(out, opaque_ok=True)}
            out = None
        except BaseException as e:
            reply = _exc_info(e)
            reply["ok"] = False
        del args, kwargs
        try:
            send(reply)
        except MemoryError:
            send({"ok": False, "type": "MemoryError", "memory": True, "syntax": False})


# The candidate interpreter is started fresh (fork + exec) so it holds no copy
# of the judge's memory (spec, expected outputs, nonce).  It receives this
# file's source over the pipe instead of reading it from disk, which also works
# when it runs under a uid that cannot read the scratch directory.
_BOOT = (
    "import os,sys\n"
    "r,w=int(sys.argv[1]),int(sys.argv[2])\n"
    "def _rd(n):\n"
    "    b=b''\n"
    "    while len(b)<n:\n"
    "        c=os.read(r,n-len(b))\n"
    "        if not c:\n"
    "            os._exit(0)\n"
    "        b+=c\n"
    "    return b\n"
    "_src=_rd(int.from_bytes(_rd(4),'big'))\n"
    "_g={'__name__':'verdict_candidate','__builtins__':__builtins__}\n"
    "del _rd\n"
    "_c=__import__('marshal').loads(_src[1:]) if _src[:1]==b'M' else compile(_src[1:],'verdict_harness.py','exec')\n"
    "exec(_c,_g)\n"
    "del _c\n"
    "del _src\n"
    "_g['child_main'](r,w)\n"
)
