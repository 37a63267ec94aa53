import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtures } from './fixtures/humaneval.js';
import { writeMbppFixtures } from './fixtures/mbpp.js';
import { postGrade, testApp } from './helpers/app.js';
import { dockerAvailable, ensurePythonImage } from './helpers/docker.js';
import { ti } from './helpers/instance.js';

// Issue 15.5: a chat model's correct reply (Markdown, prose, a fenced program,
// example calls) passes HumanEval, HumanEval+, MBPP and MBPP+ by default,
// through /v1/grade and through the OpenRLHF drop-in; a base model's
// continuation is graded exactly as the official harness does; and the
// official reading stays selectable per request and per label.

const hasDocker = await dockerAvailable();

const fence = (code: string, before = 'Here is a solution:', after = 'This runs in linear time.') => `${before}\n\n\`\`\`python\n${code}\n\`\`\`\n\n${after}`;

const HE0_CHAT = fence('def add_three(a: int, b: int, c: int) -> int:\n    """Sum of three integers."""\n    return a + b + c\n\n\n# Example\nprint(add_three(1, 2, 3))  # 6');
// relies on the prompt's `from typing import List`, as chat replies often do
const HE1_CHAT = fence('def running_max(xs: List[int]) -> List[int]:\n    out = []\n    for x in xs:\n        out.append(x if not out else max(out[-1], x))\n    return out\n\nassert running_max([1, 3, 2]) == [1, 3, 3]');
const HE0_BARE = 'def add_three(a, b, c):\n    return a + b + c\n\n\nif __name__ == "__main__":\n    import doctest\n    doctest.testmod()\n';
const MBPP11_CHAT = fence('def add_ints(a, b):\n    return a + b\n\n# Test\nassert add_ints(1, 2) == 3\nprint(add_ints(2, 3))', 'Sure! To add two integers:');
const MBPP2_CHAT = fence('def similar_elements(test_tup1, test_tup2):\n    return tuple(set(test_tup1) & set(test_tup2))\n\nprint(similar_elements((3, 4, 5, 6), (5, 7, 4, 10)))');

describe.skipIf(!hasDocker)('chat replies and base continuations under the default extractors', () => {
  let app: Awaited<ReturnType<typeof testApp>>;
  beforeAll(async () => {
    await ensurePythonImage();
    const he = writeFixtures();
    const mb = writeMbppFixtures();
    app = await testApp(
      [
        { benchmark: 'humaneval', file: he.humaneval },
        { benchmark: 'humaneval-plus', file: he.humanevalPlus },
        { benchmark: 'mbpp', file: mb.full },
        { benchmark: 'mbpp-plus', file: mb.plus },
      ],
      { instance: ti('test-chat') },
    );
  }, 900_000);
  afterAll(async () => {
    await app?.close();
  });

  const grade = (benchmark: string, problem_id: string, completion: string, options?: Record<string, unknown>) =>
    postGrade(app, { benchmark, problem_id, completion, options });

  it('HumanEval: chat replies pass, base continuations are graded as officially, raw@1 is the official reading', async () => {
    const chat = await grade('humaneval', 'Mini/0', HE0_CHAT);
    expect(chat.status, chat.detail).toBe('pass');
    expect(chat.extracted_code).not.toContain('print(');
    expect((await grade('humaneval', 'Mini/1', HE1_CHAT)).status).toBe('pass');
    expect((await grade('humaneval', 'Mini/0', HE0_BARE)).status).toBe('pass');
    expect((await grade('humaneval', 'Mini/0', HE0_CHAT.replace('a + b + c', 'a + b'))).status).toBe('fail');
    const raw = await grade('humaneval', 'Mini/0', HE0_CHAT, { extractor: 'raw@1' });
    expect(raw.status).toBe('fail');
    expect(raw.extracted_code).toBe(HE0_CHAT);
    // a base model's continuation: exactly as sent, both ways
    const base = '    return a + b + c\n';
    const v = await grade('humaneval', 'Mini/0', base);
    expect(v.status).toBe('pass');
    expect(v.extracted_code).toBe(base);
    // a continuation that then writes top-level junk fails as it does officially
    const junk = '    return a + b + c\n\nprint(undefined_name)\n';
    expect((await grade('humaneval', 'Mini/0', junk)).status).toBe('fail');
    expect((await grade('humaneval', 'Mini/0', junk, { extractor: 'raw@1' })).status).toBe('fail');
  });

  it('HumanEval+: a chat reply passes; raw@1 fails it', async () => {
    expect((await grade('humaneval-plus', 'Mini/0', HE0_CHAT)).status).toBe('pass');
    expect((await grade('humaneval-plus', 'Mini/0', HE0_CHAT, { extractor: 'raw@1' })).status).toBe('fail');
    expect((await grade('humaneval-plus', 'Mini/0', '    return a + b + c\n')).status).toBe('pass');
  });

  it('MBPP: a chat reply passes; the bigcode stop words alone fail it; base completions unchanged', async () => {
    const v = await grade('mbpp', '11', MBPP11_CHAT);
    expect(v.status, v.detail).toBe('pass');
    expect(v.extracted_code).toBe('def add_ints(a, b):\n    return a + b\n');
    expect((await grade('mbpp', '11', MBPP11_CHAT, { extractor: 'bigcode-mbpp@1' })).status).toBe('fail');
    const base = 'def add_ints(a, b):\n    return a + b\nprint(add_ints(1, 2))\n';
    const b = await grade('mbpp', '11', base);
    expect(b.status).toBe('pass');
    expect(b.extracted_code).toBe('def add_ints(a, b):\n    return a + b');
  });

  it('MBPP+: a chat reply passes; raw@1 fails it; a base continuation is graded as sent', async () => {
    expect((await grade('mbpp-plus', 'Mbpp/2', MBPP2_CHAT)).status).toBe('pass');
    expect((await grade('mbpp-plus', 'Mbpp/2', MBPP2_CHAT, { extractor: 'raw@1' })).status).toBe('fail');
    const base = 'def similar_elements(a, b):\n    return tuple(set(a) & set(b))\n';
    expect((await grade('mbpp-plus', 'Mbpp/2', base)).status).toBe('pass');
  });

  it("OpenRLHF /get_reward: a chat-templated query is graded on the reply; a label's options choose the reading", async () => {
    // what OpenRLHF's remote reward model client posts: {query, prompts, labels}
    const prompt = '<|im_start|>user\nComplete add_three.<|im_end|>\n<|im_start|>assistant\n';
    const r = await app.server.inject({
      method: 'POST',
      url: '/get_reward',
      payload: {
        query: [prompt + HE0_CHAT, prompt + HE0_CHAT, prompt + MBPP11_CHAT],
        prompts: [prompt, prompt, prompt],
        labels: [
          JSON.stringify({ benchmark: 'humaneval', problem_id: 'Mini/0' }),
          JSON.stringify({ benchmark: 'humaneval', problem_id: 'Mini/0', options: { extractor: 'raw@1' } }),
          { benchmark: 'mbpp', problem_id: '11' },
        ],
      },
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().rewards).toEqual([1, 0, 1]);
  });
});
