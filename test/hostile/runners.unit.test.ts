// The in-process runners (BigCodeBench, USACO) against programs that attack
// the runner itself: forged reports through the runner's own functions and
// keys, garbage on its status pipes, exits after forging. Run with the host's
// python3 (no Docker; VERDICT_TEST_PYTHON to choose one), each in a scratch
// directory. The attack programs (runner-attacks/*.py) only write to their
// own descriptors and exit: nothing here deletes or signals outside the run.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runnerCode } from '../../src/benchmarks/python-runner.js';

const HERE = dirname(fileURLToPath(import.meta.url));
// each runner stands in its benchmark's folder
const FOLDER: Record<string, string> = { 'bigcodebench_runner.py': 'bigcodebench', 'usaco_runner.py': 'usaco', 'lcb_runner.py': 'livecodebench' };
const ATTACKS = join(HERE, 'runner-attacks');
// the interpreter itself, not a pyenv shim (~1 s of bash per start)
const PYTHON =
  process.env.VERDICT_TEST_PYTHON ?? execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();

type Event = Record<string, unknown>;

function run(runner: string, spec: object | ((dir: string) => object), files: Record<string, string> = {}): Promise<{ events: Event[]; exitCode: number | null; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'verdict-runner-test-'));
  writeFileSync(join(dir, runner), runnerCode(FOLDER[runner]!, runner)); // as it ships (bundled)
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(typeof spec === 'function' ? spec(dir) : spec));
  return new Promise((done, fail) => {
    const child = spawn(PYTHON, ['-I', runner, 'spec.json'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', fail);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      const events = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Event);
      done({ events, exitCode, stderr: err });
    });
  });
}

const attack = (name: string) => readFileSync(join(ATTACKS, name), 'utf8');

describe('BigCodeBench runner: the report cannot be forged from the program', () => {
  const TEST = [
    'import unittest',
    'class TestCases(unittest.TestCase):',
    '    def test_one(self):',
    '        self.assertEqual(task_func(1), 2)',
    '    def test_two(self):',
    '        self.assertEqual(task_func(2), 3)',
    '    def test_three(self):',
    '        self.assertTrue(task_func(5) == 6)',
    '',
  ].join('\n');
  const grade = async (code: string) => {
    const r = await run('bigcodebench_runner.py', { nonce: 'N', code, test: TEST, timeout_s: 30, mode: 'strict' });
    const result = r.events.filter((e) => e.event === 'result').pop();
    expect(result, r.stderr).toBeDefined();
    return result!;
  };

  it('passes an honest program and fails a wrong one', async () => {
    expect((await grade('def task_func(x):\n    return x + 1\n')).status).toBe('pass');
    expect(await grade('def task_func(x):\n    return x + 2\n')).toMatchObject({ status: 'fail', reason: 'wrong_answer' });
  });

  // Each attack is a wrong program that forges (or would need to forge) a passing report.
  const forgeries: Array<[string, RegExp]> = [
    // issue 14 item 5: on the runner before the witness this passed
    ['bcb_frame_walk_send.py', /did not make/],
    ['bcb_closure_send.py', /did not make/],
    ['bcb_c_trampoline.py', /did not make|not the suite's/],
    ['bcb_replace_tests.py', /test class/],
    ['bcb_equality_funcs.py', /tampered/],
    ['bcb_pipe_garbage.py', /forged or corrupt/],
    ['bcb_gc_walk.py', /refused in the sandbox: gc\.get_objects/],
  ];
  for (const [file, why] of forgeries) {
    it(`fails ${file} (never pass, never an error of ours)`, async () => {
      const r = await grade(attack(file));
      expect(r.status).toBe('fail');
      expect(String(r.detail)).toMatch(why);
    });
  }

  it("fails unittest's _ShouldStop raised by the program, and reports that the official harness passes it", async () => {
    const r = await grade(attack('bcb_should_stop.py'));
    expect(r).toMatchObject({ status: 'fail', official: { status: 'pass' } });
    expect(String(r.detail)).toMatch(/_ShouldStop/);
  });

  it('keeps the key out of every frame a signal handler can see (the program answers right only if it found none)', async () => {
    expect((await grade(attack('bcb_signal_frames.py'))).status).toBe('pass');
  });

  it("refuses code compiled under matplotlib's frame-reader name, so no other thread's frames are read (right only if none were)", async () => {
    expect((await grade(attack('bcb_spoof_frame_reader.py'))).status).toBe('pass');
  });
});

describe('USACO runner: a test status the program writes is its own failure, never a crash, never a pass', () => {
  const spec = (code: string) => (dir: string) => ({
    nonce: 'N',
    code,
    inputs: [join(dir, '1.in'), join(dir, '2.in')],
    runtime_limit: 4,
    memory_limit: 1024,
    max_output_bytes: 1 << 20,
    stop_on_failure: false,
  });
  const files = { '1.in': '1 2\n', '2.in': '3 4\n' };
  const grade = async (code: string) => {
    const r = await run('usaco_runner.py', spec(code), files);
    const tests = r.events.filter((e) => e.event === 'test');
    return { ...r, tests, done: r.events.some((e) => e.event === 'done') };
  };

  it('passes an honest program (its output is compared by the service)', async () => {
    const r = await grade('a, b = map(int, input().split())\nprint(a + b)\n');
    expect(r.tests.map((t) => [t.status, t.output])).toEqual([
      ['passed', '3\n'],
      ['passed', '7\n'],
    ]);
  });

  it('issue 14 item 6: [] on the status pipe is the test failing, and the runner still ends with done', async () => {
    const r = await grade(attack('usaco_status_list.py'));
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.done).toBe(true);
    expect(r.tests.map((t) => t.status)).toEqual(['failed', 'failed']);
  });

  for (const file of ['usaco_forge_passed.py', 'usaco_signal_token.py']) {
    it(`gives no "passed" to ${file} (a forged status after the right answer, then os._exit)`, async () => {
      const r = await grade(attack(file));
      expect(r.done).toBe(true);
      expect(r.tests).toHaveLength(2);
      for (const t of r.tests) expect(t.status).not.toBe('passed');
    });
  }

  it('os._exit after printing is upstream\'s "timed out", not a pass', async () => {
    const r = await grade(attack('usaco_exit_after_print.py'));
    expect(r.tests.map((t) => t.status)).toEqual(['timed_out', 'timed_out']);
  });
});
