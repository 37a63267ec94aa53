import { describe, expect, it } from 'vitest';
import { DomainError, httpStatus } from '../src/errors.js';
import { extractCode, humanevalCompletion, mbppCompletion, sameOutput, submitPlan } from '../src/rl/submit.js';
import { SubmitRequestSchema } from '../src/rl/schemas.js';

// /submit: SandboxFusion's dataset ids, provided_data forms and trimming (no sandbox needed)
describe('SandboxFusion /submit plans', () => {
  const known = (n: string) => ['humaneval', 'mbpp'].includes(n);
  const plan = (body: Record<string, unknown>) => submitPlan(SubmitRequestSchema.parse(body), known);

  it('humaneval_python: id 0 is HumanEval/0, and the completion ends where the function body does', () => {
    const p = plan({ dataset: 'humaneval_python', id: 0, completion: '    return a + b\n\nprint(add(1, 2))\nassert False\n', config: {} });
    expect(p).toEqual({ kind: 'grade', item: { benchmark: 'humaneval', problem_id: 'HumanEval/0', completion: '    return a + b\n' } });
    // the SDK sends ids as given; a numeric string is the same row
    expect(plan({ dataset: 'humaneval_python', id: '12', completion: 'x', config: {} })).toMatchObject({ item: { problem_id: 'HumanEval/12' } });
    // freeform (chat) replies: the code block
    expect(humanevalCompletion('Here:\n```python\ndef add(a, b):\n    return a + b\n```\nDone.', true)).toBe('def add(a, b):\n    return a + b');
    // verdict's own name keeps verdict's semantics (verbatim completion)
    expect(plan({ dataset: 'humaneval', id: 'HumanEval/0', completion: '    return 1\nprint(2)\n' })).toMatchObject({ item: { completion: '    return 1\nprint(2)\n' } });
  });

  it('mbpp: id is the task_id; [DONE], the first code block and the \\nassert stop are applied', () => {
    const p = plan({ dataset: 'mbpp', id: 11, completion: 'def f(x):\n    return x\nassert f(1) == 1\n[DONE] junk', config: {} });
    expect(p).toEqual({ kind: 'grade', item: { benchmark: 'mbpp', problem_id: '11', completion: 'def f(x):\n    return x', options: { extractor: 'raw@1' } } });
    expect(mbppCompletion('```python\ndef g():\n    """doc"""\n    return 1\n```\n```python\nprint(g())\n```')).toBe('def g():\n    """doc"""\n    return 1');
  });

  it('CommonOJ rows (code_contests, JSON-text tests too): code for config.language, which is required', () => {
    const row = { id: 'p1', test: JSON.stringify([{ input: { stdin: '1 2\n' }, output: { stdout: '3\n' } }]) };
    const p = plan({ dataset: 'code_contests_train', id: 'p1', completion: 'Sure:\n```python\nprint(0)\n```\n```cpp\nint main(){}\n```', config: { language: 'cpp', provided_data: row } });
    expect(p).toMatchObject({ kind: 'stdio', language: 'cpp', code: 'int main(){}', cases: [{ stdin: '1 2\n', stdout: '3\n' }] });
    expect(() => plan({ dataset: 'code_contests', id: 'p1', completion: 'x', config: { provided_data: row } })).toThrow(/config.language/);
    // an unregistered name with dataset_type, as SandboxFusion reads it
    expect(plan({ dataset: 'my_oj', id: 'p1', completion: 'print(3)', config: { dataset_type: 'CommonOJDataset', language: 'python', provided_data: row } })).toMatchObject({ kind: 'stdio', code: 'print(3)' });
  });

  it('AutoEval rows: extracted code + test code (or at #<INSERT>), entry points removed, go headers merged', () => {
    const row = { id: 3, test: { code: 'assert add(1, 2) == 3' }, labels: { programming_language: 'python' } };
    const p = plan({ dataset: 'autoeval_x', id: 3, completion: '```python\ndef add(a, b):\n    return a + b\nif __name__ == "__main__":\n    print(add(1, 2))\n```', config: { provided_data: row } });
    expect(p).toMatchObject({ kind: 'run', code: 'def add(a, b):\n    return a + b', request: { language: 'python', code: 'def add(a, b):\n    return a + b\nassert add(1, 2) == 3', run_timeout: 20 } });
    const ins = plan({ dataset: 'x', id: 1, completion: 'X', config: { dataset_type: 'AutoEvalDataset', provided_data: { test: JSON.stringify({ code: 'pre\n#<INSERT>\npost' }), labels: { programming_language: 'bash' } } } });
    expect(ins).toMatchObject({ request: { code: 'pre\nX\npost', language: 'bash' } });
    const go = plan({
      dataset: 'x',
      id: 1,
      completion: '```go\npackage main\nimport "fmt"\nfunc Add(a, b int) int { fmt.Print(""); return a + b }\n```',
      config: { provided_data: { test: { code: 'package main\nimport (\n  "testing"\n)\nfunc TestAdd(t *testing.T){ if Add(1,2) != 3 { t.Fail() } }' }, labels: { programming_language: 'go', execution_language: 'go_test' } } },
    });
    if (go.kind !== 'run') throw new Error('run plan expected');
    expect(go.request.language).toBe('go_test');
    expect(go.request.code.match(/package main/g)).toHaveLength(1);
    expect(go.request.code).toMatch(/import "fmt"\nimport "testing"/);
    const jest = plan({ dataset: 'x', id: 1, completion: 'x', config: { provided_data: { test: { code: 't' }, labels: { programming_language: 'javascript', execution_language: 'jest' } } } });
    expect(jest).toMatchObject({ request: { language: 'jest', fetch_files: ['jest-report.json'] } });
  });

  it('bad rows are 4xx naming the field', () => {
    const err = (body: Record<string, unknown>) => {
      try {
        plan(body);
      } catch (e) {
        return e instanceof DomainError ? [httpStatus(e.code), e.field] : e;
      }
      return 'no error';
    };
    expect(err({ dataset: 'x', id: 1, completion: '', config: { provided_data: { nothing: 1 } } })).toEqual([400, 'config.provided_data']);
    expect(err({ dataset: 'x', id: 2, completion: '', config: { provided_data: [{ id: 1, test: 'x', entry_point: 'f' }] } })).toEqual([404, 'config.provided_data']);
    expect(err({ dataset: 'code_contests', id: 1, completion: '' })).toEqual([400, 'config.provided_data']);
    expect(err({ dataset: 'x', id: 1, completion: '', config: { dataset_type: 'NopeDataset' } })).toEqual([400, 'config.dataset_type']);
    expect(err({ dataset: 'x', id: 1, completion: '', config: { provided_data: { test: { code: 'x' }, labels: { programming_language: 'klingon' } } } })).toEqual([400, 'config.provided_data.labels']);
  });

  it("compares stdio the way SandboxFusion's check_stdio_test_case does", () => {
    expect(sameOutput('Yes\n', 'YES')).toBe(true);
    expect(sameOutput('  1 2  \n3\n\n', '1 2\n3')).toBe(true);
    expect(sameOutput('0.3333333\n', '0.33333333')).toBe(true);
    expect(sameOutput('0.33\n', '0.3333')).toBe(false);
    expect(sameOutput('1 2\n', '1  2\n')).toBe(false);
    expect(sameOutput('1\n2\n', '1\n')).toBe(false);
    expect(sameOutput('inf', 'inf')).toBe(true);
    expect(sameOutput('nan', '1')).toBe(false);
    expect(extractCode('no fences at all', 'python')).toBe('no fences at all');
  });
});
