# The verdict vocabulary of one candidate interaction: Failure (the
# candidate's fault, with a reason the service knows), HarnessError (ours),
# and how a crash, a compile error or an exception the candidate reported
# becomes one, with details that carry exception types, never messages.

import builtins


_DETAIL_MAX = 500


class HarnessError(Exception):
    """Internal/infrastructure error (not the candidate's fault)."""


# Outcome of one candidate interaction, in verdict vocabulary.
class Failure(BaseException):
    """Raised through trusted test code; BaseException so `except Exception`
    in a test cannot swallow a candidate crash/timeout."""

    def __init__(self, reason, detail, extra=None):
        BaseException.__init__(self, detail)
        self.reason = reason
        self.detail = detail
        self.extra = extra or {}


def _trunc(s, n=_DETAIL_MAX):
    s = str(s)
    return s if len(s) <= n else s[: n - 3] + "..."


def _safe_exc_type(name):
    """A candidate's exception type as reported over the pipe: the name of a
    builtin exception class, or "Exception" (the candidate controls the text)."""
    if type(name) is str and len(name) <= 64:
        t = getattr(builtins, name, None)
        if isinstance(t, type) and issubclass(t, BaseException):
            return name
    return "Exception"


def _fmt_exc_info(info):
    # type only: a message can echo hidden test inputs (docs/hostile.md)
    return _safe_exc_type(info.get("type"))


def _failure_from_child_error(info):
    reason = "memory_limit" if info.get("memory") is True else "runtime_error"
    name = _safe_exc_type(info.get("type"))
    return Failure(reason, name, {"exception": name})


def _compile_failure(source):
    """The judge compiles the program itself (compiling runs none of it) for
    the message of a compile error: the candidate's own report could be
    forged by code that already ran."""
    try:
        compile(source, "<candidate>", "exec")
    except (SyntaxError, ValueError) as e:
        try:
            return Failure("compile_error", _trunc("%s: %s" % (type(e).__name__, e)))
        except Exception:
            return Failure("compile_error", type(e).__name__)
    except (MemoryError, RecursionError, OverflowError) as e:
        return Failure("compile_error", type(e).__name__)
    return None


def _failure_from_crash(cand, when):
    info = cand.exit_info()
    if "killed_by_signal" in info:
        detail = "candidate process killed by signal %d %s" % (info["killed_by_signal"], when)
    elif "exit_code" in info:
        detail = "candidate process exited with code %d %s" % (info["exit_code"], when)
    else:
        detail = "candidate process ended %s" % when
    return Failure("runtime_error", detail, info)


def _result(failure):
    """The result fields for the first failure of a run, or a pass."""
    if failure is None:
        return {"status": "pass", "reason": None, "detail": None}
    res = {"status": "fail", "reason": failure.reason, "detail": _trunc(failure.detail)}
    for k in ("killed_by_signal", "exit_code"):
        if k in failure.extra:
            res[k] = failure.extra[k]
    return res
