import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isGzip, readMaybeGzip, streamMaybeGzip } from '../src/benchmarks/files.js';

// src/benchmarks/files.ts: benchmark files and job inputs may be gzipped
// whatever their names; the magic bytes decide, read whole or streamed.

const text = '{"a": 1}\n{"b": 2}\n';

function files(): { plain: string; gzipped: string; misnamed: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-files-'));
  const plain = path.join(dir, 'x.jsonl');
  const gzipped = path.join(dir, 'x.jsonl.gz');
  // gzipped under a plain name: still read as gzip
  const misnamed = path.join(dir, 'y.jsonl');
  fs.writeFileSync(plain, text);
  fs.writeFileSync(gzipped, zlib.gzipSync(text));
  fs.writeFileSync(misnamed, zlib.gzipSync(text));
  return { plain, gzipped, misnamed };
}

async function streamed(file: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of await streamMaybeGzip(file)) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('gzip or not', () => {
  it('isGzip reads the magic bytes', () => {
    expect(isGzip(zlib.gzipSync('x'))).toBe(true);
    expect(isGzip(Buffer.from('\x1f'))).toBe(false);
    expect(isGzip(Buffer.from(text))).toBe(false);
  });

  it('readMaybeGzip and streamMaybeGzip give the content of either', async () => {
    const f = files();
    for (const file of [f.plain, f.gzipped, f.misnamed]) {
      expect((await readMaybeGzip(file)).toString('utf8')).toBe(text);
      expect(await streamed(file)).toBe(text);
    }
  });
});
