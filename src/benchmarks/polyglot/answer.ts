import path from 'node:path';
import { z } from 'zod';

// A model answer to an Aider Polyglot exercise becomes a set of solution
// files. Two forms are accepted:
//   1. a JSON object {path: content} of solution files;
//   2. a reply in aider's "whole" edit format: a line naming the file, then
//      the full file in a ``` fence (parsed like aider's WholeFileCoder).
// Kept: the files.solution paths, and new source files beside them (aider
// lets the model create files; reference solutions add helper classes). Never
// kept: any other existing file (tests, build files) or anything test-like.

const FileMapSchema = z.record(z.string(), z.string());
const FENCE = '```';

export interface Answer {
  files: Record<string, string>;
  /** paths the answer wrote that are not solution files (dropped) */
  ignored: string[];
}

export function parseAnswer(completion: string, solution: readonly string[], existing: ReadonlySet<string>): Answer {
  const asJson = parseJsonMap(completion);
  const raw = asJson ?? parseWhole(completion, solution);
  const files: Record<string, string> = {};
  const ignored: string[] = [];
  for (const [name, content] of raw) {
    const p = path.posix.normalize(name.replace(/^\.\//, ''));
    if (solution.includes(p) || isNewSource(p, solution, existing)) files[p] = content;
    else ignored.push(name);
  }
  return { files, ignored };
}

const TEST_LIKE = /test|spec|conftest|^_|^\./i;

/** A new file in a solution file's directory with a solution file's extension. */
function isNewSource(p: string, solution: readonly string[], existing: ReadonlySet<string>): boolean {
  if (existing.has(p) || p.startsWith('..') || path.posix.isAbsolute(p) || p.length > 200) return false;
  const base = path.posix.basename(p);
  if (TEST_LIKE.test(base) || !/^[A-Za-z0-9][\w.-]*$/.test(base)) return false;
  return solution.some((s) => path.posix.dirname(s) === path.posix.dirname(p) && path.posix.extname(s) === path.posix.extname(p));
}

function parseJsonMap(completion: string): Array<[string, string]> | undefined {
  const t = completion.trim();
  if (!t.startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch {
    return undefined;
  }
  const r = FileMapSchema.safeParse(value);
  return r.success ? Object.entries(r.data) : undefined;
}

/**
 * aider's WholeFileCoder.update_files: a fence opens a file named by the line
 * before it (a bogus directory prefix is dropped when the base name is a chat
 * file); with no name, the file last quoted as `name` in prose, else the only
 * chat file. The next fence closes it. An unclosed last block still counts.
 */
function parseWhole(completion: string, chat: readonly string[]): Array<[string, string]> {
  const lines = completion.split(/(?<=\n)/);
  const out: Array<[string, string]> = [];
  let saw: string | undefined;
  let fname: string | undefined;
  let body: string[] = [];
  lines.forEach((line, i) => {
    if (line.startsWith(FENCE)) {
      if (fname !== undefined) {
        out.push([fname, body.join('')]);
        fname = undefined;
        saw = undefined;
        body = [];
        return;
      }
      let name = i > 0 ? lines[i - 1]!.trim() : '';
      if (name && !chat.includes(name) && chat.includes(path.posix.basename(name))) name = path.posix.basename(name);
      if (!name) {
        if (saw) name = saw;
        else if (chat.length === 1) name = chat[0]!;
        else return; // aider: "No filename provided" — a malformed block, skipped
      }
      fname = name;
    } else if (fname !== undefined) {
      body.push(line);
    } else {
      for (const word of line.trim().split(/\s+/)) {
        const w = word.replace(/[.:,;!]+$/, '');
        for (const f of chat) if (w === `\`${f}\``) saw = f;
      }
    }
  });
  if (fname) out.push([fname, body.join('')]);
  return out;
}
