import { parse, stringify } from 'lossless-json';

// Python data (dataset inputs, reference outputs) must reach the harness byte
// for byte: JSON.parse would turn 10**20 into 1e+20 (a float in Python) and
// 1.0 into 1 (an int). Such values stay JSON text on our side.

/** JSON text spliced verbatim into a serialised document. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** Re-serialise one field of a JSON document without touching its numbers. */
export function rawField(jsonText: string, field: string): string {
  const doc = parse(jsonText) as Record<string, unknown>;
  return stringify(doc[field]) ?? 'null';
}

/** JSON.stringify that writes RawJson values as their text. */
export function stringifyWithRaw(value: unknown): string {
  const raws: string[] = [];
  const json = JSON.stringify(value, (_k, v: unknown) => {
    if (v instanceof RawJson) {
      raws.push(v.text);
      return `\u0000raw${raws.length - 1}\u0000`;
    }
    return v;
  });
  return json.replace(/"\\u0000raw(\d+)\\u0000"/g, (_m, i: string) => raws[Number(i)]!);
}
