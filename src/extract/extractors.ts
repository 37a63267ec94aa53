import { z } from 'zod';
import { fencedBlocks, pythonBlocks } from './fences.js';
import { sanitizePython } from './python-sanitize.js';

// Named, versioned code extractors: how a model reply becomes the code that
// runs. A name's behaviour never changes; a new behaviour gets a new version
// suffix, so a stored verdict always says exactly how its code was obtained.

export interface ExtractContext {
  /** the function the tests call, when the benchmark has one */
  entryPoint?: string | undefined;
}

type Extractor = (reply: string, ctx: ExtractContext) => string;

/** bigcode-evaluation-harness's MBPP stop words: a completion ends at the first of them. */
const BIGCODE_MBPP_STOP = ['\nclass', '\nassert', '\n"""', '\nprint', '\nif', '\n<|/', '\n```'];

/** The first line with code on it starts with whitespace: the body of the prompt's open function. */
function startsIndented(text: string): boolean {
  const first = text.split(/\r?\n/).find((l) => l.trim() !== '');
  return first === undefined || (/^[ \t]/.test(first) && !/^\s*(```|~~~)/.test(first));
}

/** `def NAME(` / `async def NAME(` / `class NAME` at column 0 (any name when none is given). */
function definesAtTopLevel(code: string, name?: string): boolean {
  const n = name ? name.replace(/[^A-Za-z0-9_]/g, '') : '[A-Za-z_]\\w*';
  return new RegExp(`^(?:(?:async[ \\t]+)?def|class)[ \\t]+${n}\\b`, 'm').test(code);
}

/**
 * The python/untagged fenced blocks of a reply that hold a top-level
 * definition, joined; undefined when there are none, or when code with a
 * definition comes before the first fence (a base model that went on to
 * write Markdown: its code is the part before).
 */
function fencedDefinitions(reply: string): string | undefined {
  const lines = reply.split(/\r?\n/);
  const fence = lines.findIndex((l) => /^[ \t]{0,3}(```|~~~)/.test(l));
  if (fence < 0 || definesAtTopLevel(lines.slice(0, fence).join('\n'))) return undefined;
  const blocks = pythonBlocks(reply).filter((b) => definesAtTopLevel(b.body));
  return blocks.length ? blocks.map((b) => b.body).join('\n') : undefined;
}

/**
 * A chat reply's program for a benchmark that grades `prompt + code`: its
 * code reduced as sanitize@1, after a newline, so the prompt's imports and
 * helpers stay and the reply's definitions replace the prompt's stub.
 */
function afterPrompt(code: string, entryPoint: string | undefined): string {
  return '\n' + sanitizePython(code, entryPoint);
}

function cutAtStopWords(text: string, stops: readonly string[]): string {
  let end = text.length;
  for (const s of stops) {
    const i = text.indexOf(s);
    if (i >= 0 && i < end) end = i;
  }
  return text.slice(0, end);
}

const EXTRACTORS = {
  /** the reply exactly as sent */
  'raw@1': (reply) => reply,
  /** the first fenced block (python-tagged or untagged preferred); the whole reply if there is none */
  'fenced-first@1': (reply) => (pythonBlocks(reply)[0] ?? fencedBlocks(reply)[0])?.body ?? reply,
  /** the last fenced block (python-tagged or untagged preferred); the whole reply if there is none */
  'fenced-last@1': (reply) => (pythonBlocks(reply).at(-1) ?? fencedBlocks(reply).at(-1))?.body ?? reply,
  /**
   * Python code of the reply (its python/untagged fenced blocks joined, or the
   * whole reply), reduced to imports and the definitions reachable from the
   * entry point — prose, example calls, prints and tests removed.
   */
  'sanitize@1': (reply, ctx) => {
    const blocks = pythonBlocks(reply);
    const code = blocks.length ? blocks.map((b) => b.body).join('\n') : reply;
    return sanitizePython(code, ctx.entryPoint);
  },
  /** bigcode-evaluation-harness MBPP: the completion up to its first stop word */
  'bigcode-mbpp@1': (reply) => cutAtStopWords(reply, BIGCODE_MBPP_STOP),
  /**
   * For benchmarks that grade `prompt + completion` with the prompt ending in
   * an open function (HumanEval, HumanEval+). A base model's continuation
   * (its first code line indented: the function's body) is kept as sent, as
   * the official harness does. Otherwise, a chat reply — one with a python
   * or untagged fenced block, or with a top-level `def ENTRY_POINT` — becomes
   * its code (the python blocks, else the whole reply) reduced as sanitize@1
   * after a newline; a fenced block holding only an indented body is used as
   * the continuation it is. Anything else is kept as sent.
   */
  'continuation-or-chat@1': (reply, ctx) => {
    if (startsIndented(reply)) return reply;
    const blocks = pythonBlocks(reply);
    if (blocks.length) {
      const code = blocks.map((b) => b.body).join('\n');
      if (!definesAtTopLevel(code) && startsIndented(code) && code.trim()) return code.replace(/\s*$/, '\n');
      return afterPrompt(code, ctx.entryPoint);
    }
    if (ctx.entryPoint && definesAtTopLevel(reply, ctx.entryPoint)) return afterPrompt(reply, ctx.entryPoint);
    return reply;
  },
  /**
   * A chat reply — a python or untagged fenced block holding a top-level
   * definition — becomes those blocks reduced as sanitize@1 (after a newline,
   * for benchmarks that prepend a prompt); anything else is kept as sent
   * (MBPP+: a base model continues the prompt's docstring with `def`).
   */
  'fenced-or-raw@1': (reply, ctx) => {
    const code = fencedDefinitions(reply);
    return code === undefined ? reply : afterPrompt(code, ctx.entryPoint);
  },
  /**
   * MBPP: a chat reply (as fenced-or-raw@1) becomes its sanitized blocks;
   * anything else is a base model's completion, cut at the bigcode harness's
   * stop words (bigcode-mbpp@1).
   */
  'fenced-or-bigcode-mbpp@1': (reply, ctx) => {
    const code = fencedDefinitions(reply);
    return code === undefined ? cutAtStopWords(reply, BIGCODE_MBPP_STOP) : sanitizePython(code, ctx.entryPoint);
  },
} satisfies Record<string, Extractor>;

export type ExtractorName = keyof typeof EXTRACTORS;
export const EXTRACTOR_NAMES = Object.keys(EXTRACTORS) as [ExtractorName, ...ExtractorName[]];

export function isExtractorName(s: string): s is ExtractorName {
  return Object.hasOwn(EXTRACTORS, s);
}

/** Option schema naming an extractor, with a benchmark's default. */
export function extractorOption(defaultName: ExtractorName) {
  return z
    .enum(EXTRACTOR_NAMES)
    .default(defaultName)
    .describe(`how code is taken from the completion (${EXTRACTOR_NAMES.join(', ')}); default ${defaultName}`);
}

/**
 * The official extractor behind a default that also reads chat replies: what
 * to use for input that is known not to be a chat reply (e.g. an EvalPlus
 * `solution`, a whole program).
 */
export function officialExtractor(name: ExtractorName): ExtractorName {
  switch (name) {
    case 'continuation-or-chat@1':
    case 'fenced-or-raw@1':
      return 'raw@1';
    case 'fenced-or-bigcode-mbpp@1':
      return 'bigcode-mbpp@1';
    default:
      return name;
  }
}

export function extract(name: ExtractorName, reply: string, ctx: ExtractContext = {}): string {
  return EXTRACTORS[name](reply, ctx);
}
