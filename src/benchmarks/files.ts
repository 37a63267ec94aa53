import crypto from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { z } from 'zod';

/** Starts with gzip's magic bytes: the file is gzipped, whatever its name says. */
export function isGzip(head: Uint8Array): boolean {
  return head[0] === 0x1f && head[1] === 0x8b;
}

/** A file's content, gunzipped when it is gzipped. */
export async function readMaybeGzip(file: string): Promise<Buffer> {
  const raw = await fs.readFile(file);
  return isGzip(raw) ? zlib.gunzipSync(raw) : raw;
}

/** A file's content as a stream, gunzipped when it is gzipped (for files too large to read at once). */
export async function streamMaybeGzip(file: string): Promise<Readable> {
  const head = Buffer.alloc(2);
  const fh = await fs.open(file, 'r');
  try {
    await fh.read(head, 0, 2, 0);
  } finally {
    await fh.close();
  }
  const raw = createReadStream(file);
  return isGzip(head) ? raw.pipe(zlib.createGunzip()) : raw;
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
