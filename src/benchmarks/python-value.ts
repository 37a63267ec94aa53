// Python values on the service side, for comparing a candidate's return value
// with an expected value the way Python's `==` does (LiveCodeBench:
// `prediction == json.loads(output)`), without ever running the comparison
// where the candidate could influence it.

export type PyValue =
  | { t: 'none' }
  | { t: 'bool'; v: boolean }
  | { t: 'int'; v: bigint }
  | { t: 'float'; v: number }
  /** exact rational (Fraction, finite Decimal) */
  | { t: 'fraction'; n: bigint; d: bigint }
  | { t: 'str'; v: string }
  | { t: 'list'; v: PyValue[] }
  | { t: 'tuple'; v: PyValue[] }
  | { t: 'dict'; v: Array<[PyValue, PyValue]> }
  | { t: 'set'; v: PyValue[] }
  /** anything else: equal to nothing here */
  | { t: 'opaque'; v: string };

export class PyValueError extends Error {}

/**
 * Python's json.loads: ints stay exact, NaN/Infinity/-Infinity are accepted,
 * a repeated key keeps the last value.
 */
export function parsePythonJson(text: string): PyValue {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const fail = (msg: string): never => {
    throw new PyValueError(`${msg} at char ${i}`);
  };
  const lit = (word: string) => text.startsWith(word, i) && ((i += word.length), true);
  const value = (depth: number): PyValue => {
    if (depth > 10_000) fail('nested too deeply');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries = new Map<string, PyValue>();
      ws();
      if (text[i] === '}') {
        i++;
        return { t: 'dict', v: [] };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const k = str();
        ws();
        if (text[i++] !== ':') fail("expected ':'");
        entries.delete(k);
        entries.set(k, value(depth + 1));
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          break;
        } else fail("expected ',' or '}'");
      }
      return { t: 'dict', v: [...entries].map(([k, v]) => [{ t: 'str', v: k }, v]) };
    }
    if (c === '[') {
      i++;
      const items: PyValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { t: 'list', v: items };
      }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          break;
        } else fail("expected ',' or ']'");
      }
      return { t: 'list', v: items };
    }
    if (c === '"') return { t: 'str', v: str() };
    if (lit('null')) return { t: 'none' };
    if (lit('true')) return { t: 'bool', v: true };
    if (lit('false')) return { t: 'bool', v: false };
    if (lit('NaN')) return { t: 'float', v: NaN };
    if (lit('Infinity')) return { t: 'float', v: Infinity };
    if (lit('-Infinity')) return { t: 'float', v: -Infinity };
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(i, i + 100_000));
    if (!m) fail('unexpected character');
    i += m![0].length;
    return m![1] || m![2] ? { t: 'float', v: Number(m![0]) } : { t: 'int', v: BigInt(m![0]) };
  };
  const str = (): string => {
    const start = i;
    i++;
    let hasEscape = false;
    while (i < text.length && text[i] !== '"') {
      const code = text.charCodeAt(i);
      if (code < 0x20) fail('control character in string');
      if (text[i] === '\\') {
        hasEscape = true;
        i++;
      }
      i++;
    }
    if (i >= text.length) fail('unterminated string');
    i++;
    const raw = text.slice(start, i);
    return hasEscape ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  };
  const v = value(0);
  ws();
  if (i !== text.length) fail('extra data');
  return v;
}

/** The runner's tagged codec (lcb_runner.py `encode`) → PyValue. */
export function decodeTagged(x: unknown, depth = 0): PyValue {
  if (depth > 10_000) throw new PyValueError('nested too deeply');
  if (x === null) return { t: 'none' };
  if (typeof x === 'boolean') return { t: 'bool', v: x };
  if (typeof x === 'number') {
    if (!Number.isSafeInteger(x)) throw new PyValueError('untagged non-integer number');
    return { t: 'int', v: BigInt(x) };
  }
  if (typeof x === 'string') return { t: 'str', v: x };
  if (Array.isArray(x)) return { t: 'list', v: x.map((e) => decodeTagged(e, depth + 1)) };
  if (typeof x === 'object') {
    const o = x as { t?: unknown; v?: unknown };
    const list = () => {
      if (!Array.isArray(o.v)) throw new PyValueError(`tag ${String(o.t)} without a list`);
      return o.v.map((e) => decodeTagged(e, depth + 1));
    };
    switch (o.t) {
      case 'int':
        return { t: 'int', v: hexInt(o.v) };
      case 'float':
        return { t: 'float', v: pyFloat(o.v) };
      case 'tuple':
        return { t: 'tuple', v: list() };
      case 'set':
        return { t: 'set', v: list() };
      case 'dict': {
        if (!Array.isArray(o.v)) throw new PyValueError('dict without pairs');
        return {
          t: 'dict',
          v: o.v.map((p) => {
            if (!Array.isArray(p) || p.length !== 2) throw new PyValueError('bad dict pair');
            return [decodeTagged(p[0], depth + 1), decodeTagged(p[1], depth + 1)] as [PyValue, PyValue];
          }),
        };
      }
      case 'fraction': {
        if (!Array.isArray(o.v) || o.v.length !== 2) throw new PyValueError('bad fraction');
        return { t: 'fraction', n: hexInt(o.v[0]), d: hexInt(o.v[1]) };
      }
      case 'opaque':
        return { t: 'opaque', v: String(o.v) };
    }
  }
  throw new PyValueError('unknown value encoding');
}

function hexInt(v: unknown): bigint {
  if (typeof v !== 'string' || !/^-?[0-9a-f]+$/.test(v)) throw new PyValueError('bad int');
  return v.startsWith('-') ? -BigInt('0x' + v.slice(1)) : BigInt('0x' + v);
}

function pyFloat(v: unknown): number {
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  if (v === 'nan') return NaN;
  if (typeof v !== 'string' || !/^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/.test(v)) throw new PyValueError('bad float');
  return Number(v);
}

/** A number as an exact rational n/d (d > 0), or undefined for non-numbers and non-finite floats. */
function rational(x: PyValue): [bigint, bigint] | undefined {
  switch (x.t) {
    case 'bool':
      return [x.v ? 1n : 0n, 1n];
    case 'int':
      return [x.v, 1n];
    case 'fraction':
      return [x.n, x.d];
    case 'float':
      return Number.isFinite(x.v) ? floatRational(x.v) : undefined;
    default:
      return undefined;
  }
}

function floatRational(f: number): [bigint, bigint] {
  if (Number.isInteger(f)) return [BigInt(f), 1n];
  // exact binary expansion: f = m / 2^k
  let k = 0n;
  let m = f;
  while (!Number.isInteger(m)) {
    m *= 2;
    k += 1n;
  }
  return [BigInt(m), 1n << k];
}

const isNumber = (x: PyValue) => x.t === 'bool' || x.t === 'int' || x.t === 'float' || x.t === 'fraction';

export interface EqualityOptions {
  /** lenient mode only: floats within this absolute or relative distance are equal */
  floatTolerance?: number;
}

/** Python's `a == b` for builtin values (no user __eq__ is ever consulted). */
export function pyEquals(a: PyValue, b: PyValue, opts: EqualityOptions = {}, depth = 0): boolean {
  if (depth > 10_000) return false;
  if (isNumber(a) && isNumber(b)) {
    if (a.t === 'float' || b.t === 'float') {
      const fa = a.t === 'float' ? a.v : undefined;
      const fb = b.t === 'float' ? b.v : undefined;
      if ((fa !== undefined && Number.isNaN(fa)) || (fb !== undefined && Number.isNaN(fb))) return false;
      if ((fa !== undefined && !Number.isFinite(fa)) || (fb !== undefined && !Number.isFinite(fb))) return fa === fb;
      if (opts.floatTolerance !== undefined) {
        const x = toNumber(a);
        const y = toNumber(b);
        const tol = opts.floatTolerance;
        if (Math.abs(x - y) <= tol || Math.abs(x - y) <= tol * Math.max(Math.abs(x), Math.abs(y))) return true;
      }
    }
    const ra = rational(a)!;
    const rb = rational(b)!;
    return ra[0] * rb[1] === rb[0] * ra[1];
  }
  if (a.t !== b.t) {
    // set == frozenset is the only cross-type container equality; both decode to 'set'
    return false;
  }
  switch (a.t) {
    case 'none':
      return true;
    case 'str':
      return a.v === (b as typeof a).v;
    case 'list':
    case 'tuple': {
      const bv = (b as typeof a).v;
      return a.v.length === bv.length && a.v.every((x, i) => pyEquals(x, bv[i]!, opts, depth + 1));
    }
    case 'dict': {
      const bv = (b as typeof a).v;
      if (a.v.length !== bv.length) return false;
      if (bv.every(([k]) => k.t === 'str')) {
        // the usual case (JSON objects): string keys by lookup, not by scan
        const byKey = new Map(bv.map(([k, v]) => [(k as { v: string }).v, v]));
        return a.v.every(([k, v]) => {
          const hit = k.t === 'str' ? byKey.get(k.v) : undefined;
          return hit !== undefined && pyEquals(v, hit, opts, depth + 1);
        });
      }
      return a.v.every(([k, v]) => {
        const hit = bv.find(([k2]) => pyEquals(k, k2, {}, depth + 1));
        return hit !== undefined && pyEquals(v, hit[1], opts, depth + 1);
      });
    }
    case 'set': {
      const bv = (b as typeof a).v;
      return a.v.length === bv.length && a.v.every((x) => bv.some((y) => pyEquals(x, y, {}, depth + 1)));
    }
    default:
      return false;
  }
}

function toNumber(x: PyValue): number {
  switch (x.t) {
    case 'bool':
      return x.v ? 1 : 0;
    case 'int':
      return Number(x.v);
    case 'float':
      return x.v;
    case 'fraction':
      return Number(x.n) / Number(x.d);
    default:
      return NaN;
  }
}
