"""verdict (Aider Polyglot, Python): a pytest plugin, loaded with -p before the
tests are collected, so before the solution is imported.

It reports each test's outcome, and the session's end, as records signed with a
key only an audit hook holds (an audit hook cannot be removed, and nothing
refers to it), written to a pipe the wrapper (.verdict/run.py) verifies. A
record is signed only when

  * it comes from this plugin's hook, called by pluggy, under pytest's own
    runner frames (call_and_report for a test, wrap_session for the end), with
    pytest's entry at the bottom and no frame of any other code in between:
    a solution calling the hook itself, from a thread, an atexit handler or an
    object's method, is refused;
  * the functions and classes of pytest, pluggy, unittest and builtins are the
    ones this plugin found at start-up, and every hook implementation is
    pytest's or ours (a patched runtest, assertEqual or runner function, or a
    plugin registered by the solution, is reported as tampering).

So a run that ends early (os._exit(0) at import or at exit) has no end record,
and printed summaries count for nothing. The hook also refuses what would reach
the key: gc's object walks, ctypes, opening /proc/*/mem.
"""

import sys


def _install():
    import hashlib
    import hmac
    import os
    import types

    key_fd = int(os.environ.pop("VERDICT_KEY_FD"))
    rep_fd = int(os.environ.pop("VERDICT_REPORT_FD"))
    key = os.read(key_fd, 256)
    os.close(key_fd)

    getframe = sys._getframe
    write = os.write
    realpath = os.path.realpath
    new_mac = hmac.new
    sha256 = hashlib.sha256
    FunctionType = types.FunctionType
    MethodType = types.MethodType
    CodeType = types.CodeType
    _id = id
    _type = type
    _str = str
    _int = int
    _len = len

    trusted = set()  # code objects of pytest and pluggy (and this plugin)

    def add_code(c, depth=0):
        if c in trusted or depth > 30:
            return
        trusted.add(c)
        for k in c.co_consts:
            if _type(k) is CodeType:
                add_code(k, depth + 1)

    def functions(v):
        if _type(v) is FunctionType:
            yield v
        elif isinstance(v, (staticmethod, classmethod)):
            yield from functions(v.__func__)
        elif isinstance(v, property):
            for f in (v.fget, v.fset, v.fdel):
                if f is not None:
                    yield from functions(f)

    # what the runner is made of, as found now: name -> identity
    snapshot = []  # (namespace, key, id of value)
    keep = []  # keeps every snapshotted value alive, so ids stay unique
    RUNNER = ("_pytest", "pytest", "pluggy")
    CHECKED = RUNNER + ("unittest", "builtins")
    for name, mod in list(sys.modules.items()):
        root = name.split(".")[0]
        if mod is None or root not in CHECKED + ("verdict_pytest",):
            continue
        if name == "verdict_pytest":
            # ours: trusted code, but this module's namespace is still being built
            for v in list(vars(mod).values()):
                for f in functions(v):
                    add_code(f.__code__)
            continue
        runner = root in RUNNER
        ns = vars(mod)
        for k, v in list(ns.items()):
            if callable(v) or isinstance(v, type):
                snapshot.append((ns, k, _id(v)))
                keep.append(v)
            for f in functions(v):
                if runner:
                    add_code(f.__code__)
            if isinstance(v, type) and getattr(v, "__module__", None) == name:
                cls_ns = vars(v)
                for ck, cv in list(cls_ns.items()):
                    if callable(cv) or isinstance(cv, (staticmethod, classmethod, property)):
                        snapshot.append((cls_ns, ck, _id(cv)))
                        keep.append(cv)
                    for f in functions(cv):
                        if runner:
                            add_code(f.__code__)
    import _pytest.main
    import _pytest.runner
    import pluggy._callers
    import pluggy._hooks
    HookCaller = pluggy._hooks._HookCaller
    HookImpl = pluggy._hooks.HookImpl
    multicall = pluggy._callers._multicall.__code__
    callers = {"verdict.record": _pytest.runner.call_and_report.__code__, "verdict.finish": _pytest.main.wrap_session.__code__}
    # pytest's entry: the frames under us now that are not the import machinery;
    # and the plugin manager importing us
    f = getframe(0)
    bottom = None
    pm = None
    while f is not None:
        c = f.f_code
        if not c.co_filename.startswith("<frozen"):
            add_code(c)
            bottom = c
        cand = f.f_locals.get("self")
        if pm is None and _type(cand).__name__ == "PytestPluginManager":
            pm = cand
        f = f.f_back
    ours = set()
    state = {"finished": False}
    # attributes pytest itself sets while it runs
    RUNTIME_SET = frozenset(("_getini_unknown_type",))

    def intact():
        for ns, k, i in snapshot:
            v = ns.get(k)
            if (v is None or _id(v) != i) and k not in RUNTIME_SET:
                return k
        if pm is None:
            return "no plugin manager"
        # types first: nothing here may call into objects the solution could have made
        for name, hc in list(vars(pm.hook).items()):
            if _type(hc) is not HookCaller:
                return "the hook " + _str(name)[:100]
            for impl in hc.get_hookimpls():
                if _type(impl) is not HookImpl:
                    return "a hook implementation of " + name
                fn = impl.function
                if _type(fn) is MethodType:
                    fn = fn.__func__
                if _type(fn) is not FunctionType or fn.__code__ not in trusted:
                    return "a hook implementation of " + name
        return None

    def emit(fields):
        line = "\t".join(fields)
        mac = new_mac(key, line.encode("utf-8", "replace"), sha256).hexdigest()[:32]
        try:
            write(rep_fd, (mac + "\t" + line + "\n").encode("utf-8", "replace"))
        except OSError:
            pass

    def stack_ok(event):
        f = getframe(2)  # 0: this, 1: hook, 2: the caller of sys.audit
        if f is None or f.f_code not in ours:
            return False
        g = f.f_back
        if g is None or g.f_code is not multicall:
            return False
        seen = False
        last = None
        while g is not None:
            c = g.f_code
            if c not in trusted:
                return False
            if c is callers[event]:
                seen = True
            last = c
            g = g.f_back
        return seen and last is bottom

    def hook(event, args):
        if _type(event) is not _str:
            return
        if event.startswith("verdict."):
            if event not in callers or state["finished"]:
                return
            if not stack_ok(event):
                emit(["forged", event])
                return
            bad = intact()
            if bad is not None:
                emit(["tampered", _str(bad)[:200]])
            if event == "verdict.finish":
                state["finished"] = True
                status = args[0] if _len(args) == 1 and _type(args[0]) is _int else -1
                emit(["finish", _str(status)])
            elif _len(args) == 4 and all(_type(a) is _str for a in args[:3]):
                if args[3]:
                    emit(["tampered", "the test item's or test case's own attributes"])
                emit(["test", args[0][:1000], args[1][:20], args[2][:20]])
            return
        # (new code objects stay allowed: the standard library makes them, e.g. under unittest.mock; they
        # never match the trusted code objects, which are compared by identity)
        if event in ("gc.get_objects", "gc.get_referrers", "gc.get_referents", "sys.addaudithook") or event.startswith("ctypes."):
            raise RuntimeError("verdict: %s is not allowed in a graded solution" % event)
        if event == "open" and _len(args) >= 1 and _type(args[0]) in (_str, bytes):
            p = args[0] if _type(args[0]) is _str else args[0].decode("utf-8", "replace")
            r = realpath(p)
            if r.startswith("/proc/") and r.rsplit("/", 1)[-1] in ("mem", "pagemap", "maps", "environ"):
                raise RuntimeError("verdict: reading process memory is not allowed in a graded solution")

    sys.addaudithook(hook)

    shadowed = {"flag": False}
    ITEM_METHODS = ("runtest", "setup", "teardown", "repr_failure", "_prunetraceback", "addSuccess", "addFailure", "addError",
                    "addSkip", "addExpectedFailure", "addUnexpectedSuccess", "startTest", "stopTest")
    CASE_PREFIXES = ("assert", "fail", "_call", "run", "debug", "skipTest", "subTest", "_feedErrorsToResult", "_addSkip")

    def pytest_runtest_makereport(item, call):
        # methods replaced on the instances (not the classes) of the running test
        d = getattr(item, "__dict__", {})
        if any(k in d and callable(d[k]) for k in ITEM_METHODS):
            shadowed["flag"] = True
        case = d.get("_testcase")
        for k in list(getattr(case, "__dict__", {})):
            if k.startswith(CASE_PREFIXES):
                shadowed["flag"] = True
        # the test function that runs must still be the one the test class had at collection
        cls = getattr(item, "cls", None)
        name = getattr(item, "originalname", None) or getattr(item, "name", "")
        if cls is not None and (_id(cls), name) in collected:
            current = None
            for klass in cls.__mro__:
                if name in vars(klass):
                    current = vars(klass)[name]
                    break
            if current is not collected[(_id(cls), name)]:
                shadowed["flag"] = True

    collected = {}

    def pytest_collection_modifyitems(session, config, items):
        for it in items:
            cls = getattr(it, "cls", None)
            name = getattr(it, "originalname", None) or getattr(it, "name", "")
            for klass in getattr(cls, "__mro__", ()):
                if name in vars(klass):
                    collected[(_id(cls), name)] = vars(klass)[name]
                    keep.append(cls)
                    break

    def pytest_runtest_logreport(report):
        sys.audit("verdict.record", _str(report.nodeid), _str(report.when), _str(report.outcome), shadowed["flag"])

    def pytest_sessionfinish(session, exitstatus):
        sys.audit("verdict.finish", _int(exitstatus))

    ours.add(pytest_runtest_logreport.__code__)
    ours.add(pytest_sessionfinish.__code__)
    trusted.update(ours)
    trusted.add(pytest_runtest_makereport.__code__)
    trusted.add(pytest_collection_modifyitems.__code__)
    return pytest_collection_modifyitems, pytest_runtest_makereport, pytest_runtest_logreport, pytest_sessionfinish


pytest_collection_modifyitems, pytest_runtest_makereport, pytest_runtest_logreport, pytest_sessionfinish = _install()
del _install
