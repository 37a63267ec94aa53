import { describe, expect, it } from 'vitest';
import { EXTRACTOR_NAMES, extract } from '../src/extract/extractors.js';
import { fencedBlocks } from '../src/extract/fences.js';
import { sanitizePython } from '../src/extract/python-sanitize.js';
import { parsePythonJson } from '../src/benchmarks/raw-json.js';

const chat = [
  "Sure! Here's a solution:",
  '',
  '```python',
  'import math',
  '',
  'def area(r):',
  '    return math.pi * r ** 2',
  '```',
  '',
  'And a test:',
  '',
  '```',
  'print(area(2))',
  '```',
  'Hope it helps.',
].join('\n');

describe('fenced blocks', () => {
  it('finds tagged and untagged blocks in order, and an unclosed last block', () => {
    const blocks = fencedBlocks(chat + '\n```cpp\nint main() {}');
    expect(blocks.map((b) => b.lang)).toEqual(['python', '', 'cpp']);
    expect(blocks[0]!.body).toBe('import math\n\ndef area(r):\n    return math.pi * r ** 2');
    expect(blocks[2]!.body).toBe('int main() {}');
  });

  it('a longer fence contains a shorter one', () => {
    const blocks = fencedBlocks('````markdown\n```python\nx = 1\n```\n````');
    expect(blocks).toHaveLength(1);
    expect(blocks[0]!.body).toBe('```python\nx = 1\n```');
  });
});

describe('extractors', () => {
  it('are named with a version', () => {
    expect(EXTRACTOR_NAMES.every((n) => /@\d+$/.test(n))).toBe(true);
  });

  it('raw keeps the reply; fenced-first/last pick blocks; no fence means the whole reply', () => {
    expect(extract('raw@1', chat)).toBe(chat);
    expect(extract('fenced-first@1', chat)).toContain('def area');
    expect(extract('fenced-last@1', chat)).toBe('print(area(2))');
    expect(extract('fenced-last@1', 'def f(): pass')).toBe('def f(): pass');
    // a python-tagged block wins over a block in another language
    expect(extract('fenced-first@1', '```text\nout\n```\n```python\nx = 2\n```')).toBe('x = 2');
  });

  it('bigcode-mbpp cuts the completion at its stop words', () => {
    const completion = 'def add(a, b):\n    return a + b\nprint(add(1, 2))\nassert add(1, 2) == 3\n';
    expect(extract('bigcode-mbpp@1', completion)).toBe('def add(a, b):\n    return a + b');
    expect(extract('bigcode-mbpp@1', 'def f():\n    if x:\n        return 1\n```\nprose')).toBe('def f():\n    if x:\n        return 1');
    expect(extract('bigcode-mbpp@1', 'x = 1\nif __name__ == "__main__":\n    main()')).toBe('x = 1');
  });

  it('sanitize keeps imports and what the entry point reaches, from fenced blocks', () => {
    const code = extract('sanitize@1', chat, { entryPoint: 'area' });
    expect(code).toBe('import math\ndef area(r):\n    return math.pi * r ** 2\n');
  });
});

describe('sanitizePython', () => {
  it('drops prose, calls, prints, asserts and main blocks; keeps reachable helpers, classes and constants', () => {
    const src = [
      "Here's the code. It's simple:",
      'import re',
      'from collections import Counter as C',
      'LIMIT = 10',
      'UNUSED = 3',
      '',
      '@staticmethod_like',
      'def helper(x):',
      '    """doc with def fake(): and a quote \' inside"""',
      '    return C(x).most_common(LIMIT)',
      '',
      'class Box:',
      '    def __init__(self, v):',
      '        self.v = v',
      '',
      'def solve(s):',
      '    # comment at any depth',
      '    try:',
      '        return helper(s), Box(1)',
      '    except ValueError:',
      '        return None',
      '',
      'def unrelated():',
      '    return 0',
      '',
      'print(solve("aab"))',
      'assert solve("a")',
      'if __name__ == "__main__":',
      '    solve(input())',
    ].join('\n');
    const out = sanitizePython(src, 'solve');
    expect(out).toContain('import re\nfrom collections import Counter as C\nLIMIT = 10\n@staticmethod_like\ndef helper(x):');
    expect(out).toContain('class Box:');
    expect(out).toContain('def solve(s):');
    for (const gone of ['UNUSED', 'unrelated', 'print(', 'assert ', '__main__', "Here's"]) expect(out).not.toContain(gone);
  });

  it('top-level try/else and multi-line brackets stay one statement', () => {
    const src = 'X = [\n  1,\n  2,\n]\ndef f():\n    return X\nif True:\n    pass\nelse:\n    f()\n';
    expect(sanitizePython(src, 'f')).toBe('X = [\n  1,\n  2,\n]\ndef f():\n    return X\n');
  });

  it('keeps every definition when the entry point is missing', () => {
    expect(sanitizePython('def a():\n    return 1\nprint(a())\ndef b():\n    return 2\n', 'zzz')).toBe(
      'def a():\n    return 1\ndef b():\n    return 2\n',
    );
  });
});

describe('parsePythonJson', () => {
  it('reads bare NaN and Infinity outside strings as null, and leaves strings alone', () => {
    expect(parsePythonJson('{"a": [NaN, -Infinity, Infinity, 1.5], "s": "NaN Infinity"}')).toEqual({
      a: [null, null, null, 1.5],
      s: 'NaN Infinity',
    });
  });
});
