import { describe, expect, it } from 'vitest';
import { compareOutput, decimalEqual, openr1Normalise, parseDecimal, pySplit, pyStrip, pythonCheckerAccepts } from '../src/judge/compare.js';

const ok = (kind: 'exact' | 'strip' | 'token' | 'lcb' | 'openr1' | 'json', e: string, a: string) => compareOutput({ kind }, e, a).ok;

describe('comparators', () => {
  it('exact is byte for byte', () => {
    expect(ok('exact', '1\n', '1\n')).toBe(true);
    expect(ok('exact', '1\n', '1')).toBe(false);
  });

  it('strip ignores only whole-output leading and trailing whitespace (USACO)', () => {
    expect(ok('strip', '3\n', '  3  \n\n')).toBe(true);
    expect(ok('strip', '1 2\n3', '1 2 \n3')).toBe(false);
    expect(ok('strip', '1\n2', '1\r\n2')).toBe(false);
  });

  it('token compares whitespace-separated tokens', () => {
    expect(ok('token', '1 2\n3', '1\n2   3\n')).toBe(true);
    expect(ok('token', '1 2', '1 2 3')).toBe(false);
  });

  it('lcb: line counts must match, then text or exact Decimal equality', () => {
    expect(ok('lcb', '3\n', '3.0')).toBe(true);
    expect(ok('lcb', '0.1', '1e-1')).toBe(true);
    expect(ok('lcb', '1 2', '1.0  2.00')).toBe(true);
    expect(ok('lcb', '0.33333333333333331', '0.3333333333333333')).toBe(false);
    expect(ok('lcb', '0.333333333333', '0.333333')).toBe(false);
    expect(ok('lcb', 'Yes', 'yes')).toBe(false);
    expect(ok('lcb', '1\n2', '1\n\n2')).toBe(false);
    expect(ok('lcb', '1\n2', '  1  \n2\n\n')).toBe(true);
    expect(ok('lcb', '1 2', '1 2 3')).toBe(false);
    expect(ok('lcb', 'nan', 'nan')).toBe(true); // equal as text
    expect(ok('lcb', 'nan', 'NaN')).toBe(false); // NaN != NaN as Decimal
    expect(ok('lcb', '-0', '0')).toBe(true);
    expect(ok('lcb', '1_000', '1000')).toBe(true);
    expect(ok('lcb', 'inf', 'Infinity')).toBe(true);
  });

  it('openr1 collapses whitespace and upper-cases yes/no words', () => {
    expect(ok('openr1', 'YES\n1 2\n', 'yes 1\n\n 2')).toBe(true);
    expect(ok('openr1', 'YES', 'yess')).toBe(false);
    expect(ok('openr1', '1\r\n2\r\n', '1 2')).toBe(true);
    expect(openr1Normalise('No, yes_no noyes')).toBe('NO, yes_no noyes');
    expect(ok('openr1', '1 2', '12')).toBe(false);
  });

  it('float accepts tolerance, not different tokens', () => {
    expect(compareOutput({ kind: 'float', abs: 1e-6, rel: 1e-6 }, '0.333333', '0.3333334').ok).toBe(true);
    expect(compareOutput({ kind: 'float', abs: 1e-6, rel: 1e-6 }, '0.333333', '0.3334').ok).toBe(false);
    expect(compareOutput({ kind: 'float', abs: 1e-6, rel: 1e-6 }, 'abc 1', 'abd 1').ok).toBe(false);
  });

  it('json compares values', () => {
    expect(ok('json', '{"a": [1, 2], "b": null}', '{"b":null,"a":[1,2]}')).toBe(true);
    expect(ok('json', '[1, 2]', '[2, 1]')).toBe(false);
    expect(ok('json', '[1]', 'not json')).toBe(false);
  });

  it('Python whitespace semantics for strip and split', () => {
    expect(pyStrip('\x1c a \x85')).toBe('a');
    expect(pyStrip('\ufeffa')).toBe('\ufeffa');
    expect(pySplit(' a \t b\n')).toEqual(['a', 'b']);
    expect(pySplit('   ')).toEqual([]);
  });

  it('Decimal parsing follows Python', () => {
    expect(parseDecimal('abc')).toBeUndefined();
    expect(parseDecimal('1.')).toBeDefined();
    expect(parseDecimal('.5')).toBeDefined();
    expect(parseDecimal('1__0')).toBeUndefined();
    expect(decimalEqual(parseDecimal('1.50')!, parseDecimal('15e-1')!)).toBe(true);
    expect(decimalEqual(parseDecimal('100')!, parseDecimal('1e2')!)).toBe(true);
    expect(decimalEqual(parseDecimal('-1')!, parseDecimal('1')!)).toBe(false);
  });

  it('python checker: stdout 1 or 100 accepts', () => {
    expect(pythonCheckerAccepts('1\n')).toBe(true);
    expect(pythonCheckerAccepts('100')).toBe(true);
    expect(pythonCheckerAccepts('0')).toBe(false);
    expect(pythonCheckerAccepts('1.0')).toBe(false);
  });
});

describe('large outputs are compared off the event loop', () => {
  it('a 64 MB adversarial output is judged while small comparisons and timers keep running', async () => {
    const { compareOutputAsync } = await import('../src/judge/compare-pool.js');
    // 64 MB: runs of whitespace between single-character tokens (the worst case for the old regexes and for token arrays)
    const unit = Buffer.from('x' + ' '.repeat(63) + 'y\t'.repeat(32));
    const big = Buffer.alloc(64 << 20);
    for (let o = 0; o < big.length; o += unit.length) unit.copy(big, o);
    const order: string[] = [];
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const slow = compareOutputAsync({ kind: 'token' }, 'x y', big).then((c) => (order.push('big'), c));
    // a neighbour's comparison started after the big one finishes first, and the loop keeps ticking
    const small = compareOutputAsync({ kind: 'token' }, '1 2', Buffer.from('1\n2\n')).then((c) => (order.push('small'), c));
    const [b, s] = await Promise.all([slow, small]);
    const ticksDuring = ticks;
    clearInterval(timer);
    expect(s.ok).toBe(true);
    expect(b).toEqual({ ok: false, detail: expect.stringMatching(/^expected 2 tokens, got \d+$/) });
    expect(order).toEqual(['small', 'big']);
    expect(ticksDuring).toBeGreaterThan(0);
  }, 120_000);
});
