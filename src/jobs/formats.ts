import type { InputFormat } from './schemas.js';

/** One thing to grade, read from one input line. */
export interface Sample {
  line: number;
  /** index within the line (LiveCodeBench code_list) */
  sub: number;
  benchmark: string;
  problem_id: string;
  completion: string;
  /** EvalPlus `solution`: a whole program rather than a continuation of the prompt */
  solution?: boolean;
}

export interface FormatSpec {
  format: InputFormat;
  benchmark: string;
  idField?: string;
  replyField: string;
}

export type LineResult = { samples: Sample[] } | { error: string };

function str(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

/** Problem ids may be numbers in user files (an `id` column of 0, 1, …). */
function idOf(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  if (typeof v === 'string' && v.length > 0) return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function guess(o: Record<string, unknown>, spec: FormatSpec): Exclude<InputFormat, 'auto'> | undefined {
  // by the id column, so a line missing its code is reported by field name
  if (spec.idField && spec.idField in o) return 'replies';
  if ('question_id' in o || 'code_list' in o) return 'livecodebench';
  if ('task_id' in o) return 'evalplus';
  if ('problem_id' in o) return 'verdict';
  return undefined;
}

/**
 * Read one JSONL line (1-based `line`) into samples, or say why it cannot be
 * read. Nothing is dropped silently: an empty code_list is an error too.
 */
export function parseLine(text: string, line: number, spec: FormatSpec): LineResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { error: `not JSON: ${(e as Error).message}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { error: 'not a JSON object' };
  const o = value as Record<string, unknown>;
  const format = spec.format === 'auto' ? guess(o, spec) : spec.format;
  const benchmark = str(o, 'benchmark') ?? spec.benchmark;
  switch (format) {
    case 'verdict': {
      const id = idOf(o, 'problem_id');
      const completion = str(o, 'completion');
      if (!id) return { error: 'field problem_id: missing or not a string' };
      if (completion === undefined) return { error: 'field completion: missing or not a string' };
      return { samples: [{ line, sub: 0, benchmark, problem_id: id, completion }] };
    }
    case 'evalplus': {
      const id = idOf(o, 'task_id');
      if (!id) return { error: 'field task_id: missing or not a string' };
      // EvalPlus prefers `solution` (a whole program) when a sample has both.
      const solution = str(o, 'solution');
      if (solution !== undefined) return { samples: [{ line, sub: 0, benchmark, problem_id: id, completion: solution, solution: true }] };
      const completion = str(o, 'completion');
      if (completion === undefined) return { error: 'field completion or solution: missing or not a string' };
      return { samples: [{ line, sub: 0, benchmark, problem_id: id, completion }] };
    }
    case 'livecodebench': {
      const id = idOf(o, 'question_id');
      if (!id) return { error: 'field question_id: missing or not a string' };
      const list = o.code_list;
      if (!Array.isArray(list)) return { error: 'field code_list: not a list' };
      if (list.length === 0) return { error: 'field code_list: empty' };
      const bad = list.findIndex((c) => typeof c !== 'string');
      if (bad >= 0) return { error: `field code_list.${bad}: not a string` };
      return { samples: (list as string[]).map((code, sub) => ({ line, sub, benchmark, problem_id: id, completion: code })) };
    }
    case 'replies': {
      const idField = spec.idField ?? 'id';
      const id = idOf(o, idField);
      const reply = str(o, spec.replyField);
      if (!id) return { error: `field ${idField}: missing or not a string` };
      if (reply === undefined) return { error: `field ${spec.replyField}: missing or not a string` };
      return { samples: [{ line, sub: 0, benchmark, problem_id: id, completion: reply }] };
    }
    default:
      return {
        error:
          'unrecognised line: expected {problem_id, completion}, {task_id, completion|solution}, {question_id, code_list}' +
          (spec.idField ? ` or {${spec.idField}, ${spec.replyField}}` : ' (or name id_field for one reply per line)'),
      };
  }
}
