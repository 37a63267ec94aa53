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

/**
 * JSON.parse for text Python's json module wrote, which may hold the bare
 * tokens NaN, Infinity and -Infinity; they come back as null. Only for
 * validating structure: values that must stay exact travel as the raw text.
 */
export function parsePythonJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    /* fall through: bare NaN/Infinity */
  }
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const m = /^(-?Infinity|NaN)/.exec(text.slice(i, i + 9));
    if (m) {
      out += 'null';
      i += m[0].length;
      continue;
    }
    out += c;
    i += 1;
  }
  return JSON.parse(out);
}
