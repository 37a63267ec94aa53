import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAnswer } from '../src/benchmarks/polyglot/answer.js';
import { goWitnessFiles } from '../src/benchmarks/polyglot/go-witness.js';
import { LANGUAGE_SPECS, LANGUAGES } from '../src/benchmarks/polyglot/languages.js';
import { PolyglotHiddenSchema } from '../src/benchmarks/polyglot/read.js';
import { polyglot } from '../src/benchmarks/polyglot/benchmark.js';
import { jestEvidence, pytestEvidence, pytestIds, wrapperReport } from '../src/benchmarks/polyglot/report.js';

const FIXTURES = path.join(__dirname, 'fixtures', 'polyglot');
const { problems } = await polyglot.read(FIXTURES, {});
const byId = new Map(problems.map((p) => [p.id, p]));
const hidden = (id: string) => PolyglotHiddenSchema.parse(byId.get(id)!.hidden);

describe('polyglot import and answers', () => {
  it('reads every fixture exercise in the official layout', () => {
    const langs = new Map<string, number>();
    for (const p of problems) langs.set(String(p.public.language), (langs.get(String(p.public.language)) ?? 0) + 1);
    for (const l of LANGUAGES) expect(langs.get(l), l).toBeGreaterThanOrEqual(2);
    const leap = byId.get('python/leap')!;
    expect(leap.prompt).toContain('Use the above instructions to modify the supplied files: leap.py');
    expect(leap.public.starter).toEqual({ 'leap.py': hidden('python/leap').files['leap.py'] });
    // reference solutions and docs never reach the sandbox
    for (const p of problems) {
      expect(Object.keys(hidden(p.id).files).some((f) => f.startsWith('.meta/') || f.startsWith('.docs/'))).toBe(false);
    }
    // the manifest is not the model's to edit; a Java helper class goes beside the sources
    expect(hidden('rust/later').solution).toEqual(['src/lib.rs']);
    expect(Object.keys(hidden('java/leap').reference).sort()).toEqual(['src/main/java/Leap.java', 'src/main/java/Rule.java']);
    expect(Object.keys(hidden('cpp/leap').reference).sort()).toEqual(['leap.cpp', 'leap.h']);
  });

  it('parses aider whole-file replies like aider', () => {
    const sol = ['leap.cpp', 'leap.h'];
    const reply = 'Here is the code.\n\nleap.h\n```cpp\n#pragma once\n```\n\nsrc/leap.cpp\n```\nint x;\n```\n';
    // a bogus directory prefix is dropped when the base name is a chat file
    expect(parseAnswer(reply, sol, new Set(sol)).files).toEqual({ 'leap.h': '#pragma once\n', 'leap.cpp': 'int x;\n' });
    // no name line: the only chat file, or the one last quoted in prose
    expect(parseAnswer('```\nA\n```\n', ['a.py'], new Set()).files).toEqual({ 'a.py': 'A\n' });
    expect(parseAnswer('Edit `leap.h`:\n\n```\nB\n```\n', sol, new Set(sol)).files).toEqual({ 'leap.h': 'B\n' });
    // an unclosed last block still counts
    expect(parseAnswer('leap.cpp\n```\nC\n', sol, new Set(sol)).files).toEqual({ 'leap.cpp': 'C\n' });
  });

  it('keeps solution files and new sources only, never tests or build files', () => {
    const h = hidden('rust/later');
    const existing = new Set(Object.keys(h.files));
    const a = parseAnswer(
      JSON.stringify({ 'src/lib.rs': 'L', './src/util.rs': 'U', 'Cargo.toml': 'C', 'tests/later.rs': 'T', 'src/test_x.rs': 'X', '../x.rs': 'E' }),
      h.solution,
      existing,
    );
    expect(a.files).toEqual({ 'src/lib.rs': 'L', 'src/util.rs': 'U' });
    expect(a.ignored.sort()).toEqual(['../x.rs', 'Cargo.toml', 'src/test_x.rs', 'tests/later.rs']);
    const py = hidden('python/leap');
    expect(parseAnswer(JSON.stringify({ 'conftest.py': 'x' }), py.solution, new Set(Object.keys(py.files))).files).toEqual({});
  });

  it('restores test files and prepares them as the official runners do', () => {
    const p = byId.get('java/leap')!;
    const extracted = polyglot.extract(p, JSON.stringify({ 'src/test/java/LeapTest.java': 'class LeapTest {}' }), { timeout_s: 180 });
    expect(JSON.parse(extracted.code)).toEqual({});
    const plan = polyglot.plan(p, extracted, { timeout_s: 180 }, undefined);
    const test = plan.files.find((f) => f.path === 'leap/src/test/java/LeapTest.java')!;
    expect(String(test.content)).not.toContain('@Disabled(');
    expect(String(test.content)).toContain('import org.junit.jupiter.api.Disabled;');
    const js = polyglot.plan(byId.get('javascript/leap')!, { code: '{}' }, { timeout_s: 180 }, undefined);
    const spec = String(js.files.find((f) => f.path === 'leap/leap.spec.js')!.content);
    expect(spec).not.toMatch(/\bxtest\(/);
    expect(spec).toContain("import { describe, expect, test, xtest } from '@jest/globals'");
  });

  it('makes a Go run prove that every test ran, unless the tests bring their own TestMain', () => {
    const p = byId.get('go/leap')!;
    const plan = polyglot.plan(p, { code: '{}' }, { timeout_s: 180 }, undefined);
    const secret = plan.nonce!;
    expect(secret).toMatch(/^[0-9a-f]{32}$/);
    const file = (name: string) => String(plan.files.find((f) => f.path === `leap/${name}`)?.content);
    expect(file('.verdict-witness')).toBe(secret);
    expect(file('zz_verdict_main_test.go')).toContain('func TestMain(m *testing.M)');
    expect(file('zz_verdict_main_test.go')).toContain('"leap/verdictwitness"');
    // the secret is in no source the solution can read once the binary runs
    expect(plan.files.filter((f) => String(f.content).includes(secret)).map((f) => f.path)).toEqual(['leap/.verdict-witness']);
    expect(polyglot.plan(p, { code: '{}' }, { timeout_s: 180 }, undefined).nonce).not.toBe(secret);
    const run = (stdout: string) => ({
      exitCode: 0, signal: null, wallMs: 1, cpuMs: 1, maxRssKb: 1, timedOut: false, cpuLimitExceeded: false, outputLimitExceeded: false,
      oomKilled: false, outputBytes: stdout.length, stdout: Buffer.from(stdout), stderr: Buffer.alloc(0), stdoutTruncated: false, stderrTruncated: false,
    });
    const ok = 'ok  \tleap\t0.004s\n';
    expect(polyglot.outcome(p, plan, [run(ok)])).toMatchObject({ status: 'fail', reason: 'runtime_error' });
    expect(polyglot.outcome(p, plan, [run(`${ok}verdict-witness: all tests ran 0123\n`)])).toMatchObject({ status: 'fail', reason: 'runtime_error' });
    const passed = polyglot.outcome(p, plan, [run(`?   \tleap/verdictwitness\t[no test files]\n${ok}verdict-witness: all tests ran ${secret}\n`)]);
    expect(passed.status).toBe('pass');
    expect(passed.detail).toBe(ok.trim());
    const files = { 'go.mod': 'module leap\n', 'leap_test.go': 'package leap\nfunc TestMain(m *testing.M) { os.Exit(m.Run()) }\n' };
    expect(goWitnessFiles(files, ['leap_test.go'], 'x')).toBeUndefined();
    // tests in an external package: our TestMain still goes in the package itself
    expect(goWitnessFiles({ ...files, 'leap_test.go': 'package leap_test\n' }, ['leap_test.go'], 'x')!['zz_verdict_main_test.go']).toMatch(/^package leap\n/);
  });

  it('fills the C++ compiler cache from Catch\'s main only: every other file goes in empty', () => {
    const [fill, ...more] = polyglot.volumes!(problems);
    expect(more).toEqual([]);
    expect(fill!.argv).toEqual(['/opt/polyglot/warm-cache', 'leap', 'reverse-string']);
    expect(fill!.volume).toBe(LANGUAGE_SPECS.cpp.profile.volumes![0]!.name);
    const nonEmpty = fill!.files.filter((f) => String(f.content) !== '').map((f) => f.path).sort();
    expect(nonEmpty).toEqual(['leap/CMakeLists.txt', 'leap/test/catch.hpp', 'leap/test/tests-main.cpp', 'reverse-string/CMakeLists.txt', 'reverse-string/test/catch.hpp', 'reverse-string/test/tests-main.cpp']);
    // every C++ grade mounts it (read-only: see src/sandbox/container-spec.ts)
    expect(polyglot.plan(byId.get('cpp/leap')!, { code: '{}' }, { timeout_s: 180 }, undefined).profile.volumes).toEqual(LANGUAGE_SPECS.cpp.profile.volumes);
    expect(polyglot.volumes!(problems.filter((p) => p.public.language !== 'cpp'))).toEqual([]);
  });

  it('reads runner summaries in linear time, the last one counting', { timeout: 10_000 }, () => {
    // catastrophic for the former pytest regex (three .* around \b\d+ passed\b): seconds to minutes
    const evil = '=' + ' 1 passed'.repeat(30_000) + '\n';
    expect(LANGUAGE_SPECS.python.summaryPassed(evil)).toBe(false);
    expect(LANGUAGE_SPECS.python.summaryPassed(evil + '======= 3 passed in 0.01s =======\n')).toBe(true);
    expect(LANGUAGE_SPECS.python.summaryPassed('======= 3 passed in 0.01s =======\n======= 1 failed, 2 passed in 0.01s =======\n')).toBe(false);
    expect(LANGUAGE_SPECS.javascript.summaryPassed('Tests:       3 passed, 3 total\n' + 'Tests: '.repeat(20_000))).toBe(false);
    // JUnit: an aborted test is no pass, and only the last summary counts
    const junit = (ok: number, failed: number, aborted: number) =>
      `[ ${ok} tests successful ]\n[ ${failed} tests failed ]\n[ ${aborted} tests aborted ]\n`;
    expect(LANGUAGE_SPECS.java.summaryPassed(junit(3, 0, 0))).toBe(true);
    expect(LANGUAGE_SPECS.java.summaryPassed(junit(1, 0, 2))).toBe(false);
    expect(LANGUAGE_SPECS.java.summaryPassed(junit(3, 0, 0) + junit(0, 3, 0))).toBe(false);
  });

  it('Python and JavaScript pass only on the wrapper\'s report, every test of the trusted file in it by name', () => {
    const nonce = 'ab'.repeat(16);
    const line = (j: unknown) => `verdict-report ${nonce} ${JSON.stringify(j)}`;
    // only the wrapper's line under this run's nonce counts, the last one
    expect(wrapperReport(`x\n${line({ rc: 0 })}\n`, nonce)).toEqual({ rc: 0 });
    expect(wrapperReport(`verdict-report ${'cd'.repeat(16)} {"rc":0}\n`, nonce)).toBeUndefined();
    expect(wrapperReport(`junk ${line({ rc: 0 })}\n`, nonce)).toBeUndefined();
    const py = hidden('python/leap');
    const tests: Array<[string, string]> = [['leap_test.py', py.files['leap_test.py']!]];
    const { ids } = pytestIds('leap_test.py', py.files['leap_test.py']!);
    expect(ids).toContain('leap_test.py::LeapTest::test_not_divisible_by_4');
    const all = ids.map((id) => `test\t${id}\tcall\tpassed`);
    expect(pytestEvidence({ rc: 0, records: [...all, 'finish\t0'], unsigned: 0 }, tests)).toEqual({ rc: 0 });
    // a test missing, no end of session, a forged or tampered record, a line nobody signed
    expect(pytestEvidence({ rc: 0, records: [...all.slice(1), 'finish\t0'], unsigned: 0 }, tests).missing).toMatch(/did not pass/);
    expect(pytestEvidence({ rc: 0, records: all, unsigned: 0 }, tests).missing).toMatch(/did not finish/);
    expect(pytestEvidence({ rc: 0, records: [...all, 'finish\t1'], unsigned: 0 }, tests).missing).toMatch(/status 1/);
    expect(pytestEvidence({ rc: 0, records: ['tampered\truntest', ...all, 'finish\t0'], unsigned: 0 }, tests).missing).toMatch(/tampered/);
    expect(pytestEvidence({ rc: 0, records: [...all, 'finish\t0'], unsigned: 1 }, tests).rc).toBe(1);
    expect(pytestEvidence(undefined, tests).missing).toMatch(/no report/);
    const js = hidden('javascript/reverse-string');
    const spec = [js.files['reverse-string.spec.js']!];
    const titles = ['an empty string', 'a word', 'a sentence'];
    const rep = (tests: Array<[string, string]>) => ({ rc: 0, report: true, success: true, failed: 0, failed_suites: 0, runtime_errors: 0, total: tests.length, tests });
    expect(jestEvidence(rep(titles.map((t) => [t, 'passed'])), spec)).toEqual({ rc: 0 });
    expect(jestEvidence(rep(titles.slice(1).map((t) => [t, 'passed'])), spec).missing).toMatch(/an empty string/);
    expect(jestEvidence(rep(titles.map((t) => [t, t === 'a word' ? 'pending' : 'passed'])), spec).missing).toMatch(/a word/);
    expect(jestEvidence({ rc: 0, report: false }, spec).missing).toMatch(/no report/);
  });

  it('refuses java/hangman by naming the missing dependency', () => {
    expect(() => polyglot.plan(byId.get('java/hangman')!, { code: '{}' }, { timeout_s: 180 }, undefined)).toThrow(/rxjava/i);
  });
});
