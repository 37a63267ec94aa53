import { describe, expect, it } from 'vitest';
import { EXTRACTOR_NAMES, extract, officialExtractor } from '../src/extract/extractors.js';
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

// Replies as chat models write them for HumanEval/0 and MBPP 11 (own text).
const HE_CHAT = [
  "Here's an implementation that compares every pair of numbers:",
  '',
  '```python',
  'from typing import List',
  '',
  '',
  'def has_close_elements(numbers: List[float], threshold: float) -> bool:',
  '    """Return True if two numbers are closer than threshold."""',
  '    for i, a in enumerate(numbers):',
  '        for b in numbers[i + 1:]:',
  '            if abs(a - b) < threshold:',
  '                return True',
  '    return False',
  '',
  '',
  '# Example usage',
  'print(has_close_elements([1.0, 2.0, 3.0], 0.5))  # False',
  '```',
  '',
  'The loop is O(n²), which is fine for small lists.',
].join('\n');
const HE_BODY = '    for i, a in enumerate(numbers):\n        for b in numbers[i + 1:]:\n            if abs(a - b) < threshold:\n                return True\n    return False\n';
const HE_PROGRAM =
  '\nfrom typing import List\ndef has_close_elements(numbers: List[float], threshold: float) -> bool:\n    """Return True if two numbers are closer than threshold."""\n    for i, a in enumerate(numbers):\n        for b in numbers[i + 1:]:\n            if abs(a - b) < threshold:\n                return True\n    return False\n';

describe('defaults that read both base-model continuations and chat replies', () => {
  const he = { entryPoint: 'has_close_elements' };

  it('continuation-or-chat keeps a base continuation exactly as sent (official semantics)', () => {
    for (const c of [HE_BODY, '\n' + HE_BODY, '', '    return any(True for _ in [])\n\n\ndef check():\n    pass\nprint(1)\n', HE_BODY + '```\n']) {
      expect(extract('continuation-or-chat@1', c, he)).toBe(c);
    }
  });

  it('continuation-or-chat turns a fenced chat reply into its sanitized program after the prompt', () => {
    expect(extract('continuation-or-chat@1', HE_CHAT, he)).toBe(HE_PROGRAM);
    expect(extract('raw@1', HE_CHAT, he)).toBe(HE_CHAT); // the official reading stays selectable
  });

  it('continuation-or-chat reads an unfenced reply that defines the entry point, and a fenced body', () => {
    const bare = HE_PROGRAM.slice(1) + '\n\nif __name__ == "__main__":\n    import doctest\n    doctest.testmod()\n';
    expect(extract('continuation-or-chat@1', bare, he)).toBe(HE_PROGRAM);
    expect(extract('continuation-or-chat@1', 'Sure:\n```python\n' + HE_BODY + '```\nDone.', he)).toBe(HE_BODY);
    // prose without code stays as sent (and fails, as it would officially)
    expect(extract('continuation-or-chat@1', 'I cannot help with that.', he)).toBe('I cannot help with that.');
  });

  const MBPP_CHAT = [
    'To add two integers, return their sum:',
    '',
    '```python',
    'def add_ints(a, b):',
    '    return a + b',
    '',
    'assert add_ints(1, 2) == 3',
    'print(add_ints(2, 2))',
    '```',
  ].join('\n');

  it('fenced-or-bigcode-mbpp sanitizes a chat reply and cuts a base completion at the stop words', () => {
    expect(extract('fenced-or-bigcode-mbpp@1', MBPP_CHAT, { entryPoint: 'add_ints' })).toBe('def add_ints(a, b):\n    return a + b\n');
    // the bigcode stop words keep only the prose before the fence, which fails
    expect(extract('bigcode-mbpp@1', MBPP_CHAT)).toBe('To add two integers, return their sum:\n');
    const base = 'def add_ints(a, b):\n    return a + b\nprint(add_ints(1, 2))\n';
    expect(extract('fenced-or-bigcode-mbpp@1', base, { entryPoint: 'add_ints' })).toBe(extract('bigcode-mbpp@1', base));
    // a base model that went on to write Markdown keeps its code before the fence
    const drift = 'def add_ints(a, b):\n    return a + b\n```\n\n```python\ndef add_ints(a, b):\n    return 0\n```';
    expect(extract('fenced-or-bigcode-mbpp@1', drift, { entryPoint: 'add_ints' })).toBe('def add_ints(a, b):\n    return a + b');
  });

  it('fenced-or-raw sanitizes a fenced chat reply after the prompt and keeps anything else as sent', () => {
    expect(extract('fenced-or-raw@1', MBPP_CHAT, { entryPoint: 'add_ints' })).toBe('\ndef add_ints(a, b):\n    return a + b\n');
    const base = 'def add_ints(a, b):\n    return a + b\n\nprint(add_ints(1, 2))\n';
    expect(extract('fenced-or-raw@1', base, { entryPoint: 'add_ints' })).toBe(base);
  });

  it('officialExtractor names what a known program (not a reply) is read with', () => {
    expect(officialExtractor('continuation-or-chat@1')).toBe('raw@1');
    expect(officialExtractor('fenced-or-raw@1')).toBe('raw@1');
    expect(officialExtractor('fenced-or-bigcode-mbpp@1')).toBe('bigcode-mbpp@1');
    expect(officialExtractor('sanitize@1')).toBe('sanitize@1');
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
