import fs from 'node:fs';
import readline from 'node:readline';
import { JobResultSchema, type JobResult } from '../jobs/schemas.js';

/** Read a results JSONL file (what `verdict regrade` writes); a malformed line is an error naming it. */
export async function readResults(file: string): Promise<JobResult[]> {
  const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  const out: JobResult[] = [];
  let n = 0;
  for await (const text of rl) {
    n += 1;
    if (!text.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new Error(`${file}:${n}: not JSON (${(e as Error).message})`);
    }
    const r = JobResultSchema.safeParse(value);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new Error(`${file}:${n}: field ${issue?.path.join('.') || '(line)'}: ${issue?.message ?? 'invalid'}`);
    }
    out.push(r.data);
  }
  return out;
}
