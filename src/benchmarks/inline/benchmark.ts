import crypto from 'node:crypto';
import { z } from 'zod';
import type { InlineProblem } from './schema.js';
import { harnessOutcome, harnessPlan, pythonProfile } from '../python-harness/harness.js';
import { judgeOutcome, judgeTask } from './judge.js';
import type { JudgeBenchmark, Judging } from '../types.js';
import type { ProblemRecord } from '../../domain.js';

// Problems a trainer sends with the request (training sets that are not
// registered benchmarks). Assert and functional tests run on the Python judge
// (humaneval mode: the candidate in its own process, the asserts in the
// judge); stdin/stdout tests run on the judge core (inline/judge.ts).

export const INLINE = 'inline';

/** A request's inline problem as a record; its id is the digest of the tests. */
export function inlineProblem(p: InlineProblem): ProblemRecord {
  const json = JSON.stringify(p);
  const id = `inline/${crypto.createHash('sha256').update(json).digest('hex').slice(0, 24)}`;
  return { id, prompt: p.prompt ?? '', public: {}, hidden: { inline: p } };
}

function spec(problem: ProblemRecord): InlineProblem {
  return (problem.hidden as { inline: InlineProblem }).inline;
}

const FENCE_LANGS: Record<string, RegExp> = {
  python3: /^(python3?|py|)$/i,
  cpp17: /^(c\+\+|cpp|cc|cxx|)$/i,
  java: /^(java|)$/i,
};

/**
 * The completion's code: the last fenced block in the language when there is
 * one (chat answers), else the last fenced block, else all of it.
 */
export function extractFenced(completion: string, language = 'python3'): string {
  const blocks = fencedBlocks(completion);
  if (blocks.length) {
    const want = FENCE_LANGS[language] ?? FENCE_LANGS.python3!;
    const code = blocks.filter((b) => want.test(b.lang));
    return trimEndNewline((code.length ? code : blocks).at(-1)!.body);
  }
  // an unclosed fence: everything after its opening line
  const open = completion.indexOf('```');
  const nl = open < 0 ? -1 : completion.indexOf('\n', open + 3);
  return nl < 0 ? completion : completion.slice(nl + 1);
}

/**
 * The blocks /```[ \t]*([\w+-]*)[^\n]*\n([\s\S]*?)```/g finds (a fence
 * anywhere in a line; the body up to the next ```), found with indexOf: that
 * regex rescans the rest of the text from every unclosed fence (quadratic).
 */
function fencedBlocks(text: string): Array<{ lang: string; body: string }> {
  const out: Array<{ lang: string; body: string }> = [];
  let pos = 0;
  for (;;) {
    const p = text.indexOf('```', pos);
    if (p < 0) break;
    const nl = text.indexOf('\n', p + 3);
    if (nl < 0) break;
    const q = text.indexOf('```', nl + 1);
    if (q < 0) break;
    let i = p + 3;
    while (text[i] === ' ' || text[i] === '\t') i++;
    const start = i;
    while (i < nl && /[\w+-]/.test(text[i]!)) i++;
    out.push({ lang: text.slice(start, i), body: text.slice(nl + 1, q) });
    pos = q + 3;
  }
  return out;
}

/** `s.replace(/\s+$/, '\n')` without the regex (quadratic on inner runs of whitespace). */
function trimEndNewline(s: string): string {
  const t = s.trimEnd();
  return t.length < s.length ? t + '\n' : s;
}

/** A Python string literal (JSON's escapes are all valid Python). */
const pyStr = (s: string) => JSON.stringify(s);

/** check(candidate) for the humaneval judge mode; the judge binds entry_point to the candidate. */
export function checkCode(p: InlineProblem): string {
  const t = p.tests;
  if (t.type === 'assert') {
    return [
      `_VERDICT_TESTS = ${pyStr(t.code)}`,
      'def check(candidate):',
      '    exec(compile(_VERDICT_TESTS, "<test>", "exec"), globals())',
      '',
    ].join('\n');
  }
  if (t.type === 'functional') {
    return [
      'import json',
      `_VERDICT_CASES = json.loads(${pyStr(JSON.stringify(t.cases))})`,
      'def _verdict_norm(x):',
      '    if isinstance(x, (list, tuple)):',
      '        return [_verdict_norm(i) for i in x]',
      '    if isinstance(x, dict):',
      '        return {k: _verdict_norm(v) for k, v in x.items()}',
      '    return x',
      'def check(candidate):',
      '    for i, c in enumerate(_VERDICT_CASES):',
      '        got = candidate(*c.get("args", []), **(c.get("kwargs") or {}))',
      '        assert _verdict_norm(got) == c.get("expected"), "case %d" % i',
      '',
    ].join('\n');
  }
  throw new Error('stdio tests are not run by the Python harness');
}

export const inline: JudgeBenchmark<Record<string, never>> = {
  kind: 'judge',
  name: INLINE,
  description: 'Problems sent with the request: assert code or functional cases (Python)',
  graderVersion: '1',
  options: z.object({}).strict(),

  read() {
    return Promise.reject(new Error('inline problems come with the request; nothing to import'));
  },

  extract: (problem, completion) => {
    const t = spec(problem).tests;
    return { code: extractFenced(completion, t.type === 'stdio' ? t.language : 'python3') };
  },

  // stdin/stdout tests on the judge core; assert and functional tests as a run plan on the Python judge
  judge(problem, { code }): Judging {
    const p = spec(problem);
    if (p.tests.type === 'stdio') return { kind: 'judge', task: judgeTask(p, code) };
    const plan = harnessPlan(
      pythonProfile(p.memory_mb * 1024 * 1024),
      {
        mode: 'humaneval',
        prompt: p.prompt ?? '',
        completion: code,
        test: checkCode(p),
        entry_point: p.tests.entry_point,
        timeout_s: p.timeout_s,
      },
      { wallMs: Math.ceil(p.timeout_s * 1000) + 5000, captureBytes: 1 << 20, outputBytes: 16 << 20 },
    );
    return { kind: 'plan', plan, outcome: (results) => harnessOutcome(plan, results) };
  },

  judgeOutcome: (_problem, report) => judgeOutcome(report),
};
