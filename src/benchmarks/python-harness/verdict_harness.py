#!/usr/bin/env python3
"""verdict grading harness: grades one completion, reports JSON lines on stdout.

Usage: python3 verdict_harness.py spec.json   (cwd = a scratch directory)

Design: this process (the "judge") never runs candidate code.  Candidate code
runs in a separate, freshly exec'd Python process (the "candidate") that can
only answer "call entry_point(*args)" requests with plain data in a tagged
JSON codec.  All checking (asserts, comparisons, oracles) happens here, so a
candidate cannot patch the checker, fake an exit status or print a verdict.
Only the last {"event":"result"} line counts; stdlib only (numpy for EvalPlus).

Spec (JSON object; the file is deleted after reading unless keep_spec_file):
  common   nonce? (echoed on every line), memory_limit_bytes?, drop_privileges?
           (default true: as root the candidate gets its own uid, or uid 0
           without capabilities), max_message_bytes?
  humaneval          prompt, completion, test, entry_point, timeout_s=3.0
  evalplus-expected  dataset, task_id, solution, entry_point, groups[{name,
                     <inputs>}], task_json?, digest_over_bytes?, timeout_s?
  asserts            source, tests[str], imports="", timeout_s=3.0 (MBPP),
                     reference? (the problem's own program: only the names it
                     binds come from the candidate; parsed, never run),
                     entry_point? (used only without a reference)
  evalplus           dataset, task_id, solution, entry_point, atol, groups[{name,
                     <inputs>, expected, time_limits_s, timeout_s?}],
                     stop_on_fail=true, emit_passing=true, timeout_per_task_s=60
  <inputs> = inputs (plain JSON) | inputs_json (raw JSON text, parsed here so
  1.0 / big ints / NaN survive) | inputs_tagged (codec) | nothing: taken from
  task_json (the raw dataset row) as "<name>_input".  MBPP plain inputs get
  EvalPlus' per-task deserialisation.
Events: {"event":"test",...} {"event":"group",...} {"event":"expected",
  "group","outputs":[codec],"times_s"} and finally {"event":"result","status":
  "pass"|"fail"|"error","reason","detail",...}.  Details carry exception
  types, never messages (a message can echo hidden inputs; docs/hostile.md).
Codec: null/bool/str and ints within +-2**53 are plain JSON; lists are arrays;
  everything else is {"t": tag, "v": ...}: float, int (hex), f64 (base64
  little-endian doubles, "ints": indices that are ints), tuple, set, frozenset,
  dict (pairs), complex, bytes, bytearray, range, decimal, fraction, ndarray,
  npscalar, iter, dict_keys/values/items, opaque, digest (expected only).
"""

# This file is the entry of the shipped script: the bundler (src/benchmarks/
# python-bundle.ts) replaces each include line below with that module, so the
# sandbox still receives one verdict_harness.py (the candidate process is
# started from the same script: candidate.py). Run the bundle, never this file.

import json
import os
import sys

HARNESS_VERSION = "1"

# bundle: include ../python-common/prctl.py
# bundle: include ../python-common/upstream_guard.py
# bundle: include ../python-common/kill.py
# bundle: include harness/clock.py
# bundle: include harness/codec.py
# bundle: include harness/rpc.py
# bundle: include harness/failures.py
# bundle: include harness/candidate.py
# bundle: include harness/isolation.py
# bundle: include harness/process.py
# bundle: include harness/judge.py
# bundle: include harness/reporter.py
# bundle: include harness/trusted.py
# bundle: include harness/oracles.py
# bundle: include harness/mode_humaneval.py
# bundle: include harness/mode_asserts.py
# bundle: include harness/mode_evalplus.py


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------
def _begin_grade():
    """Module state as freshly loaded: the agent's judge server runs main()
    for grade after grade in one process (test/harness-state.test.ts checks
    that nothing else carries over)."""
    _clock_begin()
    _JUDGE_REFS.clear()
    _HASH_GUARD[0] = True


def main(argv):
    import traceback  # lazy: keeps candidate start-up short
    _begin_grade()
    # Private copy of stdout for verdict lines; fd 1 itself goes to /dev/null
    # so nothing else this process runs can write to the result stream.
    out_fd = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 1)
    os.dup2(devnull, 0)
    os.close(devnull)
    sys.stdout = _Sink()
    rep = Reporter(out_fd, None)
    judge = None
    try:
        # never import from the script dir / cwd: the candidate can write there
        here = os.path.dirname(os.path.abspath(argv[0])) if argv and argv[0] else None
        cwd = os.getcwd()
        sys.path[:] = [p for p in sys.path if p not in ("", ".", here, cwd)]
        if len(argv) != 2:
            raise HarnessError("usage: verdict_harness.py spec.json")
        path = argv[1]
        with open(path, "rb") as f:
            raw = f.read()
        with open(os.path.abspath(__file__), "rb") as f:
            own_source = f.read()
        try:
            spec = json.loads(raw)
        except ValueError as e:
            raise HarnessError("spec is not valid JSON: %s" % e)
        if not isinstance(spec, dict):
            raise HarnessError("spec must be a JSON object")
        nonce = spec.get("nonce")
        rep.nonce = nonce if isinstance(nonce, str) else None
        if not spec.get("keep_spec_file"):
            # hidden tests / expected outputs must not be readable by the candidate
            try:
                os.unlink(path)
            except OSError:
                pass
        del raw
        child_env = dict(os.environ)
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(var, "1")  # judge-side numpy stays single-threaded
        judge = Judge(spec, own_source, sys.executable or "/usr/bin/python3", child_env)
        judge.harden()
        mode = spec.get("mode")
        if mode == "humaneval":
            res = run_humaneval(judge, rep)
        elif mode == "evalplus":
            res = run_evalplus(judge, rep)
        elif mode == "evalplus-expected":
            res = run_evalplus_expected(judge, rep)
        elif mode == "asserts":
            res = run_asserts(judge, rep)
        else:
            raise HarnessError("unknown mode %r" % (mode,))
        if judge.notes:
            res["notes"] = judge.notes
        final = res
    except HarnessError as e:
        final = {"status": "error", "reason": None, "detail": _trunc(e)}
    except BaseException as e:
        tb = traceback.format_exception_only(type(e), e)
        final = {"status": "error", "reason": None, "detail": _trunc("internal error: " + "".join(tb).strip())}
    # leftover candidate processes die before the verdict is written, so
    # nothing the candidate started can outlive (or follow) the result line
    if judge is not None:
        try:
            judge.disarm()
        except BaseException:
            pass
        try:
            judge.cleanup()
        except BaseException:
            pass
    final["harness_version"] = HARNESS_VERSION
    rep.result(final)
    return 0


# The agent's judge server runs this module body once and then this entry
# per grade (Step.judgeServer), so the body above only imports and defines.
__verdict_main__ = main

if __name__ == "__main__":
    sys.exit(main(sys.argv))
