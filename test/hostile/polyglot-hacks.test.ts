import fs from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forbiddenUse, hideGoTestVars } from '../../src/benchmarks/polyglot-guard.js';
import { LANGUAGE_SPECS, LANGUAGES, type Language } from '../../src/benchmarks/polyglot-languages.js';
import { PolyglotHiddenSchema } from '../../src/benchmarks/polyglot-read.js';
import { polyglot } from '../../src/benchmarks/polyglot.js';
import { ensureImages } from '../../src/sandbox/images.js';
import { fillVolumes } from '../../src/sandbox/volumes.js';
import { postGrade, testApp } from '../helpers/app.js';
import { dockerAvailable, SANDBOXES } from '../helpers/docker.js';
import { ti } from '../helpers/instance.js';

// Aider Polyglot reward hacks: wrong solutions that end or fake the test run
// (exit 0 after fake summaries, patched test frameworks, forged witnesses).
// aider's harness passes them (and so did verdict before: see docs/hostile.md);
// every one must fail here, never pass and never infra_error. Each file under
// polyglot-hacks/ starts with a comment naming the problem and the answer file
// it is; a problem's other solution files get the wrong companions below.

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'polyglot');
const DIR = path.join(__dirname, 'polyglot-hacks');

/** wrong (but compiling) companion files, so a hack can only pass by its trick */
const COMPANIONS: Record<string, Record<string, string>> = {
  'cpp/leap': {
    'leap.h': '#if !defined(LEAP_H)\n#define LEAP_H\nnamespace leap {\nbool is_leap_year(int year);\n}\n#endif\n',
    'leap.cpp': '#include "leap.h"\nnamespace leap {\nbool is_leap_year(int) { return false; }\n}\n',
  },
};

interface Hack {
  name: string;
  problem: string;
  language: Language;
  files: Record<string, string>;
}

const hacks: Hack[] = fs
  .readdirSync(DIR)
  .sort()
  .map((name) => {
    const src = fs.readFileSync(path.join(DIR, name), 'utf8');
    const head = /^(?:\/\/|#) problem: (\S+)\s+file: (\S+)/.exec(src);
    if (!head) throw new Error(`${name}: no "problem: … file: …" header`);
    const problem = head[1]!;
    return { name, problem, language: problem.split('/')[0] as Language, files: { ...COMPANIONS[problem], [head[2]!]: src } };
  });
const langs = (process.env.VERDICT_POLYGLOT_LANGS?.split(',') ?? [...LANGUAGES]).filter((l): l is Language => (LANGUAGES as readonly string[]).includes(l));
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

const hasDocker = await dockerAvailable();

describe.skipIf(!hasDocker)('polyglot hacks in the sandboxes', () => {
  let app: Awaited<ReturnType<typeof testApp>>;

  beforeAll(async () => {
    await ensureImages(new Docker(), SANDBOXES, langs.map((l) => LANGUAGE_SPECS[l].image));
    app = await testApp([{ benchmark: 'polyglot', file: FIXTURES }], { instance: ti('test-polyglot-hacks') });
    if (langs.includes('cpp')) await fillVolumes(new Docker(), SANDBOXES, polyglot.volumes!(problems));
  }, 3_600_000);
  afterAll(async () => {
    await app?.close();
  });

  const grade = (problem_id: string, completion: string) => postGrade(app, { benchmark: 'polyglot', problem_id, completion });

  for (const lang of langs) {
    it(`${lang}: every hack fails, and the problem's reference still passes`, async () => {
      const mine = hacks.filter((h) => h.language === lang);
      for (const h of mine) {
        const v = await grade(h.problem, JSON.stringify(h.files));
        expect.soft(v.status, `${h.name}: ${v.reason} ${v.detail}`).toBe('fail');
      }
      for (const id of new Set(mine.map((h) => h.problem))) {
        const ref = PolyglotHiddenSchema.parse(problems.find((p) => p.id === id)!.hidden).reference;
        const v = await grade(id, JSON.stringify(ref));
        expect(v.status, `${id} reference: ${v.detail}`).toBe('pass');
      }
    }, 900_000);
  }
});
