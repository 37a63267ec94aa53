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
      return tokens(expected, actual, sameChars);
    case 'float':
      return tokens(expected, actual, (e, es, ee, a, as, ae) => sameChars(e, es, ee, a, as, ae) || closeEnough(e.slice(es, ee), a.slice(as, ae), cmp.abs, cmp.rel));
    case 'lcb':
      return lcb(expected, actual);
    case 'openr1':
      return openr1Equal(expected, actual);
    case 'json':
      return jsonEqual(expected, actual);
  }
}

function verdict(ok: boolean, detail: string): Comparison {
  return ok ? { ok } : { ok, detail };
}

// Python's str.isspace() set: str.strip() and str.split() use it, and it is
// not JavaScript's \s (which has \ufeff but lacks \x1c-\x1f and \x85).
// Every parser here is a hand-written scanner, linear in its input: program
// output is untrusted, and a regex such as /[ws]+$/ backtracks quadratically
// on long runs of whitespace (60 k spaces blocked the service for seconds).
export function isPySpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  if (c < 0x85) return false;
  return c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** Python's `s.strip()` (no argument). */
export function pyStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isPySpace(s.charCodeAt(a))) a++;
  while (b > a && isPySpace(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Python's `s.split()` (no argument). */
export function pySplit(s: string): string[] {
  const out: string[] = [];
  const n = s.length;
  let i = 0;
  for (;;) {
    while (i < n && isPySpace(s.charCodeAt(i))) i++;
    if (i >= n) return out;
    const start = i;
    while (i < n && !isPySpace(s.charCodeAt(i))) i++;
    out.push(s.slice(start, i));
  }
}

type TokenEq = (e: string, es: number, ee: number, a: string, as: number, ae: number) => boolean;

/** the same characters: no slices, no allocation */
const sameChars: TokenEq = (e, es, ee, a, as, ae) => {
  if (ee - es !== ae - as) return false;
  for (let k = 0; k < ee - es; k++) if (e.charCodeAt(es + k) !== a.charCodeAt(as + k)) return false;
  return true;
};

/**
 * Whitespace-separated tokens compared pairwise as they are scanned, in one
 * pass over both texts: no arrays of millions of strings.
 */
function tokens(expected: string, actual: string, eq: TokenEq, sep: (c: number) => boolean = isPySpace): Comparison {
  const ne = expected.length;
  const na = actual.length;
  let i = 0;
  let j = 0;
  let k = 0;
  for (;;) {
    while (i < ne && sep(expected.charCodeAt(i))) i++;
    while (j < na && sep(actual.charCodeAt(j))) j++;
    if (i >= ne || j >= na) {
      if (i >= ne && j >= na) return { ok: true };
      return { ok: false, detail: `expected ${k + countTokens(expected, i, sep)} tokens, got ${k + countTokens(actual, j, sep)}` };
    }
    const es = i;
    const as = j;
    while (i < ne && !sep(expected.charCodeAt(i))) i++;
    while (j < na && !sep(actual.charCodeAt(j))) j++;
    if (!eq(expected, es, i, actual, as, j)) return { ok: false, detail: `token ${k + 1} differs` };
    k++;
  }
}

function countTokens(s: string, from: number, sep: (c: number) => boolean): number {
  let k = 0;
  let inTok = false;
  for (let i = from; i < s.length; i++) {
    const t = !sep(s.charCodeAt(i));
    if (t && !inTok) k++;
    inTok = t;
  }
  return k;
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/** `[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?` as a scanner (that regex backtracks quadratically on long digit runs). */
export function isPlainNumber(s: string): boolean {
  const n = s.length;
  let i = 0;
  if (s[i] === '+' || s[i] === '-') i++;
  let digits = 0;
  while (i < n && isDigit(s.charCodeAt(i))) (i++, digits++);
  if (s[i] === '.') {
    i++;
    while (i < n && isDigit(s.charCodeAt(i))) (i++, digits++);
  }
  if (digits === 0) return false;
  if (s[i] === 'e' || s[i] === 'E') {
    i++;
    if (s[i] === '+' || s[i] === '-') i++;
    const start = i;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    if (i === start) return false;
  }
  return i === n;
}

function closeEnough(e: string, a: string, abs: number, rel: number): boolean {
  if (!isPlainNumber(e) || !isPlainNumber(a)) return false;
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
  const e = pyStrip(expected);
  const a = pyStrip(actual);
  const ne = countChar(e, 10) + 1;
  const na = countChar(a, 10) + 1;
  if (ne !== na) return { ok: false, detail: `mismatched output length: expected ${ne} lines, got ${na}` };
  // line by line with indexOf: no arrays of millions of lines
  let i = 0;
  let j = 0;
  for (let line = 1; line <= ne; line++) {
    const ie = line === ne ? e.length : e.indexOf('\n', i);
    const ia = line === na ? a.length : a.indexOf('\n', j);
    const le = pyStrip(e.slice(i, ie));
    const la = pyStrip(a.slice(j, ia));
    i = ie + 1;
    j = ia + 1;
    if (le === la) continue;
    const de = pySplit(le).map(parseDecimal);
    const da = pySplit(la).map(parseDecimal);
    if (de.some((d) => d === undefined) || da.some((d) => d === undefined)) return { ok: false, detail: `line ${line} differs` };
    if (de.length !== da.length || de.some((d, k) => !decimalEqual(d!, da[k]!))) return { ok: false, detail: `line ${line} differs` };
  }
  return { ok: true };
}

function countChar(s: string, c: number): number {
  let k = 0;
  for (let i = s.indexOf(String.fromCharCode(c)); i >= 0; i = s.indexOf(String.fromCharCode(c), i + 1)) k++;
  return k;
}

/** A Python Decimal's value: finite (sign, digits without leading zeros, exponent), infinite, or NaN. */
export type Dec = { kind: 'finite'; neg: boolean; digits: string; exp: number } | { kind: 'inf'; neg: boolean } | { kind: 'nan' };

/** Python's Decimal(str) grammar (underscores between digits allowed since 3.6), as a linear scanner. */
export function parseDecimal(token: string): Dec | undefined {
  const s = pyStrip(token);
  let i = 0;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') neg = s[i++] === '-';
  const head = s.slice(i, i + 8).toLowerCase();
  if (s.length - i <= 8 && (head === 'inf' || head === 'infinity')) return { kind: 'inf', neg };
  if (head.startsWith('nan') || head.startsWith('snan')) {
    const j = i + (head.startsWith('nan') ? 3 : 4);
    if (j === s.length) return { kind: 'nan' };
    const d = digitRun(s, j);
    return d && d.end === s.length ? { kind: 'nan' } : undefined;
  }
  let intPart = '';
  let fracPart = '';
  const ip = digitRun(s, i);
  if (ip) {
    intPart = ip.digits;
    i = ip.end;
    if (s[i] === '.') {
      i++;
      const fp = digitRun(s, i);
      if (fp) {
        fracPart = fp.digits;
        i = fp.end;
      }
    }
  } else {
    if (s[i] !== '.') return undefined;
    const fp = digitRun(s, i + 1);
    if (!fp) return undefined;
    fracPart = fp.digits;
    i = fp.end;
  }
  let exp = -fracPart.length;
  if (s[i] === 'e' || s[i] === 'E') {
    i++;
    let eneg = false;
    if (s[i] === '+' || s[i] === '-') eneg = s[i++] === '-';
    const ep = digitRun(s, i);
    if (!ep) return undefined;
    exp += (eneg ? -1 : 1) * Number(ep.digits);
    i = ep.end;
  }
  if (i !== s.length) return undefined;
  // digits without leading zeros; trailing zeros go into the exponent so 1.50 == 1.5 == 15e-1
  const all = intPart + fracPart;
  let a = 0;
  let b = all.length;
  while (a < b && all.charCodeAt(a) === 0x30) a++;
  while (b > a && all.charCodeAt(b - 1) === 0x30) b--;
  exp += all.length - b;
  const digits = all.slice(a, b);
  return { kind: 'finite', neg, digits, exp: digits === '' ? 0 : exp };
}

/** `\d(?:_?\d)*` from `i`: its digits without underscores and where it ends; undefined if no digit at `i`. */
function digitRun(s: string, i: number): { digits: string; end: number } | undefined {
  if (!isDigit(s.charCodeAt(i))) return undefined;
  const start = i;
  let underscores = false;
  i++;
  for (;;) {
    if (isDigit(s.charCodeAt(i))) i++;
    else if (s[i] === '_' && isDigit(s.charCodeAt(i + 1))) {
      underscores = true;
      i += 2;
    } else break;
  }
  const raw = s.slice(start, i);
  return { digits: underscores ? raw.split('_').join('') : raw, end: i };
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
  const out: string[] = [];
  const n = s.length;
  let i = 0;
  for (;;) {
    while (i < n && isAsciiSpace(s.charCodeAt(i))) i++;
    if (i >= n) return out.join(' ');
    const start = i;
    while (i < n && !isAsciiSpace(s.charCodeAt(i))) i++;
    out.push(yesNo(s.slice(start, i)));
  }
}

/** openr1Normalise(e) === openr1Normalise(a), token by token (whitespace never touches a word boundary). */
function openr1Equal(expected: string, actual: string): Comparison {
  const c = tokens(expected, actual, (e, es, ee, a, as, ae) => sameChars(e, es, ee, a, as, ae) || (ee - es === ae - as && yesNo(e.slice(es, ee)) === yesNo(a.slice(as, ae))), isAsciiSpace);
  return c.ok ? c : { ok: false, detail: 'output differs' };
}

const isAsciiSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);

// constant-width alternatives: linear
const YES_NO = /\b(yes|no)\b/gi;
function yesNo(token: string): string {
  return token.replace(YES_NO, (w) => w.toUpperCase());
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
  try {
    return verdict(deepEqual(e, a), 'value differs');
  } catch {
    // a stack overflow on nesting the expected value shares: the output's doing
    return { ok: false, detail: 'value differs' };
  }
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
