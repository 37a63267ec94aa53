import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractFirstPythonBlock, readUsaco } from '../src/benchmarks/usaco/benchmark.js';

const FIXTURES = path.join(__dirname, 'fixtures', 'usaco');

describe('USACO data and extraction', () => {
  it('imports the dict and both test namings, normalising expected newlines as a text-mode read', async () => {
    const { version, problems } = await readUsaco(FIXTURES, {});
    expect(version).toMatch(/^usaco_subset307\+[0-9a-f]{8}$/);
    expect(problems.map((p) => p.id)).toEqual(['9001_bronze_sum_two', '9002_silver_sort_cows']);
    expect(problems[0]!.hidden).toEqual({
      inputs: ['1 2\n', '1000000000 1000000000\n', '-7 3\n'],
      outputs: ['3\n', '2000000000\n', '-4\n'],
      runtime_limit: 2,
      memory_limit: 256,
    });
    expect((problems[1]!.hidden.outputs as string[])[0]).toBe('annabelle\nbessie\nelsie\n');
    expect(problems[1]!.public).toMatchObject({ runtime_limit: 4, memory_limit: 512, num_tests: 2 });
    expect(problems[0]!.prompt).toContain('[BEGIN PROBLEM]\nBessie has two integers');
    // the dict file itself works as the path too
    const again = await readUsaco(path.join(FIXTURES, 'usaco_subset307_dict.json'), { version: 'v' });
    expect(again.problems).toHaveLength(2);
    await expect(readUsaco(path.join(FIXTURES, 'tests'), {})).rejects.toThrow(/_dict\.json/);
  });

  it('takes the first ```python block, else the whole response', () => {
    expect(extractFirstPythonBlock('x\n```python\nprint(1)\n```\n```python\nprint(2)\n```')).toBe('\nprint(1)\n');
    expect(extractFirstPythonBlock('print(3)')).toBe('print(3)');
    expect(extractFirstPythonBlock('```py\nprint(3)\n```')).toBe('```py\nprint(3)\n```');
    expect(extractFirstPythonBlock('```python\nprint(3)')).toBe('```python\nprint(3)');
  });
});
