"""verdict (Aider Polyglot): the trusted wrapper around a test command.

Runs as a fork of the sandbox agent (non-dumpable: the code under test cannot
read its memory). It reads the per-run nonce from its stdin, runs the
language's official test command with stdin from /dev/null (so the nonce never
reaches it), then prints one line "verdict-report <nonce> <json>": the command's
exit status and a summary of the runner's structured report. Only that line,
which nothing under test can write, counts (src/benchmarks/polyglot/report.ts).

  python3 .verdict/run.py javascript   jest in worker processes, --json report
  python3 .verdict/run.py python       pytest with .verdict/verdict_pytest.py,
                                       whose signed records are checked here
"""

import glob
import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
import threading

REPORT_CAP = 8 << 20


def read_capped(path):
    try:
        with open(path, "rb") as f:
            return f.read(REPORT_CAP + 1)
    except OSError:
        return None


def run(argv, env=None, pass_fds=()):
    e = dict(os.environ)
    e.update(env or {})
    with open(os.devnull, "rb") as null:
        try:
            return subprocess.run(argv, stdin=null, env=e, pass_fds=pass_fds).returncode
        except OSError as err:
            print("verdict: cannot start %s: %s" % (argv[0], err), file=sys.stderr)
            return 127


def javascript():
    # aider's npm-test.sh (sandboxes/polyglot-js/run-tests), plus: the tests run in
    # a jest worker (a memory limit makes jest use workers even for one file), so
    # the solution is never in the process that writes the report; jest-setup.js
    # keeps it from replacing expect and the matchers.
    for name in ("node_modules", "package-lock.json"):
        if not os.path.lexists(name):
            os.symlink("/opt/npm-install/" + name, name)
    for spec in glob.glob("*.spec.js"):
        with open(spec, encoding="utf-8") as f:
            src = f.read()
        with open(spec, "w", encoding="utf-8") as f:
            f.write(re.sub(r"\bxtest\(", "test(", src))
    report = "/tmp/verdict-jest-report.json"
    try:
        os.unlink(report)
    except OSError:
        pass
    rc = run(["npm", "run", "test", "--", "--testTimeout=30000",
              "--setupFilesAfterEnv", os.path.abspath(".verdict/jest-setup.js"),
              "--maxWorkers=2", "--workerIdleMemoryLimit=1800MB",
              "--json", "--outputFile=" + report])
    raw = read_capped(report)
    summary = {"rc": rc, "report": False}
    if raw is not None and len(raw) <= REPORT_CAP:
        try:
            r = json.loads(raw)
            tests = []
            for suite in r.get("testResults") or []:
                for a in suite.get("assertionResults") or []:
                    tests.append([str(a.get("title")), str(a.get("status"))])
            summary.update({
                "report": True,
                "success": r.get("success") is True,
                "failed": r.get("numFailedTests"),
                "failed_suites": r.get("numFailedTestSuites"),
                "runtime_errors": r.get("numRuntimeErrorTestSuites"),
                "total": r.get("numTotalTests"),
                "tests": tests[:5000],
            })
        except (ValueError, AttributeError, TypeError):
            pass
    return summary


def python():
    # the official command with our plugin, loaded before the tests (and so
    # before the solution): it reads a fresh key from one pipe before anything
    # else and writes signed records to another; only records whose signature
    # holds are passed on.
    key = os.urandom(16).hex().encode()
    key_r, key_w = os.pipe()
    rep_r, rep_w = os.pipe()
    os.write(key_w, key)
    os.close(key_w)
    chunks = []

    def drain():
        total = 0
        while True:
            b = os.read(rep_r, 65536)
            if not b:
                return
            total += len(b)
            if total <= REPORT_CAP:
                chunks.append(b)

    t = threading.Thread(target=drain, daemon=True)
    t.start()
    env = {"PYTHONPATH": os.path.abspath(".verdict"), "VERDICT_REPORT_FD": str(rep_w), "VERDICT_KEY_FD": str(key_r),
           "PYTHONDONTWRITEBYTECODE": "1"}
    rc = run(["pytest", "-p", "no:cacheprovider", "-p", "verdict_pytest"], env, pass_fds=(rep_w, key_r))
    os.close(rep_w)
    os.close(key_r)
    # whatever the tests left running may hold the pipe open: do not wait on it
    t.join(timeout=2.0)
    records, unsigned = [], 0
    for line in b"".join(chunks).decode("utf-8", "replace").splitlines():
        mac, _, rest = line.partition("\t")
        good = hmac.new(key, rest.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:32]
        if rest and hmac.compare_digest(mac, good):
            records.append(rest)
        else:
            unsigned += 1
    return {"rc": rc, "records": records[:20000], "unsigned": unsigned}


NONCE = sys.stdin.readline().strip()
summary = {"javascript": javascript, "python": python}[sys.argv[1]]()
sys.stdout.flush()
sys.stderr.flush()
print("\nverdict-report %s %s" % (NONCE, json.dumps(summary, separators=(",", ":"))), flush=True)
sys.exit(0)
