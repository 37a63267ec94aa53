import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import zlib from 'node:zlib';
import type { z } from 'zod';

export async function readMaybeGzip(file: string): Promise<Buffer> {
  const raw = await fs.readFile(file);
  return raw[0] === 0x1f && raw[1] === 0x8b ? zlib.gunzipSync(raw) : raw;
}

export function sha256(buf: Buffer | string): string {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

/** Parse JSON lines, validating each; errors name the line. */
export function parseJsonl<T>(text: string, schema: z.ZodType<T>, file: string, parse: (line: string) => unknown = JSON.parse): T[] {
  const out: T[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = parse(line);
    } catch (e) {
      throw new Error(`${file}:${i + 1}: not JSON (${(e as Error).message})`);
    }
    const r = schema.safeParse(value);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new Error(`${file}:${i + 1}: field ${issue?.path.join('.') || '(row)'}: ${issue?.message ?? 'invalid'}`);
    }
    out.push(r.data);
  });
  return out;
}
