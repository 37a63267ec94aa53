// The agent's judge server runs the harness's module body once and main() for
// grade after grade in one process (sandboxes/agent/verdict_agent.py, "judge
// server"). So nothing a grade leaves in the harness's module state may reach
// the next: main() starts with _begin_grade(). This runs the shipped harness
// with the host's python3 (no Docker), grades several specs in one process,
// and compares every module global with its freshly loaded value.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { harnessCode } from '../src/benchmarks/python-harness/harness.js';

const PYTHON =
  process.env.VERDICT_TEST_PYTHON ?? execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();

// Loads the harness as the judge server does, snapshots its module state,
// then per spec: main() with stdout on a file, the snapshot right after the
// grade ("dirty": proves the snapshot sees the state a grade changes), and
// after the next grade's _begin_grade() ("begun": must equal the fresh one).
const DRIVER = String.raw`
import json, os, sys, types
H, SPECS = sys.argv[1], sys.argv[2]
g = {"__name__": "verdict_judge_server", "__file__": H, "__builtins__": __builtins__}
code = compile(open(H, "rb").read(), H, "exec")
g["__verdict_code__"] = code
exec(code, g)
# caches that may fill once and stay (a failed numpy import stays failed), and the clock's start
SKIP = {"_np_module", "_np_failed", "_libc", "_T0", "__builtins__"}
def snap():
    out = {}
    for k, v in g.items():
        if k in SKIP or k.startswith("__verdict"):
            continue
        if isinstance(v, (types.ModuleType, types.FunctionType, type, types.BuiltinFunctionType)):
            out[k] = "id:%d" % id(v)
        else:
            try:
                out[k] = repr(v)
            except Exception as e:
                out[k] = "unrepr:" + type(e).__name__
    return out
def diff(a, b):
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
fresh = snap()
env, path, cwd = dict(os.environ), list(sys.path), os.getcwd()
out = os.dup(1)
report = {"results": [], "dirty": [], "begun": []}
for i, spec in enumerate(json.load(open(SPECS))):
    with open("spec.json", "w") as f:
        json.dump(spec, f)
    res = "res-%d.txt" % i
    fd = os.open(res, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(fd, 1)
    os.close(fd)
    g["main"]([H, "spec.json"])
    os.dup2(out, 1)
    sys.stdout = sys.__stdout__
    os.environ.clear(); os.environ.update(env); sys.path[:] = path; os.chdir(cwd)
    lines = [json.loads(l) for l in open(res) if l.startswith("{")]
    final = [l for l in lines if l.get("event") == "result"][-1]
    report["results"].append([final["status"], final.get("reason")])
    report["dirty"].append(diff(fresh, snap()))
    g["_begin_grade"]()
    report["begun"].append(diff(fresh, snap()))
print(json.dumps(report))
`;

const TEST = 'def check(candidate):\n    assert candidate(2) == 4\n    assert candidate(-3) == 9\n';
const he = (completion: string, extra: Record<string, unknown> = {}) => ({
  mode: 'humaneval', prompt: 'def sq(x):\n', completion, test: TEST, entry_point: 'sq', timeout_s: 2, ...extra,
});
// an object, a float, an exception, a timeout, MBPP asserts (one with references the judge keeps)
const SPECS = [
  he('    return x * x\n'),
  he('    class Box:\n        pass\n    return Box()\n'),
  he('    return float(x * x)\n'),
  he('    raise ValueError(x)\n'),
  he('    import time\n    while True:\n        time.sleep(0.05)\n', { timeout_s: 0.5 }),
  { mode: 'asserts', source: 'def add(a, b):\n    return a + b\n', tests: ['assert add(1, 2) == 3', 'assert add(-1, 1) == 0'], imports: '', timeout_s: 2 },
  // a class the program defines stays in the candidate: the judge holds references to it
  { mode: 'asserts', source: 'class Pair:\n    def __init__(self, a, b):\n        self.a, self.b = a, b\ndef count(ps):\n    return len(ps)\n', tests: ['assert count([Pair(1, 2), Pair(3, 4)]) == 2'], imports: '', timeout_s: 2 },
  he('    return x * x\n'),
];

describe('harness module state across grades in one process (the judge server)', () => {
  it('starts every grade from the module state of a fresh load', () => {
    const dir = mkdtempSync(join(tmpdir(), 'verdict-harness-state-'));
    try {
      writeFileSync(join(dir, 'verdict_harness.py'), harnessCode());
      writeFileSync(join(dir, 'driver.py'), DRIVER);
      writeFileSync(join(dir, 'specs.json'), JSON.stringify(SPECS));
      const r = spawnSync(PYTHON, ['-I', 'driver.py', 'verdict_harness.py', 'specs.json'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout.trim().split('\n').pop()!) as { results: [string, string | null][]; dirty: string[][]; begun: string[][] };
      // the grades themselves are right, in one process, one after another
      expect(report.results).toEqual([
        ['pass', null], ['fail', 'wrong_answer'], ['pass', null], ['fail', 'runtime_error'], ['fail', 'timeout'], ['pass', null], ['pass', null], ['pass', null],
      ]);
      // the snapshot sees what a grade leaves (the clock, the judge's reference table)...
      expect(report.dirty.flat()).toContain('_NOW_LAST');
      expect(report.dirty[6]).toContain('_JUDGE_REFS');
      // ...and nothing of it is left once the next grade begins
      expect(report.begun).toEqual(SPECS.map(() => []));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
