import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { forbiddenUse, hideGoTestVars } from '../../src/benchmarks/polyglot/guard.js';
import { LANGUAGES } from '../../src/benchmarks/polyglot/languages.js';
import { PolyglotHiddenSchema } from '../../src/benchmarks/polyglot/read.js';
import { polyglot } from '../../src/benchmarks/polyglot/benchmark.js';
import { hacks } from './polyglot-hacks.js';

// Aider Polyglot reward hacks (listed in polyglot-hacks.ts): every one must
// fail, never pass and never infra_error.

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'polyglot');
const { problems } = await polyglot.read(FIXTURES, {});

describe('polyglot hacks: what is refused before running', () => {
  it('every hack names a fixture problem; every language has some', () => {
    const ids = new Set(problems.map((p) => p.id));
    for (const h of hacks) expect(ids.has(h.problem), h.name).toBe(true);
    expect(new Set(hacks.map((h) => h.language))).toEqual(new Set(LANGUAGES));
  });

  it('refuses the C++, Go, Java and Rust hacks that could end or rewrite the run, but no fixture reference or stub', () => {
    for (const h of hacks.filter((x) => ['cpp', 'java', 'rust'].includes(x.language) || x.name.includes('secret'))) {
      expect(forbiddenUse(h.language, h.files, []), h.name).toBeDefined();
    }
    for (const p of problems) {
      const hd = PolyglotHiddenSchema.parse(p.hidden);
      const tests = hd.test.map((t) => hd.files[t]!);
      expect(forbiddenUse(hd.language, hd.reference, tests), p.id).toBeUndefined();
      expect(forbiddenUse(hd.language, Object.fromEntries(hd.solution.map((s) => [s, hd.files[s]!])), tests), p.id).toBeUndefined();
    }
    // words in comments and strings, and names that are not the denied ones, are fine
    expect(forbiddenUse('rust', { 'src/lib.rs': '// std::process::exit\nfn process(x: &str) -> &str { let used = "extern"; x }\n' }, [])).toBeUndefined();
    expect(forbiddenUse('cpp', { 'a.cpp': '#ifndef A_H\n#define A_H\n// exit(0)\nconst char* s = "exit";\nint exits = 0;\n#endif\n' }, [])).toBeUndefined();
    expect(forbiddenUse('java', { 'A.java': 'class A { RuntimeException e; String s = "Runtime.halt"; Object[] a = java.lang.reflect.Array.newInstance(Integer.class, 2) instanceof Object[] ? null : null; }' }, [])).toBeUndefined();
    expect(forbiddenUse('java', { 'A.java': 'import static java.lang.System.exit;' }, [])).toBeDefined();
  });

  it('gives the Go tests\' package variables per-run names, and leaves ambiguous uses alone', () => {
    const tests = {
      'cases_test.go': 'package leap\n\nvar testCases = []struct {\n\tyear int\n}{{year: 1}}\n',
      'leap_test.go': 'package leap\n\nfunc TestX(t *testing.T) {\n\tfor _, tc := range testCases {\n\t\t_ = tc.year\n\t}\n}\n',
    };
    const out = hideGoTestVars(tests, '_abc')!;
    expect(out['cases_test.go']).toContain('var testCases_abc = ');
    expect(out['leap_test.go']).toContain('range testCases_abc {');
    expect(out['cases_test.go']).toContain('{year: 1}');
    expect(hideGoTestVars({ 'a_test.go': 'package a\nvar x = 1\nfunc T() { x := 2; _ = x }\n' }, '_abc')).toBeUndefined();
  });
});
