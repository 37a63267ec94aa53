import fs from 'node:fs';
import os from 'node:os';
import zlib from 'node:zlib';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareOutput } from '../src/judge/compare.js';
import { decodePrivateTests, lcbTests, readLiveCodeBench, releaseFiles } from '../src/benchmarks/livecodebench/data.js';
import { extractLastFence } from '../src/benchmarks/livecodebench/benchmark.js';
import { PickleError, unpickleString } from '../src/benchmarks/pickle-string.js';
import { newWitnessKey, signedReports, witnessKeyOf } from '../src/benchmarks/witness.js';
import crypto from 'node:crypto';
import { decodeTagged, parsePythonJson, pyEquals } from '../src/benchmarks/python-value.js';

const FIXTURES = path.join(__dirname, 'fixtures', 'livecodebench');
const vectors = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'pickles.json'), 'utf8')) as {
  strings: Array<{ protocol: number; pickle_b64: string; text: string }>;
  refused: string[];
  private_fields: Array<{ protocol: number; field: string; input_length: number }>;
};

describe('LiveCodeBench data', () => {
  it('reads pickled strings of every protocol without running pickle code', () => {
    expect(vectors.strings.map((v) => v.protocol)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const v of vectors.strings) expect(unpickleString(Buffer.from(v.pickle_b64, 'base64')), `protocol ${v.protocol}`).toBe(v.text);
    for (const bad of vectors.refused) expect(() => unpickleString(Buffer.from(bad, 'base64'))).toThrow(PickleError);
  });

  it('decodes private tests given as JSON or as base64 → zlib → pickle → JSON', () => {
    for (const v of vectors.private_fields) {
      const tests = decodePrivateTests(v.field);
      expect(tests).toHaveLength(1);
      expect(tests[0]!.input.length).toBe(v.input_length);
    }
    expect(decodePrivateTests('[{"input":"1","output":"2","testtype":"stdin"}]')).toEqual([{ input: '1', output: '2', testtype: 'stdin' }]);
    expect(() => decodePrivateTests('bm90IGEgcGlja2xl')).toThrow();
  });

  it('maps release tags to files as the dataset loader did', () => {
    expect(releaseFiles('release_v1')).toEqual(['test.jsonl']);
    expect(releaseFiles('release_v3')).toEqual(['test.jsonl', 'test2.jsonl', 'test3.jsonl']);
    expect(releaseFiles('release_latest')).toHaveLength(6);
    expect(releaseFiles('v2')).toEqual(['test2.jsonl']);
    expect(releaseFiles('v4_v6')).toEqual(['test4.jsonl', 'test5.jsonl', 'test6.jsonl']);
    expect(releaseFiles('v3_v1')).toBeUndefined();
    expect(releaseFiles('release_v7')).toBeUndefined();
  });

  it('imports a release directory with tests, prompt, function names and date windows', async () => {
    const all = await readLiveCodeBench(FIXTURES, {});
    expect(all.version).toMatch(/^release_latest\+[0-9a-f]{8}$/);
    expect(all.problems.map((p) => p.id)).toEqual(['fx001_a', 'fx001_b', 'fx002_c', 'fx002_d', 'pair-with-sum', 'mean-and-index', 'fx003_a', 'fx004_a']);
    const add = all.problems[0]!;
    // stored as in the dataset (compressed), decoded on use
    expect(add.hidden.private_test_cases).toMatch(/^eJ/);
    expect(lcbTests(add)).toEqual({
      tests: [
        { input: '1\n2\n', output: '3\n' },
        { input: '10\n20\n', output: '30\n' },
        { input: '-5\n5\n', output: '0\n' },
      ],
      num_public: 1,
      fn_name: null,
    });
    expect(add.prompt).toContain('### Format: Read the inputs from stdin');
    expect(add.public.testtype).toBe('stdin');
    const fn = all.problems.find((p) => p.id === 'pair-with-sum')!;
    expect(fn.public.func_name).toBe('pairSum');
    expect(fn.prompt).toContain('```python\nclass Solution:\n    def pairSum');
    // protocol-0 pickle with a big int and a float in the expected output
    expect(lcbTests(all.problems.find((p) => p.id === 'mean-and-index')!).tests).toHaveLength(3);
    expect(all.problems.find((p) => p.id === 'mean-and-index')!.public.num_tests).toBe(3);

    expect((await readLiveCodeBench(FIXTURES, { release: 'v2' })).problems.map((p) => p.id)).toEqual(['fx003_a']);
    expect((await readLiveCodeBench(FIXTURES, { release: 'release_v2' })).problems).toHaveLength(7);
    await expect(readLiveCodeBench(FIXTURES, { release: 'release_v5' })).rejects.toThrow(/test3\.jsonl/);
    const window = await readLiveCodeBench(FIXTURES, { startDate: '2023-08-19', endDate: '2024-11-09' });
    // start is inclusive; the end is midnight, so a contest at 12:00 that day is out (as upstream)
    expect(window.problems.map((p) => p.id)).toEqual(['fx002_d', 'pair-with-sum', 'mean-and-index', 'fx003_a']);
    expect(window.version).toMatch(/^release_latest@2023-08-19\.\.2024-11-09\+/);
    await expect(readLiveCodeBench(FIXTURES, { startDate: '08/19/2023' })).rejects.toThrow(/start-date/);
    const gz = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lcb-gz-')), 'test.jsonl.gz');
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(path.join(FIXTURES, 'test.jsonl'))));
    const zipped = await readLiveCodeBench(path.dirname(gz), { release: 'release_v1' });
    expect(zipped.problems.map((p) => p.id)).toEqual(all.problems.slice(0, 6).map((p) => p.id));
    expect(zipped.version.split('+')[1]).toBe((await readLiveCodeBench(FIXTURES, { release: 'release_v1' })).version.split('+')[1]);
    const one = await readLiveCodeBench(path.join(FIXTURES, 'test2.jsonl'), { version: 'mine' });
    expect([one.version, one.problems.length]).toEqual(['mine', 1]);
  });
});

describe('LiveCodeBench extraction and comparison', () => {
  it('takes the lines between the last two fence lines', () => {
    expect(extractLastFence('no fences')).toBe('');
    expect(extractLastFence('```python\nprint(1)')).toBe('');
    expect(extractLastFence('a\n```python\nprint(1)\n```\nb')).toBe('print(1)');
    expect(extractLastFence('```python\nx=1\n```\ntext\n```python\nprint(2)\nprint(3)\n```')).toBe('print(2)\nprint(3)');
    // any line containing ``` counts, so prose between blocks can be what is taken (as upstream)
    expect(extractLastFence('```python\nprint(1)\n```\nsee ``` above')).toBe('');
  });

  it('compares stdout line by line, then by exact Decimal tokens', () => {
    const lcb = (e: string, a: string) => compareOutput({ kind: 'lcb' }, e, a).ok;
    expect(lcb('3\n', '3')).toBe(true);
    expect(lcb('3', '3.0')).toBe(true);
    expect(lcb('0.1', '1e-1')).toBe(true);
    expect(lcb('0.33333333333333331', '0.3333333333333333')).toBe(false);
    expect(lcb('Yes', 'yes')).toBe(false);
    expect(lcb('1\n2', '1\n\n2')).toBe(false);
    expect(lcb(' 1  2 \n', '1 2')).toBe(true);
    expect(lcb('1 2', '1 2 3')).toBe(false);
  });

  it('compares return values with Python equality', () => {
    const eq = (got: unknown, expected: string) => pyEquals(decodeTagged(got), parsePythonJson(expected));
    expect(eq([1, 2], '[1, 2]')).toBe(true);
    expect(eq({ t: 'tuple', v: [1, 2] }, '[1, 2]')).toBe(false); // only a top-level tuple is made a list, by the runner
    expect(eq([{ t: 'tuple', v: [1] }], '[[1]]')).toBe(false);
    expect(eq({ t: 'float', v: '3.0' }, '3')).toBe(true);
    expect(eq(true, '1')).toBe(true);
    expect(eq({ t: 'float', v: '0.30000000000000004' }, '0.3')).toBe(false);
    expect(eq({ t: 'int', v: '56bc75e2d63100001' }, '100000000000000000001')).toBe(true);
    expect(eq({ t: 'float', v: '1e+20' }, '100000000000000000001')).toBe(false);
    expect(eq({ t: 'float', v: '1e+20' }, '100000000000000000000')).toBe(true);
    expect(eq({ t: 'float', v: 'nan' }, 'NaN')).toBe(false);
    expect(eq({ t: 'dict', v: [['a', 1], ['b', [2]]] }, '{"b": [2], "a": 1}')).toBe(true);
    expect(eq({ t: 'dict', v: [[1, 1]] }, '{"1": 1}')).toBe(false);
    expect(eq({ t: 'set', v: [1] }, '[1]')).toBe(false);
    expect(eq({ t: 'opaque', v: 'AlwaysEqual' }, '[1]')).toBe(false);
    expect(eq(null, 'null')).toBe(true);
    expect(eq({ t: 'fraction', v: ['1', '2'] }, '0.5')).toBe(true);
    expect(pyEquals(decodeTagged({ t: 'float', v: '0.30000000000000004' }), parsePythonJson('0.3'), { floatTolerance: 1e-9 })).toBe(true);
    expect(() => parsePythonJson('[1,')).toThrow();
    expect(parsePythonJson('{"a": 1, "a": 2}')).toEqual({ t: 'dict', v: [[{ t: 'str', v: 'a' }, { t: 'int', v: 2n }]] });
  });
});

describe('LiveCodeBench witness-signed reports', () => {
  const { key, stdin } = newWitnessKey();
  const sign = (k: Buffer, seq: number, kind: string, text: string) =>
    `W ${seq} ${kind} ${crypto.createHmac('sha256', k).update(`${seq} ${kind} ${text}`).digest('hex')} ${text}\n`;
  const test0 = '{"event": "test", "index": 0, "status": "ok", "value": 1, "nonce": "N"}';
  const done = '{"event": "done", "nonce": "N"}';

  it('hands the runner its key on stdin and reads it back from the plan', () => {
    expect(stdin.toString()).toMatch(/^[0-9a-f]{64}\n$/);
    expect(witnessKeyOf(stdin)!.equals(key)).toBe(true);
    expect(witnessKeyOf(undefined)).toBeUndefined();
    expect(witnessKeyOf(Buffer.from('xyz\n'))).toBeUndefined();
  });

  it('keeps signed lines in order among the program\'s own, and leaves out a last line cut short', () => {
    const out = Buffer.from('{"event":"compiled","ok":true}\nnoise\n' + sign(key, 1, 'test', test0) + 'W\n'.slice(1) + sign(key, 2, 'done', done) + sign(key, 3, 'test', test0).slice(0, 50));
    expect(signedReports(out, key)).toEqual({ forged: false, reports: [{ kind: 'test', text: test0 }, { kind: 'done', text: done }] });
  });

  it('calls any line that looks signed but is not, or is out of sequence, forged', () => {
    const other = crypto.randomBytes(32);
    expect(signedReports(Buffer.from(sign(other, 1, 'test', test0)), key).forged).toBe(true);
    expect(signedReports(Buffer.from(sign(key, 2, 'test', test0)), key).forged).toBe(true);
    expect(signedReports(Buffer.from(sign(key, 1, 'test', test0) + sign(key, 1, 'test', test0)), key).forged).toBe(true);
    // a signed line with its text changed
    expect(signedReports(Buffer.from(sign(key, 1, 'test', test0).replace('"value": 1', '"value": 2')), key).forged).toBe(true);
    expect(signedReports(Buffer.from('W 1 test\n'), key).forged).toBe(true);
  });
});
