/**
 * Whether a client asked for one JSON document rather than the NDJSON stream
 * a route answers by default: its Accept names application/json and no NDJSON
 * type (anything else, `*\/*` and no header included, keeps the stream).
 * Media types with q=0 are refused ones, so they do not count.
 */
export function wantsJson(accept: string | undefined): boolean {
  const types = (accept ?? '')
    .split(',')
    .map((part) => {
      const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      return { type, q: q === undefined ? 1 : Number(q.slice(2)) };
    })
    .filter((t) => t.q > 0);
  return types.some((t) => t.type === 'application/json') && !types.some((t) => t.type.endsWith('ndjson'));
}
