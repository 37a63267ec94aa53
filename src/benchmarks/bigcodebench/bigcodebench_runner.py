"""BigCodeBench runner: trusted judge for one program (solution + unittest TestCases).

    python3 -I bigcodebench_runner.py SPEC.json

Semantics of the official harness (bigcodebench/eval/__init__.py @47eff25):
program = solution + "\n" + test, exec'd as module `__test__`; the TestCases
suite runs under a SIGALRM limit of `timeout` seconds and the process is
joined for timeout + 1; pass = the module ran, the suite finished, and the
result has no failures and no errors (skips and unexpected successes pass).
Inside: TZ=UTC, OMP_NUM_THREADS=1, RLIMIT_AS/DATA/STACK, exit/quit = None,
stdout/stderr/stdin swallowed (also of subprocesses), kill/exec/system
wrapped as its safe_environment does, cwd a fresh temporary directory.

Unlike HumanEval the tests must run in the candidate's process (they take
DataFrames, Axes, mocks from it), so the judge (this process) cannot keep
asserts away from the candidate. What it does instead (docs/bigcodebench.md):
  * the judge reads the spec, deletes it, keeps the nonce and the report key,
    and starts the child as a fresh interpreter (not a fork), stdout/stderr on
    /dev/null; it keeps the account of every unittest callback itself;
  * in the child, a witness thread started before the program loads reads the
    key from stdin and keeps it in its own frame only; it signs a report only
    when the main thread's stack shows each step called by its one legitimate
    caller (unittest -> the runner's callbacks -> _report), and it holds and
    checks the tamper snapshots (unittest internals, the test class and its
    instances, the result, the comparison hooks);
  * an audit hook refuses the program other threads' frames, gc walks,
    tracing, new hooks, ctypes memory calls from its own code, /proc/PID/mem
    and swapping a function's __code__;
  * SystemExit, KeyboardInterrupt and exceptions at module level are fails;
    os._exit or a signal death before the final report is a fail; the exit
    code is never read.
Strict mode (the default; spec "mode") also fails what the official harness
passes: a test passed through an always-equal object, a skip or an expected
failure the test source does not declare, a test whose outcome never reached
the result, unittest's _ShouldStop raised in a test (class Strict and Result
below). Notes travel as reports, so one run gives both verdicts; the judge
reports the official one beside a strict fail.
Remaining limits (documented, not defended): a program that reads or writes
raw memory without an audited call (numpy's __array_interface__ with a raw
address, library wrappers of ctypes, CPython memory bugs) can find the key
or rewrite the interpreter and forge a complete run; it can neuter the
asserts by patching what the tests call outside unittest (numpy.testing,
pandas.testing, builtins such as isinstance/len), by lying in ways the probes
do not try, or by reaching strict mode's state through closures (then the
official verdict stands); code compiled under a library file name through the
import system counts as library code. The sandbox, not this file, is the
boundary.
"""
import ast
import hashlib
import hmac
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import types

# bundle: include ../python-common/prctl.py
# bundle: include ../python-common/upstream_guard.py
# bundle: include ../python-common/audit.py

_MAX_MSG = 1 << 20
_MPL_CACHE = "/opt/verdict/matplotlib"


# ---------------------------------------------------------------------------
# Judge side
# ---------------------------------------------------------------------------

def expected_tests(test_src):
    """Test method names of `class TestCases` when the source alone decides
    them (it derives straight from unittest.TestCase); None otherwise."""
    try:
        tree = ast.parse(test_src)
    except SyntaxError:
        return None
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "TestCases":
            plain = all(
                (isinstance(b, ast.Attribute) and b.attr == "TestCase") or (isinstance(b, ast.Name) and b.id == "TestCase")
                for b in node.bases
            )
            if not plain or not node.bases:
                return None
            return sorted(
                n.name for n in node.body
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name.startswith("test")
            )
    return None


def _candidate_uid():
    """The uid the agent wants code under test to run as (this judge runs as
    another uid, with CAP_SETUID/SETGID/KILL/CHOWN for this), or None."""
    uid = globals().get("__verdict_candidate_uid__")
    return uid if isinstance(uid, int) else None


def _candidate_identity():
    uid = _candidate_uid()
    return {} if uid is None else {"user": uid, "group": uid, "extra_groups": []}

class Judge:
    def __init__(self, spec):
        self.nonce = spec["nonce"]
        self.spec = spec
        self.key = os.urandom(32)

    def emit(self, obj):
        obj["nonce"] = self.nonce
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    def result(self, status, reason=None, detail=None, official=None):
        ev = {"event": "result", "status": status, "reason": reason, "detail": (detail or "")[:1500] or None}
        if official is not None:
            ev["official"] = official
        self.emit(ev)

    def child_env(self):
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": "/tmp",
            "LANG": "C.UTF-8",
            "TZ": "UTC",
            "OMP_NUM_THREADS": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "MPLCONFIGDIR": "/tmp/matplotlib",
        }
        return env

    def prepare_matplotlib(self):
        # The image's font cache, copied where matplotlib may write (the root fs is read-only).
        try:
            if os.path.isdir(_MPL_CACHE) and not os.path.exists("/tmp/matplotlib"):
                shutil.copytree(_MPL_CACHE, "/tmp/matplotlib")
                uid = _candidate_uid()
                if uid is not None:  # the candidate's matplotlib writes there
                    for d, dirs, files in os.walk("/tmp/matplotlib"):
                        for n in [d] + [os.path.join(d, x) for x in dirs + files]:
                            os.chown(n, uid, uid)
        except OSError:
            pass

    def run(self):
        spec = self.spec
        timeout = float(spec["timeout_s"])
        expected = expected_tests(spec["test"])
        # first line: the key, which only the child's witness thread reads
        payload = self.key.hex().encode() + b"\n" + json.dumps({
            "code": spec["code"],
            "test": spec["test"],
            "timeout": timeout,
            "as_bytes": int(spec.get("max_as_bytes") or 0),
            "data_bytes": int(spec.get("max_data_bytes") or 0),
            "stack_bytes": int(spec.get("max_stack_bytes") or 0),
        }).encode()
        self.prepare_matplotlib()
        r, w = os.pipe()
        me = os.getpid()

        def preexec():  # pragma: no cover - runs in the child before exec
            _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
            if os.getppid() != me:
                os._exit(125)
            try:
                with open("/proc/self/oom_score_adj", "w") as f:
                    f.write("1000")
            except Exception:
                pass

        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-I", os.path.abspath(__file__), "--child", str(w)],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(w,), env=self.child_env(), start_new_session=True, preexec_fn=preexec,
            cwd="/tmp", **_candidate_identity(),
        )
        os.close(w)
        try:
            proc.stdin.write(payload)
            proc.stdin.close()
        except OSError:
            pass
        # The official parent joins the process for timeout + 1 seconds.
        deadline = started + timeout + 1
        buf, timed_out = self.read_all(r, proc, deadline)
        wall = time.monotonic() - started
        for fn in (lambda: os.killpg(proc.pid, signal.SIGKILL), lambda: proc.kill()):
            try:
                fn()
            except OSError:
                pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        os.close(r)
        self.judge(buf, expected, timed_out, proc.returncode, wall)

    def read_all(self, r, proc, deadline):
        """The child's reports until the pipe closes, the child exits (a
        forked grandchild may hold the pipe open) or the deadline passes."""
        import select
        chunks = []
        size = 0
        os.set_blocking(r, False)
        exited = False
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return b"".join(chunks), True
            ready, _, _ = select.select([r], [], [], min(left, 0.05 if exited else 0.5))
            if not ready:
                if exited:
                    return b"".join(chunks), False
                exited = proc.poll() is not None
                continue
            try:
                data = os.read(r, 65536)
            except BlockingIOError:
                continue
            if not data:
                return b"".join(chunks), False
            size += len(data)
            if size > 64 * _MAX_MSG:
                return b"".join(chunks), False
            chunks.append(data)

    def messages(self, buf):
        """The witness's lines: "SEQ KIND MAC MSG", numbered from 1 without
        gaps, each MAC'd with the key only the witness thread holds. None if
        anything else is on the pipe: the program wrote there."""
        out = []
        for i, line in enumerate(buf.split(b"\n")):
            if not line:
                continue
            try:
                seq, kind, mac, msg = line.decode("utf-8").split(" ", 3)
                good = hmac.new(self.key, ("%s %s %s" % (seq, kind, msg)).encode("utf-8"), hashlib.sha256).hexdigest()
                if not hmac.compare_digest(good, mac) or int(seq) != len(out) + 1:
                    return None
                out.append((kind, json.loads(msg)))
            except Exception:
                return None
        return out

    def judge(self, buf, expected, timed_out, code, wall):
        msgs = self.messages(buf)
        if msgs is None:
            return self.result("fail", "runtime_error", "forged or corrupt report from the test process")
        names = None
        tests = {}  # name -> {"status", "detail", "started", "ended", "stopped", "note", "ms"}
        done = crash = tamper = None
        class_errors = []
        for kind, m in msgs:
            if kind == "tests" and names is None and isinstance(m, list) and all(isinstance(n, str) for n in m):
                names = list(m)
                continue
            if kind in ("start", "outcome", "note", "stop"):
                name = m.get("name") if isinstance(m, dict) else None
                if names is None or name not in names:
                    return self.result("fail", "runtime_error", "report for a test that is not in the suite")
                t = tests.get(name)
                if kind == "start":
                    if t is not None:
                        return self.result("fail", "runtime_error", "test %s ran twice" % name)
                    tests[name] = {"status": "pass", "detail": None, "ended": False, "stopped": False, "note": None}
                    continue
                if t is None or t["stopped"]:
                    return self.result("fail", "runtime_error", "report for test %s outside its run" % name)
                if kind == "outcome":
                    what, detail = m.get("what"), m.get("detail")
                    if what not in _OUTCOMES:
                        return self.result("fail", "runtime_error", "unexpected report from the test process")
                    t["ended"] = True
                    status = _OUTCOMES[what]
                    # as unittest keeps them: an error outranks a failure; the first of a kind counts
                    if status != "pass" and (t["status"] == "pass" or (t["status"] == "fail" and status != "fail")):
                        t["status"], t["detail"] = status, detail if isinstance(detail, str) else None
                elif kind == "note":
                    if t["note"] is None and isinstance(m.get("note"), str):
                        t["note"] = m["note"]
                else:
                    t["stopped"] = True
                    t["ms"] = m.get("ms") if isinstance(m.get("ms"), (int, float)) else None
                    if not t["ended"] and t["note"] is None:
                        t["note"] = "the test ended without a result (its outcome was diverted)"
                continue
            if kind == "class_error" and isinstance(m, str):
                class_errors.append(m)
            elif kind == "crash" and isinstance(m, dict) and crash is None:
                crash = m
            elif kind in ("tamper", "forged") and tamper is None:
                tamper = m if isinstance(m, str) else "?"
            elif kind == "done" and done is None:
                done = m
            elif kind not in ("tamper", "forged", "crash"):
                return self.result("fail", "runtime_error", "unexpected report from the test process")
        strict = self.spec.get("mode", "strict") == "strict"
        results = {n: t for n, t in tests.items() if t["stopped"]}
        if names is not None:
            for i, n in enumerate(names):
                r = results.get(n)
                if r is None:
                    continue
                status = "fail" if strict and r["note"] and r["status"] == "pass" else r["status"]
                ev = {"event": "test", "index": i, "group": n, "status": status}
                if r.get("ms") is not None:
                    ev["time_ms"] = r["ms"]
                self.emit(ev)
        if tamper is not None:
            return self.result("fail", "runtime_error", "the program tampered with the tests: " + tamper)
        if crash is not None:
            reason = "timeout" if crash.get("timeout") else "runtime_error"
            return self.result("fail", reason, str(crash.get("detail")))
        if done is None:
            if timed_out:
                return self.result("fail", "timeout", "no result within %.0f s" % (wall,))
            return self.result("fail", "runtime_error", "test process ended before finishing the suite (exit %s)" % (code,))
        if names is None:
            return self.result("fail", "runtime_error", "test process reported no test list")
        if class_errors:
            return self.result("fail", "runtime_error", class_errors[0])
        if expected is not None:
            missing = [n for n in expected if n not in names]
            if missing:
                return self.result("fail", "runtime_error", "tests not run: " + ", ".join(missing[:5]))
        unreported = [n for n in names if n not in results]
        if unreported:
            return self.result("fail", "runtime_error", "tests without a result: " + ", ".join(unreported[:5]))
        bad = [(n, results[n]) for n in names if results[n]["status"] != "pass"]
        if bad:
            n, r = bad[0]
            reason = {"fail": "wrong_answer", "timeout": "timeout"}.get(r["status"], "runtime_error")
            return self.result("fail", reason, "%s: %s" % (n, r.get("detail") or r["status"]))
        # Passed as the official harness counts. Strict: no test may have
        # passed through an always-equal object, a skip or an expected
        # failure the test does not declare, or a diverted outcome.
        noted = [(n, results[n]["note"]) for n in names if results[n]["note"]]
        if noted and strict:
            n, note = noted[0]
            reason = "wrong_answer" if note.startswith("always-equal") else "runtime_error"
            return self.result("fail", reason, "%s: %s (strict; the official harness passes this)" % (n, note),
                               official={"status": "pass", "reason": None})
        return self.result("pass")


# how each unittest outcome counts (the official harness: failures and errors fail)
_OUTCOMES = {"success": "pass", "skip": "pass", "xfail": "pass", "uxsuccess": "pass",
             "fail": "fail", "error": "error", "timeout": "timeout"}


def judge_main(argv):
    path = argv[1]
    with open(path) as f:
        spec = json.load(f)
    try:
        os.unlink(path)
    except OSError:
        pass
    _prctl(_PR_SET_DUMPABLE, 0)  # same-uid candidate cannot read our memory (the nonce, the key)
    judge = Judge(spec)
    try:
        judge.run()
    except Exception as e:  # ours: infra error
        import traceback
        judge.result("error", None, "runner: %s\n%s" % (e, traceback.format_exc()[-800:]))
    return 0


# ---------------------------------------------------------------------------
# Strict checks: what the official harness is fooled by (docs/hostile.md)
# ---------------------------------------------------------------------------
# Frames of this file are hidden from unittest's failure tracebacks, as its own are.
__unittest = True

_HEAPTYPE = 1 << 9
_PLAIN = frozenset([int, float, complex, bool, str, bytes, type(None)])
_VALUES = frozenset([int, float, complex, bool, str, bytes, type(None), list, tuple, dict, set, frozenset])
# methods through which an object decides ==, `in` and truth
_PROTOCOL = ("__eq__", "__ne__", "__bool__", "__len__", "__contains__", "__iter__", "__getitem__",
             "__getattribute__", "__getattr__", "__class__")
# objects looked at per assertion: containers beyond it are not scanned further
_BUDGET = 50000
_DEPTH = 12


class _Falsy:
    __slots__ = ()

    def __bool__(self):
        return False

    def __len__(self):
        return 0


def _truthy(r):
    if r is NotImplemented:
        return False
    try:
        return bool(r)
    except Exception:
        return False


def _falsy(r):
    if r is NotImplemented:
        return False
    try:
        return not bool(r)
    except Exception:
        return False


class Strict:
    """Checks the official harness does not make; they only add notes, never
    change how a test runs, so one run gives both the official verdict and
    the strict one.

    * Equality liars: every operand of the assertEqual family, assertIn and
      of ==, !=, in, not in in the test source (rewritten to call `cmp`) is
      scanned, through builtin containers. An object whose class is not
      library code (a class with a method compiled outside the interpreter's
      library directories, or a protocol method that is not a function) is
      probed: it must not equal a fresh object() or a fresh falsy object, nor
      be unequal-false to one; a subclass of a builtin value type must not
      claim equality where the builtin says otherwise; any other such object
      must not claim to equal a plain int/str/list/dict/...
    * Skips and expected failures: see Result in child_main.
    """

    def __init__(self, lib_dirs, exempt, timeout_exc):
        self.lib = tuple(d.rstrip("/") + "/" for d in lib_dirs)
        self.codes = set()  # code objects trusted wherever they live: the test source's, our hooks'
        self.exempt = exempt  # library classes never probed (mocks record calls to their ==)
        self.timeout_exc = timeout_exc
        self.cache = {}
        self.notes = {}  # test id -> first note
        self.current = None
        self.budget = 0
        self.busy = False  # inside a hooked assertion (assertEqual calls assertListEqual ...)
        self.memo = {}  # type -> trusted, within one check
        self.reported = None  # sends a note to the witness (set per test)

    # -- which types are library code ------------------------------------------
    def lib_func(self, f):
        code = getattr(f, "__code__", None)
        if code in self.codes:
            return True
        fn = getattr(code, "co_filename", None)
        return isinstance(fn, str) and fn.startswith(self.lib)

    def lib_member(self, v, protocol):
        if isinstance(v, (staticmethod, classmethod)):
            v = v.__func__
        if isinstance(v, property):
            return all(g is None or self.lib_member(g, protocol) for g in (v.fget, v.fset, v.fdel))
        if isinstance(v, types.FunctionType):
            return self.lib_func(v)
        if not protocol or v is None:
            return True
        # C methods of builtin types; anything else (bool, partial, a callable object) is suspect
        return isinstance(v, (types.WrapperDescriptorType, types.MethodDescriptorType, types.MethodWrapperType))

    def trusted(self, t):
        ok = self.memo.get(t)
        if ok is None:
            ok = self.memo[t] = self._trusted(t)
        return ok

    def _trusted(self, t):
        heap = [c for c in t.__mro__ if c.__flags__ & _HEAPTYPE]
        if not heap:
            return True
        for c in heap:
            if c in self.exempt:
                return True
        # cheap staleness check: members added or removed, or == / != replaced
        key = ([len(c.__dict__) for c in heap], t.__eq__, t.__ne__)
        hit = self.cache.get(t)
        if hit is not None and hit[0][0] == key[0] and hit[0][1] is key[1] and hit[0][2] is key[2]:
            return hit[1]
        ok = True
        for c in heap:
            for k, v in list(c.__dict__.items()):
                if not self.lib_member(v, k in _PROTOCOL):
                    ok = False
                    break
            if not ok:
                break
        self.cache[t] = (key, ok)
        return ok

    # -- probes ------------------------------------------------------------------
    def value_base(self, t):
        for c in t.__mro__:
            if c in _VALUES:
                return c
        return None

    def liar(self, x, y, paired):
        t = type(x)
        if t in _PLAIN or self.trusted(t):
            return None
        try:
            if _truthy(x == object()) or _truthy(x == _Falsy()):
                return "its == says it equals a fresh object()"
            if _falsy(x != object()):
                return "its != says it is not unequal to a fresh object()"
            if paired and _truthy(x == y):
                base = self.value_base(t)
                if base is not None:
                    r = base.__eq__(x, y)
                    if r is NotImplemented and type(y) in _VALUES:
                        r = type(y).__eq__(y, x)
                    if r is False:
                        return "its == says it equals %s where %s.__eq__ says not" % (type(y).__name__, base.__name__)
                elif type(y) in _VALUES:
                    return "an object of the program's own class %s says it equals a %s" % (t.__name__, type(y).__name__)
        except self.timeout_exc:
            raise
        except Exception:
            pass
        return None

    def _items(self, x):
        """The items of a builtin container (C iteration, none of the candidate's
        methods), at most the budget left; None for anything else."""
        it = self._iter(x)
        return None if it is None else list(itertools.islice(it, max(self.budget, 0)))

    def _iter(self, x):
        t = type(x)
        if issubclass(t, (list, tuple)):
            return (list.__iter__ if issubclass(t, list) else tuple.__iter__)(x)
        if issubclass(t, dict):
            return (v for kv in dict.items(x) for v in kv)
        if issubclass(t, frozenset):
            return frozenset.__iter__(x)
        if issubclass(t, set):
            return set.__iter__(x)
        return None

    def one(self, x, depth):
        t = type(x)
        if t in _PLAIN:
            return None
        self.budget -= 1
        if self.budget < 0 or depth > _DEPTH:
            return None
        m = self.liar(x, None, False)
        if m:
            return m
        items = self._items(x)
        if items is not None:
            self.budget -= len(items)
            if _PLAIN.issuperset(map(type, items)):
                return None
            for v in items:
                m = self.one(v, depth + 1)
                if m:
                    return m
        return None

    def pair(self, a, b, depth):
        ta, tb = type(a), type(b)
        if ta in _PLAIN and tb in _PLAIN:
            return None
        self.budget -= 1
        if self.budget < 0 or depth > _DEPTH:
            return None
        m = self.liar(a, b, True) or self.liar(b, a, True)
        if m:
            return m
        seq = (list, tuple)
        if issubclass(ta, seq) and issubclass(tb, seq):
            la, lb = self._items(a), self._items(b)
            if len(la) == len(lb):
                self.budget -= len(la)
                if _PLAIN.issuperset(map(type, la)) and _PLAIN.issuperset(map(type, lb)):
                    return None
                for x, y in zip(la, lb):
                    m = self.pair(x, y, depth + 1)
                    if m:
                        return m
                return None
        elif issubclass(ta, dict) and issubclass(tb, dict):
            for k, v in list(itertools.islice(dict.items(a), max(self.budget, 0))):
                m = self.one(k, depth + 1)
                if not m:
                    m = self.pair(v, dict.__getitem__(b, k), depth + 1) if dict.__contains__(b, k) else self.one(v, depth + 1)
                if m:
                    return m
            return self.one(b, depth)
        return self.one(a, depth) or self.one(b, depth)

    def member(self, x, container):
        """`x in container`: x must not claim to equal the builtin container's items."""
        m = self.one(x, 0) or self.one(container, 0)
        t = type(x)
        if m or t in _PLAIN or self.trusted(t):
            return m
        it = self._iter(container) if not issubclass(type(container), dict) else dict.__iter__(container)
        for y in (it if it is not None else ()):
            self.budget -= 1
            if self.budget < 0:
                break
            m = self.liar(x, y, True)
            if m:
                return m
        return None

    def note(self, msg):
        if self.current is not None and self.current not in self.notes:
            self.notes[self.current] = msg
            if self.reported is not None:
                self.reported(msg[:500])  # at once: a note cannot be taken back

    def check(self, *operands, paired=True, member=False):
        """Scan the operands of one assertion; never raises (but a timeout)."""
        if self.current is None or self.current in self.notes:
            return
        try:
            self.budget = _BUDGET
            self.memo.clear()
            if member:
                m = self.member(operands[0], operands[1])
            elif paired and len(operands) >= 2:
                m = self.pair(operands[0], operands[1], 0)
            else:
                m = None
                for x in operands:
                    m = m or self.one(x, 0)
            if m:
                self.note("always-equal object: " + m)
        except self.timeout_exc:
            raise
        except Exception:
            pass


_PAIRED_ASSERTS = ("assertEqual", "assertEquals", "failUnlessEqual", "assertListEqual", "assertTupleEqual",
                   "assertSequenceEqual", "assertDictEqual", "assertSetEqual", "assertCountEqual",
                   "assertMultiLineEqual", "assertAlmostEqual", "assertAlmostEquals", "failUnlessAlmostEqual",
                   "assertDictContainsSubset")
_UNPAIRED_ASSERTS = ("assertIn",)


def _hook_asserts(TestCase, strict):
    """Wrap the equality assertions of TestCase (before the tamper snapshot)."""
    def make(orig, paired):
        def wrapper(self, first, second, *a, **kw):
            if strict.busy:
                return orig(self, first, second, *a, **kw)
            strict.check(first, second, paired=paired, member=not paired)
            strict.busy = True
            try:
                return orig(self, first, second, *a, **kw)
            finally:
                strict.busy = False
        wrapper.__name__ = orig.__name__
        wrapper.__qualname__ = orig.__qualname__
        wrapper.__doc__ = orig.__doc__
        return wrapper

    for name in _PAIRED_ASSERTS + _UNPAIRED_ASSERTS:
        orig = TestCase.__dict__.get(name)
        if isinstance(orig, types.FunctionType):
            setattr(TestCase, name, make(orig, name in _PAIRED_ASSERTS))
    strict.codes |= code_objects(make.__code__)


_CMP_HOOKS = {"eq": "__verdict_eq__", "ne": "__verdict_ne__", "in": "__verdict_in__", "notin": "__verdict_notin__",
              "chk": "__verdict_chk__", "stopped": "__verdict_stopped__", "stop": "__verdict_stop__"}


def _cmp_functions(strict):
    check = strict.check

    def eq(a, b):
        check(a, b)
        return a == b

    def ne(a, b):
        check(a, b)
        return a != b

    def in_(a, b):
        check(a, b, member=True)
        return a in b

    def notin(a, b):
        check(a, b, member=True)
        return a not in b

    def chk(a):
        check(a, paired=False)
        return a

    def stopped():
        strict.note("the test raised unittest's internal _ShouldStop, which ends it as a success")

    fns = {"eq": eq, "ne": ne, "in": in_, "notin": notin, "chk": chk, "stopped": stopped}
    for f in fns.values():
        strict.codes.add(f.__code__)
    hooks = {_CMP_HOOKS[k]: f for k, f in fns.items()}
    import unittest.case
    hooks[_CMP_HOOKS["stop"]] = unittest.case._ShouldStop
    return hooks


class _CmpRewriter(ast.NodeTransformer):
    """==, !=, in, not in in the test source (lines >= first) call the hooks."""
    _OPS = {ast.Eq: "eq", ast.NotEq: "ne", ast.In: "in", ast.NotIn: "notin"}

    def __init__(self, first):
        self.first = first

    def visit_FunctionDef(self, node):
        """A test method that raises unittest's _ShouldStop ends as a success
        (testPartExecutor swallows it): note it, then let it go on as before."""
        self.generic_visit(node)
        if node.lineno < self.first or not node.name.startswith("test") or not node.body:
            return node
        note = ast.Expr(ast.Call(func=ast.Name(id=_CMP_HOOKS["stopped"], ctx=ast.Load()), args=[], keywords=[]))
        handler = ast.ExceptHandler(type=ast.Name(id=_CMP_HOOKS["stop"], ctx=ast.Load()), name=None, body=[note, ast.Raise()])
        wrapped = ast.Try(body=node.body, handlers=[handler], orelse=[], finalbody=[])
        ast.copy_location(wrapped, node.body[0])
        for n in (note, note.value, note.value.func, handler, handler.type) + tuple(handler.body[1:]):
            ast.copy_location(n, node.body[-1])
        node.body = [wrapped]
        return node

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Compare(self, node):
        self.generic_visit(node)
        if node.lineno < self.first or not any(type(op) in self._OPS for op in node.ops):
            return node
        if len(node.ops) == 1:
            fn = ast.Name(id=_CMP_HOOKS[self._OPS[type(node.ops[0])]], ctx=ast.Load())
            return ast.copy_location(ast.Call(func=fn, args=[node.left, node.comparators[0]], keywords=[]), node)

        def wrap(e):
            return ast.copy_location(ast.Call(func=ast.Name(id=_CMP_HOOKS["chk"], ctx=ast.Load()), args=[e], keywords=[]), e)
        node.left = wrap(node.left)
        node.comparators = [wrap(c) for c in node.comparators]
        return node


def compile_program(code, test):
    """The official program (code + "\n" + test as __test__.py), its test-source
    comparisons routed through the hooks; falls back to the plain compile."""
    full = code + "\n" + test
    first = code.count("\n") + 2
    try:
        tree = _CmpRewriter(first).visit(ast.parse(full, "__test__.py"))
        ast.fix_missing_locations(tree)
        obj = compile(tree, "__test__.py", "exec")
    except SyntaxError:
        raise
    except Exception:
        obj = compile(full, "__test__.py", "exec")
    return obj, first


def code_objects(root, keep=lambda c: True):
    out, todo = set(), [root]
    while todo:
        c = todo.pop()
        if keep(c):
            out.add(c)
        todo.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
    return out


def module_code_objects(mods):
    out = set()
    for m in mods:
        for v in list(vars(m).values()):
            members = [v]
            if isinstance(v, type) and getattr(v, "__module__", None) == m.__name__:
                members = list(v.__dict__.values())
            for f in members:
                if isinstance(f, (staticmethod, classmethod)):
                    f = f.__func__
                if isinstance(f, property):
                    fs = [f.fget, f.fset, f.fdel]
                else:
                    fs = [f]
                for g in fs:
                    g = getattr(g, "__wrapped__", g)
                    if isinstance(g, types.FunctionType):
                        out |= code_objects(g.__code__)
    return out


# ---------------------------------------------------------------------------
# Child side: runs the candidate's program and its tests, reports over a pipe
# ---------------------------------------------------------------------------

# ---------------------------------------------------------------------------
# The witness: the only holder of the report key, in a thread of its own
# ---------------------------------------------------------------------------
# The tests must run in the candidate's interpreter, so whatever the runner's
# main-thread code can reach (closures, module globals, frames), the program
# can reach too. The key therefore lives in one place only: the frame of a
# thread started before any program code, which reads it from stdin itself.
# Signal handlers, tracebacks and f_back chains are all on the main thread;
# other threads' frames, gc walks, ctypes, /proc/PID/mem and new audit hooks
# are refused by an audit hook (irremovable). The main thread reports by
# calling _report(kind, msg, watch) and waiting; the witness then looks at the
# main thread's stack and signs msg only if every frame between _report and
# the real child_main frame is the runner's, unittest's or the test source's
# code: a report the program triggers, by calling any of them itself, has the
# program's frame in that chain and is refused. It also keeps the tamper
# snapshots (unittest, the test class and its instances, the result), which
# the program can therefore not rewrite. No program code runs in the witness:
# it calls only C functions bound before the program loads.

_W = [None, None]  # wake the witness, wait for it


def _report(kind, msg, watch=None):
    """Hand one report to the witness and wait until it has looked at this frame."""
    _W[0]()
    _W[1]()


# The three runners' witness threads (LiveCodeBench, BigCodeBench, USACO) look
# alike but are not shared, on purpose: each signs different facts (LCB: one
# test line, only from run_stdin/run_functional called by main; BigCodeBench:
# each unittest callback through its one legitimate caller, with tamper
# snapshots; USACO: a token before the program, "passed" once exec returned),
# and a witness may call only C functions bound in its own frame: a shared
# Python helper in its loop would be one more thing the program can rebind.
def _witness(wfd, child_frame, rules, watched_classes, watched_modules):
    import _hashlib
    import _thread
    import builtins
    import unittest
    wake, ack, ready = _thread.allocate_lock(), _thread.allocate_lock(), _thread.allocate_lock()
    for lock in (wake, ack, ready):
        lock.acquire()
    main = _thread.get_ident()
    rep_code = _report.__code__
    write, read, frames, exit_ = os.write, os.read, sys._current_frames, os._exit
    mac_of, fromhex = _hashlib.hmac_digest, bytes.fromhex
    _type, _str, _tuple, _len, _list, _callable, _id, _zip = type, str, tuple, len, list, callable, id, zip
    _dictof = object.__getattribute__
    base_type, test_case = type, unittest.TestCase
    std_equality = {dict: "assertDictEqual", list: "assertListEqual", tuple: "assertTupleEqual",
                    set: "assertSetEqual", frozenset: "assertSetEqual", str: "assertMultiLineEqual"}
    test_kinds = ("start", "outcome", "note", "stop")
    # Only C functions and identity tests below: dict lookups on the program's
    # dicts could run its __eq__/__hash__ (a key it planted), so those are iterated.

    def items(d):
        return _list(d.items())

    def same(a, b):
        if _len(a) != _len(b):
            return False
        for (k, v), (k2, v2) in _zip(a, b):
            if k is not k2 or v is not v2:
                return False
        return True

    class_state = frozenset(["_classSetupFailed", "tearDown_exceptions"])  # what unittest itself sets on a test class

    def class_items(c):
        return [(k, v) for k, v in items(c.__dict__) if _type(k) is not _str or k not in class_state]

    def named(d, names):
        """Items of d whose key is exactly a str in names (a set of ours)."""
        return [(k, v) for k, v in items(d) if _type(k) is _str and k in names]

    build_names = frozenset(["__build_class__", "__import__"])
    snap_builtins = named(builtins.__dict__, build_names)

    def run():
        try:
            hexkey = b""
            while _len(hexkey) < 65:
                b = read(0, 65 - _len(hexkey))
                if not b:
                    exit_(0)
                hexkey += b
            key = fromhex(hexkey[:64].decode())
            hexkey = b = None
            seq = 0
            send_code, result_codes, lambda_code, note_code, check_code, hook_codes, unittest_codes, base_codes = rules
            trusted = set(base_codes)
            snap_cls = [(c, items(c.__dict__)) for c in watched_classes]
            snap_mod = [(m, items(m.__dict__)) for m in watched_modules]
            snap_mod = [(m, frozenset(k for k, v in snap if _type(k) is _str), snap) for m, snap in snap_mod]
            suite = None
            ready.release()

            def sign(kind, msg):
                nonlocal seq
                seq += 1
                body = "%d %s %s" % (seq, kind, msg)
                mac = mac_of(key, body.encode("utf-8", "surrogatepass"), "sha256").hex()
                data = ("%d %s %s %s\n" % (seq, kind, mac, msg)).encode("utf-8", "surrogatepass")
                while data:
                    n = write(wfd, data)
                    data = data[n:]

            def equality_funcs_ok(t, eq):
                """TestCase.__init__'s table, exactly: type -> the name of its assert method."""
                if _type(eq) is not dict:
                    return False
                for k, v in items(eq):
                    if _type(v) is not _str or k not in std_equality or std_equality[k] != v:
                        return False
                return True

            def tampered(test):
                for c, snap in snap_cls:
                    if not same(snap, items(c.__dict__)):
                        return "unittest internals"
                for m, keys, snap in snap_mod:
                    if not same(snap, named(m.__dict__, keys)):
                        return "unittest internals"
                if not same(snap_builtins, named(builtins.__dict__, build_names)):
                    return "builtins"
                if suite is None:
                    return None
                cls, cls_snap, tests, result, methods, moddict, hook_names, hooks = suite
                if not same(cls_snap, class_items(cls)):
                    return "the test class"
                for k, v in items(_dictof(result, "__dict__")):
                    if _type(k) is not _str or k in methods:
                        return "the test result"
                if not same(hooks, named(moddict, hook_names)):
                    return "the comparison hooks"
                if test is not None:
                    entry = tests.get(_id(test))
                    if entry is None or entry[0] is not test or _type(test) is not cls:
                        return "a test that is not the suite's"
                for t, mine in tests.values():
                    if _type(t) is not cls:
                        return "a test"
                    for k, v in items(_dictof(t, "__dict__")):
                        if _type(k) is not _str or (k in methods and _callable(v)):
                            return "a test method"
                        if k == "_testMethodName" and v is not mine["name"]:
                            return "a test"
                        if k == "_type_equality_funcs" and (v is not mine["eq"] or not same(mine["eq_items"], items(v))):
                            return "a test"
                return None

            def take_suite(watch):
                cls, tests, result, moddict, hooks = watch
                if _type(cls) is not base_type:
                    return None
                bases = cls.__bases__
                if _len(bases) != 1 or bases[0] is not test_case:
                    return None
                methods = set()
                for c in cls.__mro__ + _type(result).__mro__:
                    methods.update(k for k, v in items(c.__dict__) if _type(k) is _str and _callable(v))
                entries = {}
                for t in tests:
                    if _type(t) is not cls:
                        return None
                    d = _dictof(t, "__dict__")
                    mine = {"name": None, "eq": None, "eq_items": None}
                    for k, v in items(d):
                        if _type(k) is not _str or (k in methods and _callable(v)):
                            return None
                        if k == "_testMethodName":
                            mine["name"] = v
                        elif k == "_type_equality_funcs":
                            mine["eq"] = v
                    if not equality_funcs_ok(t, mine["eq"]):
                        return None
                    mine["eq_items"] = items(mine["eq"])
                    entries[_id(t)] = (t, mine)
                hook_names = frozenset(k for k in hooks)
                return (cls, class_items(cls), entries, result, methods, moddict, hook_names,
                        named(moddict, hook_names))

            while True:
                wake.acquire()
                f = frames().get(main)
                if f is None or f.f_code is not rep_code:
                    f = None
                    ack.release()
                    continue
                loc = f.f_locals
                kind, msg, watch = loc.get("kind"), loc.get("msg"), loc.get("watch")
                # Who called whom, frame by frame: C functions leave no frame,
                # so each step names its only legitimate direct caller.
                g = f.f_back
                direct = g is child_frame
                ok = direct
                if not direct and g is not None and g.f_code is send_code:
                    g = g.f_back
                    c = g.f_code if g is not None else None
                    if c in result_codes:
                        g = g.f_back  # a unittest callback: called by unittest
                        ok = g is not None and g.f_code in unittest_codes
                    elif c is lambda_code:  # a strict note
                        g = g.f_back
                        if g is not None and g.f_code is note_code:
                            g = g.f_back
                            c = g.f_code if g is not None else None
                            if c is check_code:
                                g = g.f_back
                                ok = g is not None and g.f_code in hook_codes
                            elif c in hook_codes:  # __verdict_stopped__, from a test method
                                ok = True
                            elif c in result_codes:
                                g = g.f_back
                                ok = g is not None and g.f_code in unittest_codes
                while ok and g is not None and g is not child_frame:
                    if g.f_code not in trusted:
                        ok = False
                        break
                    g = g.f_back
                f = g = loc = None
                if not ok:
                    sign("forged", '"a report the runner did not make"')
                elif kind == "program" and direct:
                    trusted.update(watch)  # the test source's code objects
                elif kind == "tests" and direct and suite is None:
                    what = tampered(None)
                    suite = take_suite(watch)
                    if what is not None or suite is None:
                        sign("tamper", '"%s"' % (what or "the test suite"))
                    sign(kind, msg)
                elif (kind in test_kinds or kind == "class_error") and not direct or kind in ("crash", "done") and direct:
                    what = tampered(watch if kind in test_kinds else None)
                    if what is None and kind in test_kinds and watch is None:
                        what = "a test that is not the suite's"
                    if what is not None:
                        sign("tamper", '"%s"' % what)
                    sign(kind, msg)
                else:
                    sign("forged", '"a report the runner did not make"')
                kind = msg = watch = None
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
    runner's rules: other threads' frames for the witness (and matplotlib's
    event-loop probe), ctypes memory calls from the program's own code, code
    compiled under a frame reader's file name, a function's __code__ swapped.
    Binds everything it calls (module globals and builtins are the program's
    to rebind; none of its code may run in here)."""
    getframe = sys._getframe
    ctypes_memory = _AUDIT_CTYPES_MEMORY
    opens_memory = _proc_memory_opener()
    frame_readers = {"_get_running_interactive_framework": "/matplotlib/cbook/__init__.py"}
    reader_files = tuple(frame_readers.values())
    checked = frozenset(["sys._current_frames", "open", "object.__setattr__", "compile", "code.__new__"])
    _type, _str, _bytes = type, str, bytes

    def from_program(skip_ctypes):
        """Whether the code that called the audited function (past ctypes' own
        wrappers) is the program's: not under the interpreter's libraries."""
        f = getframe(3)  # 0 here, 1 check, 2 the hook, 3 the caller
        while skip_ctypes and f is not None and f.f_code.co_filename.startswith(ctypes_dir):
            f = f.f_back
        return f is not None and not f.f_code.co_filename.startswith(lib)

    def check(event, args):
        if event == "sys._current_frames":
            c = getframe(2).f_code
            # the witness; and matplotlib, which looks for an event loop in every
            # thread's stack and returns only a name
            return c not in trusted_codes and not (c.co_name in frame_readers and c.co_filename.endswith(frame_readers[c.co_name]))
        if event in ctypes_memory:
            return from_program(True)
        if event == "compile" or event == "code.__new__":
            # code under the file name of a frame reader allowed above: only the import system's
            fn = args[1]
            if _type(fn) is _bytes:
                fn = fn.decode("utf-8", "replace")
            if _type(fn) is not _str or not fn.endswith(reader_files):
                return False
            return not getframe(2).f_code.co_filename.startswith("<frozen importlib")
        if event == "object.__setattr__":  # a test's code swapped under an unchanged function (numpy does this to its own)
            return args[1] == "__code__" and from_program(False)
        if event == "open":
            return opens_memory(args[0])
        return False

    _install_audit_hook(_AUDIT_DENY, checked | ctypes_memory, check)


# ---------------------------------------------------------------------------
# Child side: runs the candidate's program and its tests, reports through the witness
# ---------------------------------------------------------------------------

def child_main(wfd):  # pragma: no cover - exercised through the judge
    import builtins
    import contextlib
    import faulthandler
    import resource
    import tempfile
    import types
    import unittest
    import unittest.case
    import unittest.loader
    import unittest.mock
    import unittest.result
    import unittest.suite

    _dumps = json.dumps
    _monotonic = time.monotonic
    _setitimer, _signal = signal.setitimer, signal.signal
    _exit = os._exit

    def send(kind, obj, watch=None):
        _report(kind, _dumps(obj), watch)

    class TimeoutException(Exception):
        pass

    # The official harness counts a test as passed unless it failed or errored.
    # Strict also asks that it ended in a way the test source allows: a
    # success, a skip the test declared, an expected failure it declared.
    strict = Strict([d for d in sys.path if os.path.isabs(d)], (unittest.mock.NonCallableMock,), TimeoutException)
    _exc_info = sys.exc_info
    declared = {"skip": set(), "xfail": set(), "skip_src": False}
    trusted_frames = set()  # unittest's code objects and the test source's; filled before the suite runs

    def _tc(test):
        return getattr(test, "test_case", test)

    def _name(test):
        return _tc(test)._testMethodName

    # Each unittest callback is reported as it happens (the judge keeps the
    # account), so nothing the program changes later can take a failure back.
    class Result(unittest.TestResult):
        def __init__(self):
            super().__init__()
            self.t0 = {}

        def startTest(self, test):
            super().startTest(test)
            self.t0[test.id()] = _monotonic()
            strict.current = test.id()
            strict.reported = lambda note, test=test: send("note", {"name": _name(test), "note": note}, test)
            send("start", {"name": _name(test)}, test)

        def addSuccess(self, test):
            super().addSuccess(test)
            o = getattr(test, "_outcome", None)
            if getattr(o, "expectedFailure", None) and test._testMethodName not in declared["xfail"]:
                strict.note("an exception in the test was swallowed as an expected failure the test does not declare")
            send("outcome", {"name": _name(test), "what": "success"}, test)

        def addSkip(self, test, reason):
            super().addSkip(test, reason)
            tc = _tc(test)
            if not isinstance(tc, unittest.TestCase):
                return
            e = _exc_info()[1]
            name = tc._testMethodName
            if e is None:
                if name not in declared["skip"]:
                    strict.note("test skipped by a skip marker the test source does not set")
            else:
                tb = e.__traceback__
                while tb is not None:
                    if tb.tb_frame.f_code not in trusted_frames:
                        strict.note("unittest.SkipTest raised outside the test source (from %s, line %s)"
                                    % (tb.tb_frame.f_code.co_name, tb.tb_lineno))
                        break
                    tb = tb.tb_next
                else:
                    if not declared["skip_src"]:
                        strict.note("unittest.SkipTest raised in a test whose source declares no skip")
            send("outcome", {"name": name, "what": "skip"}, tc)

        def addExpectedFailure(self, test, err):
            super().addExpectedFailure(test, err)
            if test._testMethodName not in declared["xfail"]:
                strict.note("failure counted as expected, which the test source does not declare")
            send("outcome", {"name": _name(test), "what": "xfail"}, test)

        def addUnexpectedSuccess(self, test):
            super().addUnexpectedSuccess(test)
            send("outcome", {"name": _name(test), "what": "uxsuccess"}, test)

        def _detail(self, test, err):
            return self._exc_info_to_string(err, test)[-600:] if err else None

        def addFailure(self, test, err):
            super().addFailure(test, err)
            send("outcome", {"name": _name(test), "what": "fail", "detail": self._detail(test, err)}, test)

        def addError(self, test, err):
            super().addError(test, err)
            if not isinstance(test, unittest.TestCase):
                send("class_error", str(test) + ": " + self._exc_info_to_string(err, test)[-600:])
                return
            what = "timeout" if issubclass(err[0], TimeoutException) else "error"
            send("outcome", {"name": _name(test), "what": what, "detail": self._detail(test, err)}, test)

        def addSubTest(self, test, subtest, err):
            super().addSubTest(test, subtest, err)
            if err is not None:
                what = "fail" if issubclass(err[0], test.failureException) else "error"
                send("outcome", {"name": _name(test), "what": what, "detail": self._detail(test, err)}, test)

        def stopTest(self, test):
            super().stopTest(test)
            t0 = self.t0.pop(test.id(), None)
            strict.current = None
            strict.reported = None
            ms = round((_monotonic() - t0) * 1000, 1) if t0 is not None else None
            send("stop", {"name": _name(test), "ms": ms}, test)

    _hook_asserts(unittest.TestCase, strict)
    cmp_hooks = _cmp_functions(strict)

    watched = [unittest.TestCase, unittest.TestResult, unittest.TestSuite, unittest.suite.BaseTestSuite,
               unittest.TestLoader, unittest.case._Outcome, Result, unittest.case._AssertRaisesContext]
    modules = [unittest.case, unittest.result, unittest.suite, unittest.loader, unittest]
    loader = unittest.TestLoader()
    _ModuleType = types.ModuleType

    # Which code may report, and through whom (the witness checks each step).
    result_codes = frozenset(v.__code__ for v in vars(Result).values() if isinstance(v, types.FunctionType))
    lambda_code = [c for c in code_objects(Result.startTest.__code__) if c.co_name == "<lambda>"][0]
    hook_codes = frozenset([c for c in strict.codes if c.co_name == "wrapper"]
                           + [v.__code__ for v in cmp_hooks.values() if isinstance(v, types.FunctionType)])
    unittest_codes = frozenset(module_code_objects([m for n, m in list(sys.modules.items())
                                                    if n == "unittest" or n.startswith("unittest.") or n == "contextlib"]))
    strict_codes = frozenset(v.__code__ for v in vars(Strict).values() if isinstance(v, types.FunctionType))
    rules = (send.__code__, result_codes, lambda_code, Strict.note.__code__, Strict.check.__code__, hook_codes,
             unittest_codes, unittest_codes | hook_codes | strict_codes | result_codes)
    witness_code, start = _witness(wfd, sys._getframe(), rules, tuple(watched), tuple(modules))
    lib = tuple(d.rstrip("/") + "/" for d in sys.path[1:] if os.path.isabs(d))
    ctypes_dir = os.path.dirname(os.path.abspath(types.__file__)) + "/ctypes/"
    _install_guard(frozenset([witness_code]), lib, ctypes_dir)
    start()
    del start

    raw = sys.stdin.buffer.read()
    spec = json.loads(raw)
    del raw
    fd0 = os.open(os.devnull, os.O_RDONLY)
    os.dup2(fd0, 0)

    # --- the official environment -------------------------------------------------
    current_pid = os.getpid()
    current_pgid = os.getpgid(current_pid)
    child_pids = []
    orig = {
        "kill": os.kill, "killpg": os.killpg, "system": os.system, "popen": os.popen,
        "call": subprocess.call, "check_output": subprocess.check_output,
        "run": subprocess.run, "Popen": subprocess.Popen,
    }

    # As the official safe_environment: only our own pid or children we started may be signalled.
    def safe_kill(pid, sig):
        try:
            os.getpgid(pid)
            if pid == current_pid or pid in child_pids:
                orig["kill"](pid, sig)
        except ProcessLookupError:
            pass

    def safe_killpg(pgid, sig):
        if pgid == current_pgid or pgid in {os.getpgid(p) for p in child_pids}:
            orig["killpg"](pgid, sig)

    def _mentions_kill(command):
        try:
            return "kill" in command or "killall" in command
        except TypeError:
            return False

    def safe_system(command):
        return 0 if _mentions_kill(command) else orig["system"](command)

    def safe_call(command, *a, **kw):
        return 0 if _mentions_kill(command) else orig["call"](command, *a, **kw)

    def safe_check_output(command, *a, **kw):
        try:
            if "ps" in command:
                return b""
        except TypeError:
            pass
        return orig["check_output"](command, *a, **kw)

    def safe_run(*a, **kw):
        if a and _mentions_kill(a[0]):
            return subprocess.CompletedProcess(a, 0, b"", b"")
        return orig["run"](*a, **kw)

    class SafePopen(orig["Popen"]):
        def __init__(self, *a, **kw):
            kw["preexec_fn"] = os.setsid
            super().__init__(*a, **kw)
            child_pids.append(self.pid)

        def communicate(self, *a, **kw):
            try:
                return super().communicate(*a, **kw)
            except subprocess.TimeoutExpired:
                return None, None

        def kill(self):
            safe_kill(self.pid, signal.SIGTERM)

        def terminate(self):
            safe_kill(self.pid, signal.SIGTERM)

    def safe_os_popen(command):
        if _mentions_kill(command):
            return orig["popen"]("echo Intercepted")
        return orig["popen"](command)

    def safe_exec(*a, **kw):
        return None

    os.kill, os.killpg, os.system, os.popen = safe_kill, safe_killpg, safe_system, safe_os_popen
    subprocess.call, subprocess.check_output, subprocess.run = safe_call, safe_check_output, safe_run
    subprocess.Popen = SafePopen
    os.execv = os.execvp = os.execvpe = safe_exec
    # swallow_subprocess_output: children's output goes to pipes unless the caller chose
    inner_popen, inner_run = subprocess.Popen, subprocess.run

    def swallowed(kw):
        if kw.get("capture_output"):
            kw.pop("stdout", None)
            kw.pop("stderr", None)
        else:
            kw.setdefault("stdout", subprocess.PIPE)
            kw.setdefault("stderr", subprocess.PIPE)
        return kw

    def popen_patch(*a, **kw):
        return inner_popen(*a, **swallowed(kw))

    def run_patch(*a, **kw):
        return inner_run(*a, **swallowed(kw))

    subprocess.Popen, subprocess.run = popen_patch, run_patch

    workdir = tempfile.mkdtemp(prefix="bcb-")
    os.chdir(workdir)
    # reliability_guard
    os.environ["TZ"] = "UTC"
    time.tzset()
    os.environ["OMP_NUM_THREADS"] = "1"
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
    if spec["as_bytes"] and spec["data_bytes"] and spec["stack_bytes"]:
        for lim, v in ((resource.RLIMIT_AS, spec["as_bytes"]), (resource.RLIMIT_DATA, spec["data_bytes"]),
                       (resource.RLIMIT_STACK, spec["stack_bytes"])):
            try:
                resource.setrlimit(lim, (v, v))
            except (ValueError, OSError):
                pass
    faulthandler.disable()
    builtins.exit = None
    builtins.quit = None

    stream = _WriteOnlyStringIO()
    sys.stdout = sys.stderr = sys.stdin = stream

    module = _ModuleType("__test__")
    module.__dict__.update({"__builtins__": builtins, "__file__": "__test__.py", "__package__": None,
                            "__doc__": None, "sys": sys, "os": os, "environ": os.environ})

    def on_alarm(signum, frame):
        raise TimeoutException("Timed out!")

    unittest_codes = module_code_objects([m for n, m in list(sys.modules.items())
                                          if n == "unittest" or n.startswith("unittest.") or n == "contextlib"])
    module.__dict__.update(cmp_hooks)
    try:
        program, test_line = compile_program(spec["code"], spec["test"])
        test_codes = code_objects(program, lambda c: c.co_firstlineno >= test_line)
        strict.codes |= test_codes
        trusted_frames.update(unittest_codes, test_codes)
        _report("program", "null", frozenset(test_codes))
        exec(program, module.__dict__)
        sys.modules["__test__"] = module
        test_cases = module.__dict__["TestCases"]
        suite = loader.loadTestsFromTestCase(test_cases)
        tests = list(suite)
        names = [t._testMethodName for t in tests]
        # what the test source declares, read before any test runs
        cls_skip = bool(getattr(test_cases, "__unittest_skip__", False))
        cls_xfail = bool(getattr(test_cases, "__unittest_expecting_failure__", False))
        for n in names:
            fn = getattr(test_cases, n, None)
            if cls_skip or getattr(fn, "__unittest_skip__", False):
                declared["skip"].add(n)
            if cls_xfail or getattr(fn, "__unittest_expecting_failure__", False):
                declared["xfail"].add(n)
        declared["skip_src"] = "skip" in spec["test"].lower()
        result = Result()
        _report("tests", _dumps(names), (test_cases, tuple(tests), result, module.__dict__, dict(cmp_hooks)))
        del tests
        _setitimer(signal.ITIMER_REAL, spec["timeout"])
        _signal(signal.SIGALRM, on_alarm)
        try:
            suite.run(result)
        finally:
            _setitimer(signal.ITIMER_REAL, 0)
        _report("done", "{}")
    except BaseException as e:  # noqa: B036 - the official harness counts any of these as a fail
        try:
            detail = "%s: %s" % (type(e).__name__, e)
        except BaseException:
            detail = "exception"
        try:
            _report("crash", _dumps({"detail": str(detail)[:800], "timeout": isinstance(e, TimeoutException)}))
        except BaseException:
            pass
    _exit(0)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--child":
        child_main(int(sys.argv[2]))
    else:
        sys.exit(judge_main(sys.argv))
