import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LANGUAGE_SPECS, LANGUAGES, type Language } from '../src/benchmarks/polyglot/languages.js';
import { PolyglotHiddenSchema } from '../src/benchmarks/polyglot/read.js';
import { polyglot } from '../src/benchmarks/polyglot/benchmark.js';
import type { Verdict } from '../src/schemas.js';
import { ensureImages } from '../src/sandbox/images/build.js';
import { fillVolumes } from '../src/sandbox/volumes.js';
import { postGrade, testApp } from './helpers/app.js';
import { dockerAvailable, SANDBOXES } from './helpers/docker.js';
import { ti } from './helpers/instance.js';
import type { ProblemRecord } from '../src/domain.js';

const FIXTURES = path.join(__dirname, 'fixtures', 'polyglot');
const { problems } = await polyglot.read(FIXTURES, {});
const byId = new Map(problems.map((p) => [p.id, p]));
const hidden = (id: string) => PolyglotHiddenSchema.parse(byId.get(id)!.hidden);

const hasDocker = await dockerAvailable();
// Six toolchain images cost minutes each on a fresh machine; this narrows the
// sandbox part (e.g. VERDICT_POLYGLOT_LANGS=python,go), never the default.
const SANDBOX_LANGS = (process.env.VERDICT_POLYGLOT_LANGS?.split(',') ?? [...LANGUAGES]).filter((l): l is Language =>
  (LANGUAGES as readonly string[]).includes(l),
);

/** A language's fixture exercises: reference passes, stub fails; plus extra cases. */
const extra: Partial<Record<Language, Array<[string, string, string, Verdict['status'], Verdict['reason']]>>> = {
  python: [
    // os._exit(0) at import fools a bare exit-code check, not this one
    ['exit(0) before the tests', 'python/leap', JSON.stringify({ 'leap.py': 'import os\nos._exit(0)\n' }), 'fail', 'runtime_error'],
    ['a whole-format reply', 'python/leap', 'leap.py\n```python\ndef leap_year(y):\n    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)\n```\n', 'pass', null],
    ['a syntax error', 'python/leap', JSON.stringify({ 'leap.py': 'def leap_year(:\n' }), 'fail', 'compile_error'],
  ],
  javascript: [
    // passes only the test() cases: the xtest() ones run too
    ['an answer wrong only on xtest cases', 'javascript/leap', JSON.stringify({ 'leap.js': 'export const isLeap = (y) => y % 4 === 0;\n' }), 'fail', 'wrong_answer'],
  ],
  java: [
    ['an answer wrong only on @Disabled cases', 'java/leap', JSON.stringify({ 'src/main/java/Leap.java': 'class Leap { boolean isLeapYear(int y) { return y % 4 == 0; } }\n' }), 'fail', 'wrong_answer'],
    ['a compile error', 'java/leap', JSON.stringify({ 'src/main/java/Leap.java': 'class Leap {' }), 'fail', 'compile_error'],
  ],
  rust: [
    // --include-ignored runs the #[ignore] tests
    ['an answer wrong only on ignored tests', 'rust/leap', JSON.stringify({ 'src/lib.rs': 'pub fn is_leap_year(y: u64) -> bool { y % 4 == 0 }\n' }), 'fail', 'wrong_answer'],
  ],
  go: [
    ['a build error', 'go/leap', JSON.stringify({ 'leap.go': 'package leap\nfunc IsLeapYear(' }), 'fail', 'compile_error'],
    // would end the test binary with "ok" before any test; importing os is refused before running
    ['os.Exit(0) in init()', 'go/leap', JSON.stringify({ 'leap.go': 'package leap\nimport "os"\nfunc init() { os.Exit(0) }\nfunc IsLeapYear(y int) bool { return false }\n' }), 'fail', 'compile_error'],
  ],
  cpp: [
    // EXERCISM_RUN_ALL_TESTS is on
    // the compiler cache is read-only: right answers only when the write was refused
    [
      'an answer that tries to poison the compiler cache',
      'cpp/leap',
      JSON.stringify({
        'leap.h': '#pragma once\nnamespace leap {\nbool is_leap_year(int year);\n}\n',
        'leap.cpp':
          '#include "leap.h"\n#include <cstdio>\nnamespace leap {\nbool is_leap_year(int y) {\n  FILE* f = std::fopen("/opt/polyglot/ccache/poison", "w");\n  if (f) { std::fclose(f); return false; }\n  return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);\n}\n}\n',
      }),
      'pass',
      null,
    ],
    ['an answer wrong only on the guarded tests', 'cpp/reverse-string', JSON.stringify({ 'reverse_string.cpp': '#include "reverse_string.h"\nnamespace reverse_string {\nstd::string reverse_string(const std::string& s) { return s; }\n}\n' }), 'fail', 'wrong_answer'],
  ],
};

describe.skipIf(!hasDocker)('polyglot grading in the sandboxes', () => {
  let app: Awaited<ReturnType<typeof testApp>>;

  beforeAll(async () => {
    await ensureImages(new Docker(), SANDBOXES, SANDBOX_LANGS.map((l) => LANGUAGE_SPECS[l].image));
    app = await testApp([{ benchmark: 'polyglot', file: FIXTURES }], { instance: ti('test-polyglot') });
    // as `verdict import` does: Catch's main of the fixtures into the C++ compiler cache
    if (SANDBOX_LANGS.includes('cpp')) await fillVolumes(new Docker(), SANDBOXES, polyglot.volumes!(problems));
  }, 3_600_000);
  afterAll(async () => {
    await app?.close();
  });

  const grade = (problem_id: string, completion: string) => postGrade(app, { benchmark: 'polyglot', problem_id, completion });
  const fixtures = (lang: Language): ProblemRecord[] => problems.filter((p) => p.public.language === lang && p.id !== 'java/hangman');

  for (const lang of SANDBOX_LANGS) {
    it(`${lang}: every reference passes and every stub fails`, async () => {
      for (const p of fixtures(lang)) {
        const ref = await grade(p.id, JSON.stringify(hidden(p.id).reference));
        expect(ref.status, `${p.id} reference: ${ref.detail}`).toBe('pass');
        expect(ref.reward).toBe(1);
        const stub = await grade(p.id, '{}');
        expect(stub.status, `${p.id} stub: ${stub.detail}`).toBe('fail');
        expect(stub.reward).toBe(0);
        expect(stub.detail).toBeTruthy();
      }
      for (const [name, id, completion, status, reason] of extra[lang] ?? []) {
        const v = await grade(id, completion);
        expect([v.status, v.reason], `${name}: ${v.detail}`).toEqual([status, reason]);
      }
    }, 900_000);
  }

  it.skipIf(!SANDBOX_LANGS.includes('java'))('answers java/hangman with infra_error naming RxJava', async () => {
    const v = await grade('java/hangman', JSON.stringify(hidden('java/hangman').reference));
    expect([v.status, v.reason, v.retryable]).toEqual(['infra_error', 'unsupported', false]);
    expect(v.detail).toMatch(/rxjava/i);
  });
});
