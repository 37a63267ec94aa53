# Mode humaneval: the prompt and test run in the judge, check() gets a stand-in
# for the entry point that calls into the candidate.
# bundle: requires clock, failures, reporter, trusted

# ---------------------------------------------------------------------------
# Mode: humaneval
# ---------------------------------------------------------------------------
def _exec_prompt_for_helpers(prompt, g, notes):
    import ast  # lazy: keeps candidate start-up short
    """The judge needs the prompt's helpers (poly, encode_cyclic, ...)."""
    attempts = [prompt, prompt.rstrip("\n") + "\n    pass\n"]
    for i, src in enumerate(attempts):
        trial = dict(g)
        try:
            with _swallowed():
                exec(compile(src, "<prompt>", "exec"), trial)
        except BaseException as e:  # noqa: trusted dataset code
            last = e
            continue
        g.clear()
        g.update(trial)
        if i:
            notes.append("prompt alone did not run; executed it with a 'pass' body")
        return
    # last resort: run the top-level statements that do work on their own
    try:
        tree = ast.parse(prompt)
        stmts = tree.body
    except SyntaxError:
        stmts = []
        lines = prompt.splitlines(True)
        for cut in range(len(lines), 0, -1):
            try:
                stmts = ast.parse("".join(lines[:cut])).body
                break
            except SyntaxError:
                continue
    ran = 0
    for st in stmts:
        try:
            with _swallowed():
                exec(compile(ast.Module(body=[st], type_ignores=[]), "<prompt>", "exec"), g)
            ran += 1
        except BaseException:
            pass
    notes.append("prompt alone did not run (%s); executed %d top-level statement(s) of it"
                 % (_trunc("%s: %s" % (type(last).__name__, last), 200), ran))


def run_humaneval(judge, rep):
    spec = judge.spec
    prompt = spec.get("prompt")
    completion = spec.get("completion")
    test = spec.get("test")
    entry = spec.get("entry_point")
    timeout = float(spec.get("timeout_s", 3.0))
    for k, v in (("prompt", prompt), ("completion", completion), ("test", test), ("entry_point", entry)):
        if not isinstance(v, str):
            raise HarnessError("spec field %r must be a string" % k)
    notes = judge.notes
    _preload_imports(prompt, test)

    g = {}
    _exec_prompt_for_helpers(prompt, g, notes)
    try:
        with _swallowed():
            exec(compile(test, "<test>", "exec"), g)
    except BaseException as e:
        raise HarnessError("test code does not run: %s: %s" % (type(e).__name__, e))
    check = g.get("check")
    if not callable(check):
        raise HarnessError("test code defines no check()")

    cand = judge.new_candidate()
    t0 = _now()
    deadline = t0 + timeout
    sticky = []  # first candidate failure; a test that catches it cannot undo it
    outcome = None
    try:
        fail = judge.start_candidate(cand, prompt + completion, entry, "humaneval", deadline)
        if fail is not None:
            outcome = fail
        else:
            proxy = _remote_callable(judge, cand, deadline, sticky, entry)
            g[entry] = proxy
            try:
                judge.arm(deadline)
                with _swallowed():
                    check(proxy)
                # a long C call can finish past the deadline before the alarm runs
                outcome = Failure("timeout", "timed out") if _now() > deadline else None
            except Failure as f:
                outcome = f
            except HarnessError:
                raise
            except BaseException as e:
                # an assertion failed, or the test choked on what the candidate
                # returned: the type and the test line, never a message (it can
                # hold the test's values or the candidate's)
                line = _test_line(e)
                outcome = Failure("wrong_answer", _judge_exc_text(e) + (" (test line %d)" % line if line else ""))
            finally:
                judge.disarm()
            if sticky:
                outcome = sticky[0]
    except Failure as f:  # alarm fired outside check()
        outcome = sticky[0] if sticky else f
    finally:
        elapsed = _now() - t0
        cand.close()
    if outcome is not None and outcome.reason == "timeout":
        outcome.detail = "timed out after %gs" % timeout
    status = "pass" if outcome is None else "fail"
    rep.emit({"event": "test", "index": 0, "status": status, "time_ms": _ms(elapsed)})
    return _result(outcome)
