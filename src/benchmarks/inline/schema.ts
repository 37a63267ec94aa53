import { z } from 'zod';

// A problem sent with the request instead of a problem_id (the inline
// benchmark): its own tests, assert/functional on the Python judge, stdin/stdout
// on the judge core. The RL routes accept it; the benchmark owns its shape.

const AssertTestsSchema = z
  .object({
    type: z.literal('assert'),
    entry_point: z.string().min(1).max(200).regex(/^[A-Za-z_][A-Za-z0-9_]*$/).describe('the function the asserts call'),
    code: z.string().min(1).max(4 << 20).describe('Python test code: asserts calling entry_point (MBPP style), may define helpers'),
  })
  .strict();

/** Nesting allowed in an inline JSON value (arrays and objects within each other). */
export const MAX_JSON_DEPTH = 100;

/** How deeply a parsed JSON value nests (iterative: no stack to overflow). */
export function jsonDepth(v: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[v, 0]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (x === null || typeof x !== 'object') continue;
    if (d + 1 > max) max = d + 1;
    if (max > MAX_JSON_DEPTH) return max;
    for (const y of Array.isArray(x) ? x : Object.values(x)) stack.push([y, d + 1]);
  }
  return max;
}

/**
 * Any JSON value, nested at most MAX_JSON_DEPTH deep. Deeper values would
 * overflow a stack on their way to the harness (JSON.stringify here, the
 * recursion limit of Python's json there): a 400 naming the field instead.
 */
const JsonValue = () =>
  z.unknown().superRefine((v, ctx) => {
    if (jsonDepth(v) > MAX_JSON_DEPTH) ctx.addIssue({ code: 'custom', message: `nested more than ${MAX_JSON_DEPTH} deep` });
  });

const FunctionalTestsSchema = z
  .object({
    type: z.literal('functional'),
    entry_point: z.string().min(1).max(200).regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
    cases: z
      .array(
        z
          .object({
            args: z.array(JsonValue()).default([]),
            kwargs: z.record(z.string(), JsonValue()).optional(),
            expected: JsonValue().describe('compared with == after turning tuples into lists'),
          })
          .strict(),
      )
      .min(1)
      .max(10_000),
  })
  .strict();

const StdioTestsSchema = z
  .object({
    type: z.literal('stdio'),
    cases: z.array(z.object({ stdin: z.string(), stdout: z.string() }).strict()).min(1).max(10_000),
    comparator: z
      .enum(['exact', 'strip', 'token', 'lcb', 'openr1', 'float'])
      .default('token')
      .describe('how outputs are compared; ignored when a checker is given'),
    checker: z
      .object({
        style: z.enum(['python', 'testlib']),
        source: z.string().min(1).max(1 << 20),
        language: z.enum(['python3', 'cpp17']).default('python3'),
      })
      .strict()
      .optional()
      .describe('a checker program instead of a comparator (python: prints 1 = accepted; testlib: exit 0)'),
    language: z.enum(['python3', 'cpp17', 'java']).default('python3').describe('language of the completion'),
  })
  .strict();

export const InlineProblemSchema = z
  .object({
    tests: z.discriminatedUnion('type', [AssertTestsSchema, FunctionalTestsSchema, StdioTestsSchema]),
    prompt: z.string().max(1 << 20).optional().describe('code prepended to the completion (a function signature, imports)'),
    timeout_s: z.number().positive().max(120).default(10).describe('wall-clock limit of the whole run (per test for stdio)'),
    memory_mb: z.number().int().min(64).max(8192).default(1024),
  })
  .strict()
  .meta({ id: 'InlineProblem' });
export type InlineProblem = z.infer<typeof InlineProblemSchema>;
