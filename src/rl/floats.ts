import crypto from 'node:crypto';

// Rewards and scores leave this service as JSON floats, always: `1.0`, never
// `1`. JavaScript prints 1.0 as 1, and Python's json reads `1` as an int, so
// OpenRLHF's torch.tensor(rewards) would be int64 and its GRPO / RLOO /
// REINFORCE-baseline shaping (.std(), .mean()) fails with "std and var only
// support floating point".

/** keys whose number value is a reward */
const FLOAT_KEYS = new Set(['reward', 'score']);
/** keys whose array of numbers are rewards */
const FLOAT_ARRAYS = new Set(['rewards', 'scores']);
// a marker no request can forge: numbers to print as floats travel as these strings
const NONCE = crypto.randomBytes(8).toString('hex');
const MARKED = new RegExp(`"\\\\u0000${NONCE}([^"]*)"`, 'g');

function mark(x: unknown): unknown {
  return typeof x === 'number' && Number.isFinite(x) ? `\u0000${NONCE}${String(x)}` : x;
}

/** A number as a JSON float: 1 → 1.0, 0.5 → 0.5, 1e21 → 1e+21. */
export function floatText(n: number): string {
  const t = JSON.stringify(n);
  return /[.eE]/.test(t) ? t : `${t}.0`;
}

/** JSON.stringify, with every reward / score (and rewards / scores array element) written as a float. */
export function floatJson(value: unknown): string {
  const s = JSON.stringify(value, (k: string, x: unknown) => {
    if (FLOAT_KEYS.has(k)) return mark(x);
    if (FLOAT_ARRAYS.has(k) && Array.isArray(x)) return x.map(mark);
    return x;
  });
  return s.replace(MARKED, (_m, n: string) => floatText(Number(n)));
}
