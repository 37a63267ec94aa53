import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import { Lru } from '../store/lru.js';
import { problemKey } from './protocol.js';
import type { ProblemRecord } from '../domain.js';

// Problems on their way to workers: the API puts each record in Redis once
// (keyed by the digest of its content, so a re-import is a new key and a
// worker can never grade against a stale copy); workers keep what they fetched.

const TTL_S = 7 * 24 * 3600;
/** the API refreshes a record's TTL at most this often */
const REFRESH_MS = 3600_000;

const digests = new WeakMap<ProblemRecord, { digest: string; json: string }>();

function encode(p: ProblemRecord): { digest: string; json: string } {
  let d = digests.get(p);
  if (!d) {
    const json = JSON.stringify(p);
    d = { digest: crypto.createHash('sha256').update(json).digest('hex'), json };
    digests.set(p, d);
  }
  return d;
}

export class ProblemShelf {
  private published = new Map<string, number>();
  private fetched = new Lru<string, { rec: ProblemRecord; size: number }>(256 << 20, (e) => e.size);
  private fetching = new Map<string, Promise<ProblemRecord | undefined>>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** Make sure workers can read this record; returns its digest. */
  async publish(p: ProblemRecord): Promise<string> {
    const { digest, json } = encode(p);
    const at = this.published.get(digest);
    if (at === undefined || Date.now() - at > REFRESH_MS) {
      await this.redis.set(problemKey(this.prefix, digest), json, 'EX', TTL_S);
      this.published.set(digest, Date.now());
      if (this.published.size > 100_000) this.published.clear();
    }
    return digest;
  }

  /** The record with this digest, or undefined when Redis no longer has it. */
  async fetch(digest: string): Promise<ProblemRecord | undefined> {
    const hit = this.fetched.get(digest);
    if (hit) return hit.rec;
    let f = this.fetching.get(digest);
    if (!f) {
      f = (async () => {
        const json = await this.redis.get(problemKey(this.prefix, digest));
        if (json === null) return undefined;
        if (crypto.createHash('sha256').update(json).digest('hex') !== digest) throw new Error(`problem ${digest}: content does not match its digest`);
        const rec = JSON.parse(json) as ProblemRecord;
        this.fetched.set(digest, { rec, size: json.length });
        return rec;
      })().finally(() => this.fetching.delete(digest));
      this.fetching.set(digest, f);
    }
    return f;
  }
}
