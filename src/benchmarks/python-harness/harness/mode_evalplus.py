# Modes evalplus-expected (ground truth from the reference solution) and
# evalplus (the candidate against it, group by group, with upstream's time
# limits).
# bundle: requires clock, codec, failures, reporter, trusted, oracles

import json
import time


_DEFAULT_DIGEST_OVER = 48 * 1024 * 1024  # expected values with a longer repr are stored as a digest
_SERIALISE_RATE = 20e6  # bytes/s assumed for moving a value between processes (slow host)


def _task_row(spec):
    raw = spec.get("task_json")
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise HarnessError("task_json must be a string (one raw JSONL row)")
    row = json.loads(raw)
    if not isinstance(row, dict):
        raise HarnessError("task_json is not an object")
    return row


def _group_inputs(spec, group, row):
    """Inputs of one group.  Raw JSON text (inputs_json / task_json) is parsed
    here by Python, so floats like 1.0, ints above 2**53 and NaN survive even
    when the caller's JSON library would have mangled them."""
    name = group.get("name")
    if "inputs_tagged" in group:
        vals = decode_value(group["inputs_tagged"])
        tagged = True
    elif "inputs_json" in group:
        vals = json.loads(group["inputs_json"])
        tagged = False
    elif "inputs" in group:
        vals = group["inputs"]
        tagged = False
    elif row is not None and isinstance(row.get("%s_input" % name), (list, dict)):
        vals = row["%s_input" % name]
        tagged = False
    else:
        raise HarnessError("group %r has no inputs" % (name,))
    if isinstance(vals, dict) and not vals:
        vals = []  # MBPP+ v0.2.0 Mbpp/793 ships plus_input {}; upstream iterates it as no inputs
    if not isinstance(vals, list):
        raise HarnessError("group %r inputs must be a list" % (name,))
    if not tagged and spec.get("dataset") == "mbpp":
        vals = mbpp_deserialize_inputs(spec.get("task_id"), vals)
    for v in vals:
        if not isinstance(v, (list, tuple)):
            raise HarnessError("group %r: every input must be a list of positional args" % (name,))
    return vals


def _common_evalplus(spec):
    dataset = spec.get("dataset")
    if dataset not in ("humaneval", "mbpp"):
        raise HarnessError("dataset must be 'humaneval' or 'mbpp'")
    for k in ("solution", "entry_point"):
        if not isinstance(spec.get(k), str):
            raise HarnessError("spec field %r must be a string" % k)
    groups = spec.get("groups")
    if not isinstance(groups, list) or not all(isinstance(g, dict) and isinstance(g.get("name"), str) for g in groups):
        raise HarnessError("groups must be a list of {name, ...}")
    return dataset, groups


def _encode_expected(out, digest_over):
    import hashlib  # lazy: keeps candidate start-up short
    try:
        text = repr(out)
    except ValueError:  # e.g. an int beyond the str-conversion digit limit
        text = ""
    if len(text) > digest_over:
        data = str.encode(text, "utf-8", "surrogatepass")
        return {"t": "digest", "alg": _DIGEST_ALG, "v": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    return encode_value(out, opaque_ok=False, portable=True)


def run_evalplus_expected(judge, rep):
    import copy  # lazy: keeps candidate start-up short
    """Ground truth as evalplus get_groundtruth/trusted_exec computes it."""
    spec = judge.spec
    dataset, groups = _common_evalplus(spec)
    entry = spec["entry_point"]
    row = _task_row(spec)
    not_none = dataset == "mbpp" and entry in MBPP_OUTPUT_NOT_NONE_TASKS
    digest_over = spec.get("digest_over_bytes", _DEFAULT_DIGEST_OVER)
    if not isinstance(digest_over, int):
        raise HarnessError("digest_over_bytes must be an integer")
    timeout = spec.get("timeout_s")
    if isinstance(timeout, (int, float)) and timeout > 0:
        judge.arm(_now() + float(timeout))
    try:
        for group in groups:
            inputs = _group_inputs(spec, group, row)
            g = {}
            enc, times = [], []
            try:
                with _swallowed():
                    exec(compile(spec["solution"], "<solution>", "exec"), g)
                    fn = g[entry]
                    for inp in inputs:
                        args = copy.deepcopy(inp)
                        start = time.time()  # same clock as trusted_exec
                        out = fn(*args)
                        times.append(time.time() - start)
                        if not_none:
                            out = out is not None
                        # encode now so huge outputs are not all held at once
                        enc.append(_encode_expected(out, digest_over))
                        out = args = None
            except Failure:
                raise
            except Unencodable as e:
                raise HarnessError("reference output cannot be serialised: %s" % e)
            except BaseException as e:
                raise HarnessError("reference solution failed on group %r input %d: %s: %s"
                                   % (group["name"], len(enc), type(e).__name__, _trunc(e, 300)))
            rep.emit({"event": "expected", "group": group["name"], "outputs": enc, "times_s": times})
    except Failure:
        raise HarnessError("reference solution exceeded timeout_s")
    finally:
        judge.disarm()
    return {"status": "pass", "reason": None, "detail": None}


def run_evalplus(judge, rep):
    spec = judge.spec
    dataset, groups = _common_evalplus(spec)
    entry = spec["entry_point"]
    solution = spec["solution"]
    row = _task_row(spec)
    atol0 = spec.get("atol", 0) or 0
    if not isinstance(atol0, (int, float)):
        raise HarnessError("atol must be a number")
    stop_on_fail = spec.get("stop_on_fail", True) is not False
    emit_passing = spec.get("emit_passing", True) is not False
    per_task_cap = float(spec.get("timeout_per_task_s", 60))
    if _numpy() is None:  # loaded before any candidate exists, like upstream
        raise HarnessError("numpy is required for mode evalplus")

    prepared = []
    for group in groups:
        inputs = _group_inputs(spec, group, row)
        expected = group.get("expected")
        limits = group.get("time_limits_s")
        if not isinstance(expected, list) or len(expected) != len(inputs):
            raise HarnessError("group %r: expected must list one value per input" % group["name"])
        if not isinstance(limits, list) or len(limits) != len(inputs) or \
                not all(isinstance(t, (int, float)) and t > 0 for t in limits):
            raise HarnessError("group %r: time_limits_s must list one positive number per input" % group["name"])
        try:
            expected = [decode_expected(e) for e in expected]
        except Exception as e:
            raise HarnessError("group %r: bad expected value: %s" % (group["name"], e))
        # moving the output between processes is not the candidate's compute
        # time: allow for it, sized by the (trusted) expected value
        allow = []
        for e in expected:
            if isinstance(e, ExpectedDigest):
                n = e.nbytes
            else:
                try:
                    n = len(json.dumps(encode_value(e, opaque_ok=False), separators=(",", ":")))
                except Exception:
                    n = 0
            allow.append(0.2 + n / _SERIALISE_RATE)
        prepared.append((group, inputs, expected, [float(t) for t in limits], allow))

    group_status = {}
    first_fail = None
    stop = False
    for group, inputs, expected, limits, allow in prepared:
        name = group["name"]
        total = len(inputs)
        if stop:
            group_status[name] = "skipped"
            rep.emit({"event": "group", "name": name, "status": "skipped", "passed": 0, "total": total})
            continue
        # upstream: whole process gets min(60, sum(limits)) + 1 (+1 without
        # fast_check), and the parent joins for one more second
        budget = group.get("timeout_s")
        if not isinstance(budget, (int, float)) or budget <= 0:
            budget = min(per_task_cap, sum(limits) + sum(allow)) + 2 + (0 if stop_on_fail else 1)
        state = {"atol": atol0}
        passed = 0
        g_fail = None
        cand = None
        g_start = None
        try:
            i = 0
            while True:
                # (re)load the solution; also done for an empty group, since
                # upstream execs the code even when there is nothing to call
                if cand is None and (i < total or g_start is None):
                    cand = judge.new_candidate()  # interpreter start-up is not charged
                    if g_start is None:
                        g_start = _now()
                        g_deadline = g_start + budget
                    f = judge.start_candidate(cand, solution, entry, "evalplus", g_deadline)
                    if f is not None:
                        # nothing can run: the whole group fails at load time
                        g_fail = g_fail or f
                        cand.close()
                        cand = None
                        if f.reason == "timeout":
                            f.detail = "group time budget (%gs) exhausted while loading the solution" % budget
                        break
                if i >= total:
                    break
                idx = i
                i += 1
                inp = inputs[idx]
                t_call = _now()
                if t_call >= g_deadline:
                    f = Failure("timeout", "group time budget (%gs) exhausted" % budget)
                    rep.emit({"event": "test", "group": name, "index": idx, "status": "timeout", "time_ms": 0})
                    g_fail = g_fail or f
                    break
                own_dl = t_call + limits[idx] + allow[idx]
                dl = min(own_dl, g_deadline)
                exp = expected[idx]
                by_digest = isinstance(exp, ExpectedDigest)
                status = "pass"
                f = None
                try:
                    out = judge.call(cand, inp, {}, dl, digest=by_digest)
                except Failure as e:
                    f = e
                    status = "timeout" if e.reason == "timeout" else "error"
                    if e.reason == "timeout":
                        e.detail = "input %d exceeded %s limit" % (
                            idx, "the group's %gs" % budget if dl < own_dl else "its %gs" % limits[idx])
                elapsed = _now() - t_call
                if f is None and by_digest:
                    if out != (exp.hexdigest, exp.nbytes):
                        status = "fail"
                        f = Failure("wrong_answer", "input %d: output differs from the reference (repr digest)" % idx)
                elif f is None:
                    try:
                        evalplus_check(dataset, entry, inp, out, exp, state)
                    except HarnessError:
                        raise
                    except BaseException as e:
                        status = "fail"
                        f = Failure("wrong_answer", _trunc("input %d: output differs from the reference (%s)"
                                                           % (idx, type(e).__name__)))
                out = None
                if f is None:
                    passed += 1
                    if emit_passing:
                        rep.emit({"event": "test", "group": name, "index": idx, "status": "pass",
                                  "time_ms": _ms(elapsed)})
                    continue
                ev = {"event": "test", "group": name, "index": idx, "status": status, "time_ms": _ms(elapsed)}
                for k in ("killed_by_signal", "exit_code"):
                    if k in f.extra:
                        ev[k] = f.extra[k]
                rep.emit(ev)
                if g_fail is None:
                    g_fail = f
                if stop_on_fail:
                    break
                if cand is not None and cand.dead:
                    cand.close()
                    cand = None  # fresh process for the remaining inputs
        finally:
            if cand is not None:
                cand.close()
        ok = g_fail is None and passed == total
        group_status[name] = "pass" if ok else "fail"
        rep.emit({"event": "group", "name": name, "status": group_status[name], "passed": passed,
                  "total": total, "time_ms": _ms(_now() - g_start)})
        if not ok:
            if first_fail is None:
                first_fail = g_fail or Failure("wrong_answer", "not all inputs passed")
                first_fail.detail = "%s: %s" % (name, first_fail.detail)
            if stop_on_fail:
                stop = True
    res = _result(first_fail)
    res["groups"] = group_status
    return res
