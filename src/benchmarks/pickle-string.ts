// LiveCodeBench stores private tests as base64 → zlib → pickle of one str.
// This reads that pickle without executing anything: only the opcodes that
// push a string (and the framing/memo bookkeeping around them) are accepted;
// any other opcode (GLOBAL, REDUCE, …) is an error, never an action.

const OP = {
  PROTO: 0x80,
  FRAME: 0x95,
  STOP: 0x2e, // '.'
  SHORT_BINUNICODE: 0x8c,
  BINUNICODE: 0x58, // 'X'
  BINUNICODE8: 0x8d,
  UNICODE: 0x56, // 'V' (protocol 0: raw-unicode-escape up to \n)
  SHORT_BINBYTES: 0x43, // 'C'
  BINBYTES: 0x42, // 'B'
  BINBYTES8: 0x8e,
  MEMOIZE: 0x94,
  BINPUT: 0x71, // 'q'
  LONG_BINPUT: 0x72, // 'r'
  PUT: 0x70, // 'p' (protocol 0: decimal index up to \n)
} as const;

export class PickleError extends Error {}

/** The str a pickle holds; throws PickleError for anything else. */
export function unpickleString(buf: Buffer): string {
  let pos = 0;
  let value: string | undefined;
  const need = (n: number) => {
    if (pos + n > buf.length) throw new PickleError(`truncated pickle at byte ${pos}`);
  };
  const u64 = () => {
    need(8);
    const n = buf.readBigUInt64LE(pos);
    pos += 8;
    if (n > BigInt(buf.length)) throw new PickleError('length beyond the pickle');
    return Number(n);
  };
  const push = (s: string) => {
    if (value !== undefined) throw new PickleError('pickle holds more than one value');
    value = s;
  };
  const text = (len: number, encoding: 'utf8') => {
    need(len);
    const s = buf.toString(encoding, pos, pos + len);
    pos += len;
    return s;
  };
  const line = () => {
    const end = buf.indexOf(0x0a, pos);
    if (end < 0) throw new PickleError('unterminated line in protocol-0 pickle');
    const s = buf.subarray(pos, end);
    pos = end + 1;
    return s;
  };

  while (pos < buf.length) {
    const op = buf[pos++]!;
    switch (op) {
      case OP.PROTO:
        need(1);
        if (buf[pos]! > 5) throw new PickleError(`unsupported pickle protocol ${buf[pos]}`);
        pos += 1;
        break;
      case OP.FRAME:
        u64(); // frames only group bytes; the opcodes inside are read in turn
        break;
      case OP.SHORT_BINUNICODE:
      case OP.SHORT_BINBYTES: {
        need(1);
        const n = buf[pos++]!;
        push(text(n, 'utf8'));
        break;
      }
      case OP.BINUNICODE:
      case OP.BINBYTES: {
        need(4);
        const n = buf.readUInt32LE(pos);
        pos += 4;
        push(text(n, 'utf8'));
        break;
      }
      case OP.BINUNICODE8:
      case OP.BINBYTES8:
        push(text(u64(), 'utf8'));
        break;
      case OP.UNICODE:
        push(rawUnicodeEscape(line()));
        break;
      case OP.MEMOIZE:
        break;
      case OP.BINPUT:
        need(1);
        pos += 1;
        break;
      case OP.LONG_BINPUT:
        need(4);
        pos += 4;
        break;
      case OP.PUT:
        line();
        break;
      case OP.STOP:
        if (value === undefined) throw new PickleError('pickle holds no string');
        return value;
      default:
        throw new PickleError(`pickle opcode 0x${op.toString(16)} at byte ${pos - 1} is not a plain string`);
    }
  }
  throw new PickleError('pickle has no STOP');
}

/** Python's raw-unicode-escape: \uXXXX and \UXXXXXXXX escapes, every other byte is Latin-1. */
function rawUnicodeEscape(bytes: Buffer): string {
  const s = bytes.toString('latin1');
  return s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, u4: string | undefined, u8: string | undefined) =>
    String.fromCodePoint(parseInt((u4 ?? u8)!, 16)),
  );
}
