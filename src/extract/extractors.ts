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
} satisfies Record<string, Extractor>;

export type ExtractorName = keyof typeof EXTRACTORS;
export const EXTRACTOR_NAMES = Object.keys(EXTRACTORS) as [ExtractorName, ...ExtractorName[]];

/** Option schema naming an extractor, with a benchmark's default. */
export function extractorOption(defaultName: ExtractorName) {
  return z
    .enum(EXTRACTOR_NAMES)
    .default(defaultName)
    .describe(`how code is taken from the completion (${EXTRACTOR_NAMES.join(', ')}); default ${defaultName}`);
}

export function extract(name: ExtractorName, reply: string, ctx: ExtractContext = {}): string {
  return EXTRACTORS[name](reply, ctx);
}
