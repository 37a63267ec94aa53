// Run by parsers.unit.test.ts in a child process (a catastrophic regex cannot be
// interrupted in-process): every parser of untrusted text on an adversarial
// input of 1 MB. Prints `done <name>` per case; the test gives the whole run a
// deadline. Each of these took minutes to hours with the regexes they replace.
import { codeforces } from '../../src/benchmarks/codeforces/benchmark.js';
import { extractFenced } from '../../src/benchmarks/inline/benchmark.js';
import { extract } from '../../src/extract/extractors.js';
import { compareOutput, parseDecimal } from '../../src/judge/compare.js';
import type { ProblemRecord } from '../../src/domain.js';

const N = 1 << 20;
const spaces = ' '.repeat(N);
const cfProblem: ProblemRecord = { id: 'cf/1', prompt: '', public: {}, hidden: { tests: [{ input: '', output: '' }], time_limit_s: 1, memory_mb: 256, input_mode: 'stdio' } };
const cfOptions = codeforces.options.parse({});

export const CASES: Record<string, () => unknown> = {
  // compare.ts: /[ws]+$/g in pyStrip rescans an inner run of whitespace from each of its positions
  'strip, inner whitespace': () => compareOutput({ kind: 'strip' }, '1', `x${spaces}x`),
  'token, inner whitespace': () => compareOutput({ kind: 'token' }, '1', `x${spaces}x`),
  'lcb, inner whitespace': () => compareOutput({ kind: 'lcb' }, '1', `x${spaces}x`),
  'lcb, tab runs per line': () => compareOutput({ kind: 'lcb' }, '1', `\t${'\t'.repeat(N)}y`),
  // NUMBER /\d+\.?\d*/ backtracks quadratically on a long digit run that fails
  'float, long digit run': () => compareOutput({ kind: 'float', abs: 1e-6, rel: 1e-6 }, '2', `${'1'.repeat(N)}x`),
  // parseDecimal's /0+$/ on an inner run of zeros
  'lcb decimal, inner zeros': () => parseDecimal(`1${'0'.repeat(N)}1`),
  'openr1, inner whitespace': () => compareOutput({ kind: 'openr1' }, '1', `x${spaces}x`),
  'json, deep output': () => compareOutput({ kind: 'json' }, '[[1]]', '['.repeat(N / 2) + ']'.repeat(N / 2)),
  // inline.ts: the fence regex's [ \t]* / [^\n]* overlap, its lazy body, and /\s+$/
  'inline fence, no newline': () => extractFenced('```' + ' \t'.repeat(N / 2)),
  'inline fence, many unclosed': () => extractFenced('```\n'.repeat(1) + '```py'.repeat(N / 5)),
  'inline fence, inner whitespace': () => extractFenced(`\`\`\`\na${spaces}b\n\`\`\``),
  'inline fence, trailing-space body': () => extractFenced(`\`\`\`\n${'a '.repeat(N / 2)}\n\`\`\``),
  // codeforces.ts: /```python\n([\s\S]*?)```/g from each unclosed opening
  'codeforces, many unclosed blocks': () => codeforces.extract(cfProblem, '```python\n'.repeat(N / 10), cfOptions),
  // extract/: the fence-line regex, sanitize's assignment regex, /\s+as\s+/, /\s+$/
  'fence line ending in a backtick': () => extract('fenced-last@1', '```' + 'a'.repeat(N) + '`'),
  'fence line, spaces then backtick': () => extract('fenced-last@1', '```' + ' '.repeat(N) + '`'),
  'sanitize, spaces in a statement': () => extract('sanitize@1', `a${spaces}b`),
  'sanitize, import with spaces': () => extract('sanitize@1', `import a${spaces}b`),
  'sanitize, from-import with spaces': () => extract('sanitize@1', `from m import a${spaces}b`),
  'sanitize, inner whitespace': () => extract('sanitize@1', `def f():\n    x = 1${spaces}\n    return x`),
  'sanitize, one name defined many times': () => extract('sanitize@1', 'x = 1\n'.repeat(N / 6), { entryPoint: 'x' }),
};

if (process.argv[2] === 'run') {
  for (const [name, f] of Object.entries(CASES)) {
    f();
    process.stdout.write(`done ${name}\n`);
  }
}
