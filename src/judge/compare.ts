import type { Comparator } from './types.js';

// Output comparators, pure and run in the service (never in the sandbox), so
// a program can only influence its own output. Each follows the harness it is
// named for, bugs included where those change verdicts.

export interface Comparison {
  ok: boolean;
  /** why not, in terms of the program's output only (tests are private) */
  detail?: string;
}

export type TextComparator = Exclude<Comparator, { kind: 'checker' }>;

export function compareOutput(cmp: TextComparator, expected: string, actual: string): Comparison {
  switch (cmp.kind) {
    case 'exact':
      return verdict(expected === actual, 'output differs');
    case 'strip':
      return verdict(pyStrip(expected) === pyStrip(actual), 'output differs');
    case 'token':
      return tokens(expected, actual, (a, b) => a === b);
    case 'float':
      return tokens(expected, actual, (a, b) => a === b || closeEnough(a, b, cmp.abs, cmp.rel));
    case 'lcb':
      return lcb(expected, actual);
    case 'openr1':
      return verdict(openr1Normalise(expected) === openr1Normalise(actual), 'output differs');
    case 'json':
      return jsonEqual(expected, actual);
  }
}

function verdict(ok: boolean, detail: string): Comparison {
  return ok ? { ok } : { ok, detail };
}

// Python's str.isspace() set: str.strip() and str.split() use it, and it is
// not JavaScript's \s (which has \ufeff but lacks \x1c-\x1f and \x85).
const PY_WS = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_WS}]+|[${PY_WS}]+$`, 'g');
const PY_SPLIT = new RegExp(`[${PY_WS}]+`);

export function pyStrip(s: string): string {
  return s.replace(PY_STRIP, '');
}

/** Python's `s.split()` (no argument). */
export function pySplit(s: string): string[] {
  const t = pyStrip(s);
  return t === '' ? [] : t.split(PY_SPLIT);
}

function tokens(expected: string, actual: string, eq: (e: string, a: string) => boolean): Comparison {
  const e = pySplit(expected);
  const a = pySplit(actual);
  if (e.length !== a.length) return { ok: false, detail: `expected ${e.length} tokens, got ${a.length}` };
  for (let i = 0; i < e.length; i++) {
    if (!eq(e[i]!, a[i]!)) return { ok: false, detail: `token ${i + 1} differs` };
  }
  return { ok: true };
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function closeEnough(e: string, a: string, abs: number, rel: number): boolean {
  if (!NUMBER.test(e) || !NUMBER.test(a)) return false;
  const x = Number(e);
  const y = Number(a);
  const d = Math.abs(x - y);
  return d <= abs || d <= rel * Math.abs(x);
}

/**
 * LiveCodeBench testing_util: strip the whole output, split on "\n", strip
 * each line; line counts must match; each line equal as text, or else its
 * whitespace tokens all parse as Decimal and are equal exactly.
 */
function lcb(expected: string, actual: string): Comparison {
  const e = pyStrip(expected).split('\n').map(pyStrip);
  const a = pyStrip(actual).split('\n').map(pyStrip);
  if (e.length !== a.length) return { ok: false, detail: `mismatched output length: expected ${e.length} lines, got ${a.length}` };
  for (let i = 0; i < e.length; i++) {
    if (e[i] === a[i]) continue;
    const de = pySplit(e[i]!).map(parseDecimal);
    const da = pySplit(a[i]!).map(parseDecimal);
    if (de.some((d) => d === undefined) || da.some((d) => d === undefined)) return { ok: false, detail: `line ${i + 1} differs` };
    if (de.length !== da.length || de.some((d, j) => !decimalEqual(d!, da[j]!))) {
      return { ok: false, detail: `line ${i + 1} differs` };
    }
  }
  return { ok: true };
}

/** A Python Decimal's value: finite (sign, digits without leading zeros, exponent), infinite, or NaN. */
export type Dec = { kind: 'finite'; neg: boolean; digits: string; exp: number } | { kind: 'inf'; neg: boolean } | { kind: 'nan' };

// Python's Decimal(str) grammar (underscores between digits allowed since 3.6).
const DEC_FINITE = /^([+-])?(?:(\d(?:_?\d)*)(?:\.((?:\d(?:_?\d)*)?))?|\.(\d(?:_?\d)*))(?:[eE]([+-]?\d(?:_?\d)*))?$/;
const DEC_INF = /^([+-])?(inf|infinity)$/i;
const DEC_NAN = /^[+-]?s?nan(\d(?:_?\d)*)?$/i;

export function parseDecimal(token: string): Dec | undefined {
  const s = pyStrip(token);
  const inf = DEC_INF.exec(s);
  if (inf) return { kind: 'inf', neg: inf[1] === '-' };
  if (DEC_NAN.test(s)) return { kind: 'nan' };
  const m = DEC_FINITE.exec(s);
  if (!m) return undefined;
  const intPart = (m[2] ?? '').replace(/_/g, '');
  const fracPart = (m[3] ?? m[4] ?? '').replace(/_/g, '');
  let exp = m[5] ? Number(m[5].replace(/_/g, '')) - fracPart.length : -fracPart.length;
  let digits = (intPart + fracPart).replace(/^0+/, '');
  // normalise trailing zeros into the exponent so 1.50 == 1.5 == 15e-1
  const trimmed = digits.replace(/0+$/, '');
  exp += digits.length - trimmed.length;
  digits = trimmed;
  return { kind: 'finite', neg: m[1] === '-', digits, exp: digits === '' ? 0 : exp };
}

export function decimalEqual(a: Dec, b: Dec): boolean {
  if (a.kind === 'nan' || b.kind === 'nan') return false;
  if (a.kind === 'inf' || b.kind === 'inf') return a.kind === b.kind && a.neg === b.neg;
  if (a.digits === '' || b.digits === '') return a.digits === b.digits; // -0 == 0
  return a.neg === b.neg && a.digits === b.digits && a.exp === b.exp;
}

/**
 * open-r1's Piston `run` script without a checker: \r and empty lines dropped,
 * whole-word yes/no upper-cased, every run of whitespace (newlines included)
 * collapsed to one space, trimmed, then `diff -b`.
 */
export function openr1Normalise(s: string): string {
  return s
    .replace(/\b(yes|no)\b/gi, (w) => w.toUpperCase())
    .split(/[ \t\n\v\f\r]+/)
    .filter((t) => t !== '')
    .join(' ');
}

function jsonEqual(expected: string, actual: string): Comparison {
  let e: unknown;
  let a: unknown;
  try {
    e = JSON.parse(expected);
  } catch {
    return { ok: false, detail: 'expected output is not JSON' };
  }
  try {
    a = JSON.parse(actual);
  } catch {
    return { ok: false, detail: 'output is not JSON' };
  }
  return verdict(deepEqual(e, a), 'value differs');
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

/** open-r1 python checker: accepted iff its stdout, stripped, is `1` or `100`. */
export function pythonCheckerAccepts(stdout: string): boolean {
  const s = stdout.trim();
  return s === '1' || s === '100';
}
