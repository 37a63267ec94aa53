import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The agent's own-state check at reset (sandboxes/agent/verdict_agent.py
// self_ok), run on the host's Python: a lowered soft limit is put back, a
// lowered hard limit or a changed nice value fails the reset (the container
// is then retired). No Docker needed: the module only defines functions.

const AGENT = path.join(__dirname, '..', 'sandboxes', 'agent');

function agentPy(code: string): string {
  // as the agent in its container: without CAP_SYS_RESOURCE (a root host would otherwise raise a hard limit back)
  const prelude = `import sys; sys.path.insert(0, ${JSON.stringify(AGENT)})
import verdict_agent as a, os, resource
eff = a._cap_eff() or 0
if eff >> 24 & 1:
    a._capset([c for c in range(32) if eff >> c & 1 and c != 24])
`;
  return execFileSync('python3', ['-c', prelude + code], { encoding: 'utf8' }).trim();
}

describe('agent self check at reset', () => {
  it('passes when nothing changed', () => {
    expect(agentPy('a.START_STATE = a.own_state()\nprint(a.self_ok())')).toBe('True');
  });

  it('puts a lowered soft limit back', () => {
    expect(
      agentPy(`a.START_STATE = a.own_state()
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (8, hard))
print(a.self_ok(), resource.getrlimit(resource.RLIMIT_NOFILE) == (soft, hard))`),
    ).toBe('True True');
  });

  it('fails on a lowered hard limit, a changed nice value or CPU set', () => {
    expect(
      agentPy(`a.START_STATE = a.own_state()
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
print(a.self_ok())`),
    ).toBe(coreLowerable() ? 'False' : 'True');
    expect(agentPy('a.START_STATE = a.own_state()\nos.nice(1)\nprint(a.self_ok())')).toBe('False');
    expect(agentPy('a.START_STATE = a.own_state()\nprint(a.self_ok() if len(os.sched_getaffinity(0)) < 2 else (os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}), a.self_ok())[1])')).toBe(
      agentPy('print(len(os.sched_getaffinity(0)) < 2)'),
    );
  });

  it('fails before a start state was recorded', () => {
    expect(agentPy('print(a.self_ok())')).toBe('False');
  });
});

/** Whether the hard core limit is above 0 (else lowering it to 0 changes nothing). */
function coreLowerable(): boolean {
  return agentPy('print(resource.getrlimit(resource.RLIMIT_CORE)[1] != 0)') === 'True';
}

describe('agent outside a container', () => {
  it('refuses to kill every process or wipe /work and /tmp when it is not PID 1', () => {
    // a host that imports or runs the agent (a test, a developer) must keep its processes and files
    expect(agentPy(`
out = []
for f in (lambda: a.wipe("/nonexistent-verdict-dir"), a.kill_everything, a.do_reset):
    try:
        f(); out.append("ran")
    except RuntimeError:
        out.append("refused")
print(" ".join(out))`)).toBe('refused refused refused');
  });
});
