# Mode asserts (MBPP): the program runs in the candidate, each assert in the
# judge with the names it reads bound to the program's definitions, and only
# names the problem's own program binds.
# bundle: requires clock, codec, failures, reporter, trusted

import builtins
import sys


def _assert_names(tests):
    """Names the asserts read, in first-use order."""
    import ast  # lazy: keeps candidate start-up short
    seen = []
    for i, t in enumerate(tests):
        try:
            tree = ast.parse(t, "<test>")
        except SyntaxError as e:
            raise HarnessError("test %d does not parse: %s" % (i, e))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id not in seen:
                seen.append(node.id)
    return seen


def _program_bindings(src):
    """Names a trusted program (the problem's reference code and test setup)
    binds at module level, and for each bound by an import, the module it
    names: {name: module name or None}.  Parsed, never run.  None if the
    program does not parse or star-imports (its names are then unknown)."""
    import ast  # lazy: keeps candidate start-up short
    try:
        tree = ast.parse(src)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            for n in node.names:
                out.setdefault(n, None)
    stack = [tree]
    while stack:
        n = stack.pop()
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.setdefault(n.name, None)
            stack.extend(n.decorator_list)
            continue  # its body is another scope
        if isinstance(n, ast.Lambda):
            continue
        if isinstance(n, ast.Import):
            for a in n.names:
                if a.asname:
                    out[a.asname] = a.name
                else:
                    top = a.name.split(".")[0]
                    out[top] = top
            continue
        if isinstance(n, ast.ImportFrom):
            for a in n.names:
                if a.name == "*":
                    return None
                mod = "%s.%s" % (n.module, a.name) if n.module and n.level == 0 else None
                out[a.asname or a.name] = mod
            continue
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            out.setdefault(n.id, None)
        elif isinstance(n, ast.NamedExpr) and isinstance(n.target, ast.Name):
            out.setdefault(n.target.id, None)
        if isinstance(n, ast.comprehension):
            # the loop target is the comprehension's own; a walrus in the
            # condition binds here
            stack.append(n.iter)
            stack.extend(n.ifs)
            continue
        stack.extend(ast.iter_child_nodes(n))
    return out


def _trusted_modules(allowed, bindings):
    """Import, before any candidate runs, each module the trusted program
    binds to a name the asserts may take from the program."""
    import importlib  # lazy: keeps candidate start-up short
    mods = {}
    for name in allowed:
        modname = bindings.get(name)
        if type(modname) is not str:
            continue
        try:
            with _swallowed():
                m = importlib.import_module(modname)
        except BaseException:  # `from m import attr`: not a module; or missing
            continue
        if type(m) is type(sys):
            mods[name] = m
    return mods


def _bind_remote(judge, cand, g, deadline, sticky, allowed, modules):
    """Bind in the test namespace g what the candidate program defined, for
    the names in `allowed` only.  A module binding becomes the judge's own
    import of the module the trusted program names there (never one the
    candidate names); without one it is the candidate's opaque value."""
    for name, desc in judge.bound.items():
        if type(name) is not str or name not in allowed or type(desc) is not dict:
            continue
        kind = desc.get("kind")
        if kind == "callable":
            g[name] = _remote_callable(judge, cand, deadline, sticky, name, by_name=True)
        elif kind == "module":
            m = modules.get(name)
            g[name] = m if m is not None else Opaque("module", True)
        elif kind == "value":
            try:
                g[name] = decode_value(desc.get("value"))
            except (Exception, RecursionError, MemoryError) as e:
                raise Failure("runtime_error", "malformed value from candidate process (%s)" % type(e).__name__)


def _asserts_allowed(names, judge_bound, reference, entry):
    """Names the asserts may take from the candidate program: those the
    problem's own program (reference code + test setup) binds, never a name
    the test imports bind.  Builtins stay the judge's unless the reference
    itself rebinds one (MBPP 126 defines `sum`).  Without a reference: every
    name but builtins, plus the entry point."""
    bindings = _program_bindings(reference) if isinstance(reference, str) else None
    allowed = []
    for n in names:
        if n in judge_bound or n == "__builtins__":
            continue
        if bindings is not None:
            ok = n in bindings
        else:
            ok = n == entry or not hasattr(builtins, n)
        if ok:
            allowed.append(n)
    return allowed, bindings or {}


def run_asserts(judge, rep):
    """MBPP-style: program = source, then each assert statement in order
    (the first failing one ends the run).  The program runs in the candidate;
    the asserts run here, with the names they read bound to the candidate's
    definitions (calls go over the RPC channel, values come back as data)."""
    spec = judge.spec
    source = spec.get("source")
    tests = spec.get("tests")
    imports = spec.get("imports", "")
    timeout = float(spec.get("timeout_s", 3.0))
    if not isinstance(source, str) or not isinstance(imports, str):
        raise HarnessError("spec fields 'source' and 'imports' must be strings")
    if not isinstance(tests, list) or not all(isinstance(t, str) for t in tests):
        raise HarnessError("spec field 'tests' must be a list of strings")
    reference = spec.get("reference")
    entry = spec.get("entry_point")
    if reference is not None and not isinstance(reference, str):
        raise HarnessError("spec field 'reference' must be a string")
    names = _assert_names(tests)
    _preload_imports(imports, "\n".join(tests))
    g = {}
    if imports:
        try:
            with _swallowed():
                exec(compile(imports, "<test>", "exec"), g)
        except BaseException as e:
            raise HarnessError("test imports do not run: %s: %s" % (type(e).__name__, e))
    allowed, bindings = _asserts_allowed(names, set(g), reference, entry)
    if reference is None:
        # no trusted program: a module name the asserts read is its own identity
        bindings = {n: n for n in allowed if n in sys.stdlib_module_names}
    modules = _trusted_modules(allowed, bindings)
    compiled = []
    for t in tests:
        compiled.append(compile(t, "<test>", "exec"))

    cand = judge.new_candidate()
    t0 = _now()
    deadline = t0 + timeout
    sticky = []
    outcome = None
    done = 0
    reported = False
    try:
        fail = judge.start_candidate(cand, source, None, "humaneval", deadline, names=allowed)
        if fail is not None:
            outcome = fail
        else:
            _bind_remote(judge, cand, g, deadline, sticky, set(allowed), modules)
            judge.arm(deadline)
            try:
                for i, code in enumerate(compiled):
                    ts = _now()
                    try:
                        with _swallowed():
                            exec(code, g)
                    except Failure:
                        raise
                    except AssertionError:
                        outcome = Failure("wrong_answer", "assertion %d failed" % i)
                    except HarnessError:
                        raise
                    except BaseException as e:
                        outcome = Failure("wrong_answer", "assertion %d raised %s" % (i, _judge_exc_text(e)))
                    if sticky:
                        outcome = sticky[0]
                    if outcome is None and _now() > deadline:
                        outcome = Failure("timeout", "timed out")
                    rep.emit({"event": "test", "index": i, "status": "pass" if outcome is None else "fail",
                              "time_ms": _ms(_now() - ts)})
                    if outcome is not None:
                        reported = True
                        break
                    done += 1
            finally:
                judge.disarm()
    except Failure as f:
        outcome = sticky[0] if sticky else f
    finally:
        cand.close()
    if outcome is not None and not reported and done < len(compiled):
        # the program failed to load, or the alarm fired inside an assert
        rep.emit({"event": "test", "index": done, "status": "timeout" if outcome.reason == "timeout" else "fail"})
    if outcome is not None and outcome.reason == "timeout":
        outcome.detail = "timed out after %gs" % timeout
    return _result(outcome)
