// The engine's image requests that builds and the base import share: whether an image exists, progress streams, tar sources, ImageBuildError.
import { StringDecoder } from 'node:string_decoder';
import type Docker from 'dockerode';
import type * as tarFs from 'tar-fs';
import type * as tarStream from 'tar-stream';
import { z } from 'zod';

// eslint-disable-next-line no-control-regex
const ANSI_SGR = /\u001b\[[0-9;]*m/g;
/** Lines of build output kept for error messages. */
const TAIL_LINES = 40;

function statusCodeOf(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'statusCode' in err) {
    const code = (err as { statusCode: unknown }).statusCode;
    return typeof code === 'number' ? code : undefined;
  }
  return undefined;
}

/** Whether `ref` exists in the engine (404 = no; other errors propagate). */
export async function imageExists(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch (err) {
    if (statusCodeOf(err) === 404) return false;
    throw err;
  }
}

const ProgressEventSchema = z.looseObject({
  stream: z.string().optional(),
  status: z.string().optional(),
  progress: z.string().optional(),
  id: z.string().optional(),
  error: z.string().optional(),
  errorDetail: z.looseObject({ message: z.string().optional() }).optional(),
  aux: z.unknown().optional(),
});

/** Keeps the last N lines of some output. */
export class Tail {
  private readonly lines: string[] = [];
  constructor(private readonly max = TAIL_LINES) {}
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.max) this.lines.shift();
  }
  toString(): string {
    return this.lines.join('\n');
  }
}

export class ImageBuildError extends Error {
  constructor(
    message: string,
    /** The last lines of output before the failure. */
    readonly outputTail: string,
  ) {
    super(outputTail ? `${message}\n--- last output ---\n${outputTail}` : message);
    this.name = 'ImageBuildError';
  }
}

/**
 * Reads a Docker JSON-lines progress stream (build, import) to its end,
 * forwarding output lines to `log`, and returns the last lines. Rejects with
 * an ImageBuildError holding them when the stream reports
 * `error`/`errorDetail` or breaks.
 */
export async function followProgress(
  stream: NodeJS.ReadableStream,
  what: string,
  log: ((line: string) => void) | undefined,
): Promise<string> {
  const tail = new Tail();
  let failure: string | undefined;
  let pending = '';
  let partialLine = '';
  const decoder = new StringDecoder('utf8');

  const emit = (raw: string): void => {
    // The classic builder colours RUN stderr; keep logs and errors plain.
    const line = raw.replace(ANSI_SGR, '');
    if (line.trim() === '') return;
    tail.push(line);
    log?.(line);
  };
  const onText = (text: string): void => {
    partialLine += text;
    let nl: number;
    while ((nl = partialLine.indexOf('\n')) >= 0) {
      const line = partialLine.slice(0, nl).replace(/\r$/, '');
      partialLine = partialLine.slice(nl + 1);
      if (line.trim() !== '') emit(line);
    }
  };
  const onJsonLine = (raw: string): void => {
    const line = raw.trim();
    if (line === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      onText(`${line}\n`);
      return;
    }
    const ev = ProgressEventSchema.safeParse(value);
    if (!ev.success) return;
    const e = ev.data;
    if (e.error !== undefined || e.errorDetail !== undefined) {
      failure ??= e.errorDetail?.message ?? e.error ?? 'unknown error';
      return;
    }
    if (e.stream !== undefined) onText(e.stream);
    // Progress bars (e.g. pull/import byte counts) are noise; keep statuses.
    else if (e.status !== undefined && e.progress === undefined) {
      onText(`${e.id !== undefined ? `${e.id}: ` : ''}${e.status}\n`);
    }
  };

  await new Promise<void>((resolve, reject) => {
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      if (err) reject(err);
      else resolve();
    };
    stream.on('data', (chunk: Buffer | string) => {
      pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        onJsonLine(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
    });
    stream.on('error', (err: Error) => finish(err));
    stream.on('end', () => finish());
    stream.on('close', () => finish());
  }).catch((err: unknown) => {
    throw new ImageBuildError(`${what} failed: ${String(err)}`, tail.toString());
  });
  onJsonLine(pending + decoder.end());
  if (partialLine.trim() !== '') emit(partialLine);
  if (failure !== undefined) {
    throw new ImageBuildError(`${what} failed: ${failure.trim()}`, tail.toString());
  }
  return tail.toString();
}

/**
 * Runs `work(signal)` while `source` (a tar stream feeding the request) is
 * being read: a packing error aborts the request and rejects, as does an
 * abort of the caller's `outer` signal.
 */
export async function withSource<T>(
  source: NodeJS.EventEmitter,
  what: string,
  outer: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const ac = new AbortController();
  const onOuterAbort = (): void => ac.abort(outer?.reason);
  if (outer?.aborted) ac.abort(outer.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  try {
    return await new Promise<T>((resolve, reject) => {
      // Stays attached: a late error must not become an uncaught 'error' event.
      source.on('error', (err: Error) => {
        reject(new ImageBuildError(`${what}: packing failed: ${err.message}`, ''));
        ac.abort(err);
      });
      ac.signal.addEventListener('abort', () => reject(new Error(`${what}: aborted`)), { once: true });
      work(ac.signal).then(resolve, reject);
    });
  } finally {
    outer?.removeEventListener('abort', onOuterAbort);
  }
}

/**
 * tar-stream 3 packs are streamx readables: they pipe like Node streams (all
 * docker-modem does with them) but their typings lack a few Readable members.
 */
export function asNodeStream(pack: tarStream.Pack): NodeJS.ReadableStream {
  return pack as unknown as NodeJS.ReadableStream;
}

/** Options of tar-fs `pack` that its type definitions leave out. */
export type FullPackOptions = tarFs.PackOptions & { umask?: number; sort?: boolean };
