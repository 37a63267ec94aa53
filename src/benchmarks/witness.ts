import crypto from 'node:crypto';

// Reports signed by a witness thread inside an in-process runner
// (lcb_runner.py): the service hands the runner a fresh key on stdin, which
// only the witness reads, and accepts a report as the runner's own only when
// its line carries the key's HMAC. Lines:
//   W SEQ KIND MAC TEXT      MAC = hex HMAC-SHA256(key, "SEQ KIND TEXT"), SEQ = 1, 2, …

export interface WitnessKey {
  key: Buffer;
  /** what the runner reads on stdin */
  stdin: Buffer;
}

export function newWitnessKey(): WitnessKey {
  const key = crypto.randomBytes(32);
  return { key, stdin: Buffer.from(key.toString('hex') + '\n', 'ascii') };
}

/** The key back from the stdin a plan's step carries, or undefined. */
export function witnessKeyOf(stdin: Buffer | undefined): Buffer | undefined {
  const hex = stdin?.toString('ascii').trim() ?? '';
  return /^[0-9a-f]{64}$/.test(hex) ? Buffer.from(hex, 'hex') : undefined;
}

export interface Signed {
  kind: string;
  text: string;
}

/**
 * The witness's lines, in order. `forged` when any line that looks like one
 * does not verify, or the sequence has a gap or repeat: something else (the
 * program) wrote there. A last line cut short by the output cap is left out.
 */
export function signedReports(stdout: Buffer, key: Buffer): { reports: Signed[]; forged: boolean } {
  const reports: Signed[] = [];
  const NL = 0x0a;
  const SP = 0x20;
  // on bytes: the MAC is over what the runner wrote, whatever its encoding
  for (let start = 0; ; ) {
    const end = stdout.indexOf(NL, start);
    if (end < 0) break;
    const line = stdout.subarray(start, end);
    start = end + 1;
    if (line.length < 2 || line[0] !== 0x57 /* W */ || line[1] !== SP) continue;
    const a = line.indexOf(SP, 2);
    const b = a < 0 ? -1 : line.indexOf(SP, a + 1);
    const c = b < 0 ? -1 : line.indexOf(SP, b + 1);
    if (c < 0) return { reports, forged: true };
    const seq = line.subarray(2, a).toString('latin1');
    const mac = line.subarray(b + 1, c).toString('latin1');
    const good = crypto.createHmac('sha256', key).update(line.subarray(2, b)).update(line.subarray(c)).digest();
    const got = /^[0-9a-f]{64}$/.test(mac) ? Buffer.from(mac, 'hex') : Buffer.alloc(0);
    if (got.length !== good.length || !crypto.timingSafeEqual(got, good) || seq !== String(reports.length + 1)) return { reports, forged: true };
    reports.push({ kind: line.subarray(a + 1, b).toString('latin1'), text: line.subarray(c + 1).toString('utf8') });
  }
  return { reports, forged: false };
}
