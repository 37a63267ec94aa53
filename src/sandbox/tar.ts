// Tar helpers of the agent's put and get: files to a tar blob (owner as uid) and a tar blob back to files.
import tar from 'tar-stream';
import { JUDGE_UID, SANDBOX_UID } from './container-spec.js';
import type { FileEntry } from './types.js';

export async function packFiles(files: FileEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pack.on('data', (c: unknown) => chunks.push(c as Buffer));
    pack.on('end', () => resolve(Buffer.concat(chunks)));
    pack.on('error', reject);
  });
  for (const f of files) {
    const content = typeof f.content === 'string' ? Buffer.from(f.content, 'utf8') : f.content;
    // the tar's uid says who owns the file in the container (the agent maps it)
    const uid = f.owner === 'judge' ? JUDGE_UID : SANDBOX_UID;
    pack.entry({ name: f.path, size: content.length, mode: f.mode ?? 0o644, uid, gid: uid }, content);
  }
  pack.finalize();
  return done;
}

export async function unpackFiles(blob: Buffer): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  if (blob.length === 0) return out;
  const extract = tar.extract();
  await new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const parts: Buffer[] = [];
      stream.on('data', (c: unknown) => parts.push(c as Buffer));
      stream.on('end', () => {
        out.set(header.name, Buffer.concat(parts));
        next();
      });
      stream.resume();
    });
    extract.on('finish', () => resolve());
    extract.on('error', reject);
    extract.end(blob);
  });
  return out;
}
