// Framing of the agent protocol (see sandboxes/agent/verdict_agent.py):
// u32 big-endian header length | JSON header | header.blob_len raw bytes.

export interface Frame {
  header: Record<string, unknown>;
  blob: Buffer;
}

export function encodeFrame(header: Record<string, unknown>, blob: Buffer = Buffer.alloc(0)): Buffer {
  const json = Buffer.from(JSON.stringify({ ...header, blob_len: blob.length }), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(json.length, 0);
  return Buffer.concat([len, json, blob]);
}

/** Incremental decoder: push chunks as they arrive, get whole frames out. */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private size = 0;
  private header: Record<string, unknown> | null = null;
  private need = 4;
  private stage: 'len' | 'header' | 'blob' = 'len';

  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.size += chunk.length;
    const frames: Frame[] = [];
    while (this.size >= this.need) {
      const buf = this.take(this.need);
      if (this.stage === 'len') {
        this.need = buf.readUInt32BE(0);
        this.stage = 'header';
      } else if (this.stage === 'header') {
        const header = JSON.parse(buf.toString('utf8')) as Record<string, unknown>;
        const blobLen = typeof header.blob_len === 'number' ? header.blob_len : 0;
        if (blobLen > 0) {
          this.header = header;
          this.need = blobLen;
          this.stage = 'blob';
        } else {
          frames.push({ header, blob: Buffer.alloc(0) });
          this.need = 4;
          this.stage = 'len';
        }
      } else {
        frames.push({ header: this.header ?? {}, blob: buf });
        this.header = null;
        this.need = 4;
        this.stage = 'len';
      }
    }
    return frames;
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.size = rest.length;
    return out;
  }
}
