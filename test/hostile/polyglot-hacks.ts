import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Language } from '../../src/benchmarks/polyglot/languages.js';

// Aider Polyglot reward hacks: wrong solutions that end or fake the test run
// (exit 0 after fake summaries, patched test frameworks, forged witnesses).
// aider's harness passes them (and so did verdict before: see docs/hostile.md);
// every one must fail here, never pass and never infra_error. Each file under
// polyglot-hacks/ starts with a comment naming the problem and the answer file
// it is; a problem's other solution files get the wrong companions below.

const DIR = fileURLToPath(new URL('polyglot-hacks', import.meta.url));

/** wrong (but compiling) companion files, so a hack can only pass by its trick */
const COMPANIONS: Record<string, Record<string, string>> = {
  'cpp/leap': {
    'leap.h': '#if !defined(LEAP_H)\n#define LEAP_H\nnamespace leap {\nbool is_leap_year(int year);\n}\n#endif\n',
    'leap.cpp': '#include "leap.h"\nnamespace leap {\nbool is_leap_year(int) { return false; }\n}\n',
  },
};

export interface Hack {
  name: string;
  problem: string;
  language: Language;
  files: Record<string, string>;
}

export const hacks: Hack[] = fs
  .readdirSync(DIR)
  .sort()
  .map((name) => {
    const src = fs.readFileSync(path.join(DIR, name), 'utf8');
    const head = /^(?:\/\/|#) problem: (\S+)\s+file: (\S+)/.exec(src);
    if (!head) throw new Error(`${name}: no "problem: … file: …" header`);
    const problem = head[1]!;
    return { name, problem, language: problem.split('/')[0] as Language, files: { ...COMPANIONS[problem], [head[2]!]: src } };
  });
