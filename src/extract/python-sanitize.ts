// Keep a Python program's imports and the definitions reachable from its
// entry point; drop everything else at top level (prose the model wrote
// around the code, example calls, prints, asserts, `if __name__` blocks).
// EvalPlus does this with tree-sitter; here a small scanner that knows
// Python's strings, comments, brackets and continuation lines is enough,
// because only top-level statements are classified.

interface Statement {
  /** source lines, decorators included */
  text: string;
  kind: 'import' | 'def' | 'assign' | 'other';
  defines: string[];
  /** identifiers read anywhere in the statement (outside strings and comments) */
  uses: Set<string>;
}

interface LogicalLine {
  start: number;
  end: number; // exclusive, in physical lines
  indent: number;
  /** code with strings blanked and comments removed, newlines kept */
  code: string;
}

const CONTINUES = /^(elif|else|except|finally|case)\b/;

/** Split source into logical lines (bracketed and backslash-continued lines joined, strings honoured). */
function logicalLines(src: string): { lines: string[]; logical: LogicalLine[] } {
  const lines = src.split(/\r?\n/);
  const logical: LogicalLine[] = [];
  let i = 0;
  while (i < lines.length) {
    const start = i;
    let depth = 0;
    let triple: string | null = null;
    let code = '';
    for (;;) {
      const line = lines[i] ?? '';
      let cont = false;
      let j = 0;
      while (j < line.length) {
        const c = line[j]!;
        if (triple) {
          if (c === '\\') j += 2;
          else if (line.startsWith(triple, j)) {
            j += 3;
            triple = null;
            code += ' "" ';
          } else j += 1;
          continue;
        }
        if (c === '#') break;
        if (c === '"' || c === "'") {
          if (line.startsWith(c.repeat(3), j)) {
            triple = c.repeat(3);
            j += 3;
            continue;
          }
          // a single-quoted string ends at its quote or, unterminated, at the end of the line
          j += 1;
          while (j < line.length && line[j] !== c) j += line[j] === '\\' ? 2 : 1;
          j += 1;
          code += ' "" ';
          continue;
        }
        if ('([{'.includes(c)) depth += 1;
        else if (')]}'.includes(c)) depth = Math.max(0, depth - 1);
        if (c === '\\' && j === line.length - 1) {
          cont = true;
          j += 1;
          continue;
        }
        code += c;
        j += 1;
      }
      code += '\n';
      i += 1;
      if (i >= lines.length || !(triple || depth > 0 || cont)) break;
    }
    const first = lines[start] ?? '';
    const indent = first.length - first.trimStart().length;
    logical.push({ start, end: i, indent, code });
  }
  return { lines, logical };
}

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/g;
const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case'.split(' '),
);

function identifiers(code: string): Set<string> {
  const out = new Set<string>();
  // attribute names after a dot are not free names
  for (const m of code.matchAll(IDENT)) if (code[m.index - 1] !== '.' && !KEYWORDS.has(m[0])) out.add(m[0]);
  return out;
}

function classify(head: string): Pick<Statement, 'kind' | 'defines'> {
  const s = head.trim();
  let m = /^(?:async\s+)?def\s+([A-Za-z_]\w*)/.exec(s) ?? /^class\s+([A-Za-z_]\w*)/.exec(s);
  if (m) return { kind: 'def', defines: [m[1]!] };
  if ((m = /^import\s+(.+)$/s.exec(s))) {
    const defines = m[1]!.split(',').map((part) => {
      const [mod, alias] = splitOnAs(part.trim());
      return (alias ?? mod!.split('.')[0]!).trim();
    });
    return { kind: 'import', defines };
  }
  if ((m = /^from\s+\S+\s+import\s+(.+)$/s.exec(s))) {
    const defines = m[1]!
      .replace(/[()]/g, '')
      .split(',')
      .map((part) => splitOnAs(part.trim()).pop()!.trim())
      .filter((n) => n && n !== '*');
    return { kind: 'import', defines };
  }
  // NAME = ..., NAME: T = ..., A, B = ...  (not ==, <=, augmented assignment)
  const target = assignTarget(s);
  if (target !== undefined) {
    const names = target.split(',').map((n) => n.trim());
    if (names.every((n) => /^[A-Za-z_]\w*$/.test(n) && !KEYWORDS.has(n))) return { kind: 'assign', defines: names };
  }
  return { kind: 'other', defines: [] };
}

// one character of \s: exactly what trim() removes
const isSpace = (c: string | undefined) => c !== undefined && c.trim() === '';
/** [\w\s,] */
const isWordSpaceComma = (c: string) => {
  const k = c.charCodeAt(0);
  return (k >= 0x30 && k <= 0x39) || (k >= 0x41 && k <= 0x5a) || (k >= 0x61 && k <= 0x7a) || k === 0x5f || k === 0x2c || c.trim() === '';
};

/** `s.split(/\s+as\s+/)` as a scanner (the regex rescans each run of whitespace from every position in it). */
export function splitOnAs(s: string): string[] {
  const out: string[] = [];
  let last = 0;
  let i = 0;
  while (i < s.length) {
    if (!isSpace(s[i])) {
      i++;
      continue;
    }
    let j = i;
    while (isSpace(s[j])) j++;
    if (s.startsWith('as', j) && isSpace(s[j + 2])) {
      let k = j + 2;
      while (isSpace(s[k])) k++;
      out.push(s.slice(last, i));
      last = i = k;
    } else i = j;
  }
  out.push(s.slice(last));
  return out;
}

/**
 * Group 1 of /^([A-Za-z_][\w\s,]*?)\s*(?::[^=]+)?=(?!=)/ (NAME = …, NAME: T = …,
 * A, B = …; not ==), by a scan: that lazy group beside \s* backtracks
 * quadratically. The group is the longest [A-Za-z_][\w\s,]* prefix without its
 * trailing whitespace, and what follows it must be `=` (not `==`) or `:…=`.
 */
export function assignTarget(s: string): string | undefined {
  if (!/[A-Za-z_]/.test(s[0] ?? '')) return undefined;
  let g = 1;
  while (g < s.length && isWordSpaceComma(s[g]!)) g++;
  let eq = g;
  if (s[g] === ':') {
    eq = s.indexOf('=', g + 1);
    if (eq <= g + 1) return undefined;
  }
  if (s[eq] !== '=' || s[eq + 1] === '=') return undefined;
  return s.slice(0, g).trimEnd();
}

function statements(src: string): Statement[] {
  const { lines, logical } = logicalLines(src);
  const out: Statement[] = [];
  let cur: { start: number; end: number; head: string | null; code: string } | null = null;
  let decorators: { start: number; code: string } | null = null;
  const flush = () => {
    if (!cur) return;
    // trimEnd(), not .replace(/\s+$/, ''): the regex is quadratic on inner runs of whitespace
    const text = lines.slice(cur.start, cur.end).join('\n').trimEnd();
    const { kind, defines } = classify(cur.head ?? '');
    out.push({ text, kind, defines, uses: identifiers(cur.code) });
    cur = null;
  };
  for (const l of logical) {
    const blank = l.code.trim() === '';
    if (blank || l.indent > 0) {
      if (cur && !blank) {
        cur.end = l.end;
        cur.code += l.code;
      }
      continue;
    }
    const head = l.code.trim();
    if (cur && CONTINUES.test(head)) {
      cur.end = l.end;
      cur.code += l.code;
      continue;
    }
    flush();
    if (head.startsWith('@')) {
      decorators ??= { start: l.start, code: '' };
      decorators.code += l.code;
      continue;
    }
    cur = { start: decorators?.start ?? l.start, end: l.end, head, code: (decorators?.code ?? '') + l.code };
    decorators = null;
  }
  flush();
  return out;
}

/**
 * Imports, plus definitions (functions, classes, top-level assignments)
 * reachable from `entryPoint`; all definitions when it is not defined.
 */
export function sanitizePython(src: string, entryPoint?: string): string {
  const stmts = statements(src);
  const defs = new Map<string, Statement[]>();
  for (const s of stmts) {
    if (s.kind !== 'def' && s.kind !== 'assign') continue;
    for (const n of s.defines) {
      const list = defs.get(n);
      if (list) list.push(s);
      else defs.set(n, [s]);
    }
  }
  let keep: Set<Statement>;
  if (entryPoint && defs.has(entryPoint)) {
    keep = new Set();
    const todo = [entryPoint];
    const seen = new Set<string>();
    while (todo.length) {
      const name = todo.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      for (const s of defs.get(name) ?? []) {
        keep.add(s);
        for (const u of s.uses) if (defs.has(u)) todo.push(u);
      }
    }
  } else {
    keep = new Set(stmts.filter((s) => s.kind === 'def' || s.kind === 'assign'));
  }
  return stmts
    .filter((s) => s.kind === 'import' || keep.has(s))
    .map((s) => s.text)
    .join('\n')
    .concat('\n');
}
