import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CASES } from './parsers-run.js';

// Every parser of untrusted text (completions, program output) is linear: on
// 1 MB adversarial inputs they all finish within a deadline that only a
// super-linear parser misses (the regexes they replaced took minutes to hours
// on these). In a child process: a runaway regex cannot be interrupted here.

const DEADLINE_MS = 90_000;

describe('parsers of untrusted text are linear', () => {
  it(`all ${Object.keys(CASES).length} adversarial 1 MB inputs are parsed before the deadline`, async () => {
    const script = path.join(__dirname, 'parsers-run.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script, 'run'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), DEADLINE_MS);
    const code = await new Promise<number | null>((res) => child.on('close', res));
    clearTimeout(timer);
    const done = out.split('\n').filter((l) => l.startsWith('done ')).map((l) => l.slice(5));
    const missing = Object.keys(CASES).filter((n) => !done.includes(n));
    expect(missing, `not finished within ${DEADLINE_MS / 1000} s (exit ${code}) ${err.slice(0, 500)}`).toEqual([]);
    expect(code).toBe(0);
  }, DEADLINE_MS + 30_000);
});

// The scanners decide exactly as the regexes they replaced (kept here as
// oracles), on many short random texts from an alphabet that hits their edges.
describe('the linear scanners agree with the regexes they replace', () => {
  const rnd = (() => {
    let a = 0x1234567;
    return () => ((a = (a * 1103515245 + 12345) >>> 0) / 2 ** 32);
  })();
  const text = (alphabet: string[], max: number) => Array.from({ length: Math.floor(rnd() * max) }, () => alphabet[Math.floor(rnd() * alphabet.length)]!).join('');
  const N = 20_000;

  it('compare.ts: strip, split, plain numbers, Decimal, openr1', async () => {
    const { pyStrip, pySplit, isPlainNumber, parseDecimal, openr1Normalise } = await import('../../src/judge/compare.js');
    const WS = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
    const oldStrip = (s: string) => s.replace(new RegExp(`^[${WS}]+|[${WS}]+$`, 'g'), '');
    const oldSplit = (s: string) => (oldStrip(s) === '' ? [] : oldStrip(s).split(new RegExp(`[${WS}]+`)));
    const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
    const DEC_FINITE = /^([+-])?(?:(\d(?:_?\d)*)(?:\.((?:\d(?:_?\d)*)?))?|\.(\d(?:_?\d)*))(?:[eE]([+-]?\d(?:_?\d)*))?$/;
    const DEC_INF = /^([+-])?(inf|infinity)$/i;
    const DEC_NAN = /^[+-]?s?nan(\d(?:_?\d)*)?$/i;
    const oldDecimal = (token: string) => {
      const s = oldStrip(token);
      const inf = DEC_INF.exec(s);
      if (inf) return { kind: 'inf', neg: inf[1] === '-' };
      if (DEC_NAN.test(s)) return { kind: 'nan' };
      const m = DEC_FINITE.exec(s);
      if (!m) return undefined;
      const intPart = (m[2] ?? '').replace(/_/g, '');
      const fracPart = (m[3] ?? m[4] ?? '').replace(/_/g, '');
      let exp = m[5] ? Number(m[5].replace(/_/g, '')) - fracPart.length : -fracPart.length;
      let digits = (intPart + fracPart).replace(/^0+/, '');
      const trimmed = digits.replace(/0+$/, '');
      exp += digits.length - trimmed.length;
      digits = trimmed;
      return { kind: 'finite', neg: m[1] === '-', digits, exp: digits === '' ? 0 : exp };
    };
    const oldOpenr1 = (s: string) => s.replace(/\b(yes|no)\b/gi, (w) => w.toUpperCase()).split(/[ \t\n\v\f\r]+/).filter((t) => t !== '').join(' ');
    const ws = [' ', '\t', '\n', '\r', '\x1c', '\x85', '\u2028', '\u3000', '\ufeff', '\v'];
    const num = ['0', '1', '9', '_', '.', 'e', 'E', '+', '-', 'n', 'a', 'i', 'f', 's', 'N', 'I', ' ', 'x', 'y', 'o'];
    for (let k = 0; k < N; k++) {
      const s = text([...ws, 'a', 'b', 'yes', 'No', ',', '_'], 12);
      expect(pyStrip(s), JSON.stringify(s)).toBe(oldStrip(s));
      expect(pySplit(s), JSON.stringify(s)).toEqual(oldSplit(s));
      expect(openr1Normalise(s), JSON.stringify(s)).toBe(oldOpenr1(s));
      const t = text(num, 10);
      expect(isPlainNumber(t), JSON.stringify(t)).toBe(NUMBER.test(t));
      expect(parseDecimal(t), JSON.stringify(t)).toEqual(oldDecimal(t));
    }
  });

  it('fenced blocks: inline, Codeforces, fence lines', async () => {
    const { extractFenced } = await import('../../src/benchmarks/inline/benchmark.js');
    const { lastBlock } = await import('../../src/benchmarks/codeforces/benchmark.js');
    const { fencedBlocks } = await import('../../src/extract/fences.js');
    const FENCE_LANGS: Record<string, RegExp> = { python3: /^(python3?|py|)$/i, cpp17: /^(c\+\+|cpp|cc|cxx|)$/i };
    const oldExtract = (completion: string, language: string) => {
      const blocks = [...completion.matchAll(/```[ \t]*([\w+-]*)[^\n]*\n([\s\S]*?)```/g)];
      if (blocks.length) {
        const want = FENCE_LANGS[language]!;
        const code = blocks.filter((b) => want.test(b[1] ?? ''));
        return ((code.length ? code : blocks).at(-1)![2] ?? '').replace(/\s+$/, '\n');
      }
      const open = /```[ \t]*[\w+-]*[^\n]*\n([\s\S]*)$/.exec(completion);
      return open ? open[1]! : completion;
    };
    const oldLast = (completion: string, language: 'auto' | 'python' | 'cpp') => {
      let best: { at: number; code: string; language: string } | undefined;
      for (const lang of ['python', 'cpp'] as const) {
        if (language !== 'auto' && language !== lang) continue;
        for (const m of completion.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))) {
          if (!best || m.index > best.at) best = { at: m.index, code: m[1]!, language: lang === 'python' ? 'python3' : 'cpp17' };
        }
      }
      return best && { code: best.code, language: best.language };
    };
    const OPEN = /^[ \t]{0,3}(`{3,}|~{3,})[ \t]*([^\s`]*)[^\n`]*$/;
    const alphabet = ['```', '`', '~~~', '~', '\n', ' ', '\t', 'python', 'cpp', 'py', 'x', 'C++', '-', '\r', '\v'];
    for (let k = 0; k < N; k++) {
      const s = text(alphabet, 14);
      for (const lang of ['python3', 'cpp17']) expect(extractFenced(s, lang), JSON.stringify(s)).toBe(oldExtract(s, lang));
      for (const lang of ['auto', 'python', 'cpp'] as const) expect(lastBlock(s, lang), JSON.stringify(s)).toEqual(oldLast(s, lang));
      // fence lines: the blocks found equal those the old line regex finds
      const line = text(['`', '~', ' ', '\t', 'a', '\v', '\r'], 9);
      const m = OPEN.exec(line);
      const got = fencedBlocks(`${line}\nbody`);
      if (m) expect(got[0]?.lang, JSON.stringify(line)).toBe(m[2]!.toLowerCase());
      else expect(got, JSON.stringify(line)).toEqual([]);
    }
  });

  it('sanitize: assignment targets and import aliases', async () => {
    const { assignTarget, splitOnAs } = await import('../../src/extract/python-sanitize.js');
    const ASSIGN = /^([A-Za-z_][\w\s,]*?)\s*(?::[^=]+)?=(?!=)/;
    for (let k = 0; k < N; k++) {
      const head = text(['a', 'b', '_', '1', ' ', ',', ':', '=', '==', 'int', '\t', '\n', '+', '(', 'as'], 10);
      expect(assignTarget(head), JSON.stringify(head)).toBe(ASSIGN.exec(head)?.[1]);
      const s = text(['a', ' ', 'as', '\t', 'b', ' as ', '\n', 's'], 10);
      expect(splitOnAs(s), JSON.stringify(s)).toEqual(s.split(/\s+as\s+/));
    }
  });
});
