import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeforces, lastBlock } from '../src/benchmarks/codeforces/benchmark.js';
import type { Judging } from '../src/benchmarks/types.js';
import { openR1Dir } from './fixtures/codeforces/open-r1.js';
import type { ProblemRecord } from '../src/domain.js';

const FIX = path.join(__dirname, 'fixtures', 'codeforces');

const fence = (lang: string, code: string) => `Here you go:\n\`\`\`${lang}\n${code}\`\`\`\n`;

describe('codeforces: reading and extraction', () => {
  it('reads open-r1 rows with generated tests from parquet, skipping interactive problems', async () => {
    const { problems, version } = await codeforces.read(openR1Dir(), {});
    expect(version).toMatch(/^1\.0\+/);
    expect(problems.map((p) => p.id)).toEqual(['9001/A', '9001/B', '9001/C']);
    const a = problems[0]!;
    expect((a.hidden.tests as unknown[]).length).toBe(4); // 2 official + 2 generated
    expect(a.hidden.time_limit_s).toBe(1);
    expect(problems[1]!.hidden.checker).toContain('sys.argv[3]');
    expect(problems[2]!.hidden.input_mode).toBe('file');
    expect(JSON.stringify(a.public)).not.toContain('300'); // generated tests stay hidden
  });

  it('reads CodeContests-style rows, limits from the statement when present', async () => {
    const { problems } = await codeforces.read(path.join(FIX, 'code-contests.jsonl'), {});
    expect(problems[0]!.hidden).toMatchObject({ time_limit_s: 2.5, memory_mb: 64, input_mode: 'stdio' });
    expect(problems[1]!.hidden).toMatchObject({ time_limit_s: 2, memory_mb: 256 });
  });

  it('takes the last ```python or ```cpp block (open-r1 extract_code)', () => {
    const c = `${fence('python', 'print(1)\n')}then\n${fence('cpp', 'int main(){}\n')}and\n${fence('python', 'print(2)\n')}`;
    expect(lastBlock(c, 'auto')).toEqual({ code: 'print(2)\n', language: 'python3' });
    expect(lastBlock(c, 'cpp')).toEqual({ code: 'int main(){}\n', language: 'cpp17' });
    expect(lastBlock('```py\nprint(1)\n```', 'auto')).toBeUndefined();
    expect(lastBlock('```python print(1)```', 'auto')).toBeUndefined(); // the tag must end its line
  });

  it('builds the task: open-r1 comparator or checker, limits, trailing \\r stripped, early stop only for pass_fail', async () => {
    const { problems } = await codeforces.read(openR1Dir(), {});
    const opts = codeforces.options.parse({});
    /** the judging of a completion, through extract as the grader does */
    const judge = (p: ProblemRecord, completion: string, options = opts): Judging => codeforces.judge(p, codeforces.extract(p, completion, options), options);
    const task = (j: Judging) => (j.kind === 'judge' ? j.task : expect.fail(`not judged: ${j.kind}`));
    const t = task(judge(problems[0]!, '```python\nprint(1)\n```'));
    expect(t).toMatchObject({ language: 'python3', timeLimitMs: 1000, memoryMb: 256, comparator: { kind: 'openr1' }, stopOnFirstFailure: true, inputMode: 'stdio' });
    expect(t.cases[0]).toEqual({ input: '1 2\n', expected: '3\n' });
    // the block's tag names the judge's language without looking at the code; the language option picks the block
    expect(task(judge(problems[0]!, '```cpp\nprint(1)\n```'))).toMatchObject({ language: 'cpp17' });
    expect(task(judge(problems[0]!, '```python\nint main() {}\n```'))).toMatchObject({ language: 'python3' });
    const both = '```cpp\nint main() {}\n```\n```python\nprint(1)\n```';
    expect(task(judge(problems[0]!, both, codeforces.options.parse({ language: 'cpp' })))).toMatchObject({ language: 'cpp17', source: 'int main() {}\n' });
    expect(task(judge(problems[0]!, both))).toMatchObject({ language: 'python3', source: 'print(1)\n' });
    const b = task(judge(problems[1]!, '```python\nprint(1)\n```', codeforces.options.parse({ scoring: 'partial' })));
    expect(b.comparator).toMatchObject({ kind: 'checker', style: 'python' });
    expect(b.stopOnFirstFailure).toBe(false);
    const none = judge(problems[0]!, 'no code here', codeforces.options.parse({ scoring: 'weighted_sum' }));
    expect(none).toMatchObject({ kind: 'decided', outcome: { status: 'fail', reason: 'no_code', reward: -1 } });
  });
});
