// What a Polyglot solution may not do in C++, Go, Java and Rust: end the test
// process itself (exit, halt, exec), reach outside memory safety (Go's unsafe and
// so go:linkname), reflect into the test framework, or rewrite the tests'
// macros. Without these, a test command that exits 0 has run every test and seen
// them pass: the runner itself decides the exit status, and printed lines no
// longer matter (aider's harness trusts the bare exit status; docs/hostile.md
// lists what each rule stops and what it does not).
//
// The check reads the answer's source files with a small lexer (comments,
// strings and characters skipped; linear in the input). No reference solution or
// stub of the real benchmark trips it (checked on all 450; docs/polyglot.md).

export interface Token {
  kind: 'id' | 'str' | 'punct' | 'nl';
  text: string;
  /** where it starts (in the source after C++ splices / Java escapes) */
  at: number;
}

type Lang = 'cpp' | 'go' | 'java' | 'rust';

const isIdStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c > 127;
const isIdPart = (c: number): boolean => isIdStart(c) || (c >= 48 && c <= 57);

/** Java translates \uXXXX escapes before anything else, even in comments. */
export function javaUnicodeEscapes(src: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < src.length; i++) {
    if (src[i] !== '\\') continue;
    let slashes = 1;
    while (i + slashes < src.length && src[i + slashes] === '\\') slashes++;
    // an even run is escaped backslashes; only the last of an odd run may start an escape
    const at = i + slashes - 1;
    i = at;
    if (slashes % 2 === 0 || src[at + 1] !== 'u') continue;
    let j = at + 1;
    while (src[j] === 'u') j++;
    const hex = src.slice(j, j + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) continue;
    out += src.slice(last, at) + String.fromCharCode(parseInt(hex, 16));
    last = j + 4;
    i = j + 3;
  }
  return out + src.slice(last);
}

/** Tokens of C-family source; each character is looked at a bounded number of times. */
export function lex(src: string, lang: Lang): Token[] {
  if (lang === 'cpp') src = src.replace(/\\\r?\n/g, ''); // line splices come first in C++
  if (lang === 'java') src = javaUnicodeEscapes(src);
  const out: Token[] = [];
  const n = src.length;
  let i = 0;
  const skipQuoted = (q: string): string => {
    // from just after the opening quote to just after the closing one
    const start = i;
    while (i < n && src[i] !== q && src[i] !== '\n') i += src[i] === '\\' ? 2 : 1;
    const s = src.slice(start, Math.min(i, n));
    i++;
    return s;
  };
  while (i < n) {
    const c = src.charCodeAt(i);
    const ch = src[i]!;
    if (ch === '\n') {
      out.push({ kind: 'nl', text: '\n', at: i });
      i++;
    } else if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f' || ch === '\v') {
      i++;
    } else if (ch === '/' && src[i + 1] === '/') {
      while (i < n && src[i] !== '\n') i++;
    } else if (ch === '/' && src[i + 1] === '*') {
      // Rust block comments nest
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (src[i] === '*' && src[i + 1] === '/') {
          depth--;
          i += 2;
        } else if (lang === 'rust' && src[i] === '/' && src[i + 1] === '*') {
          depth++;
          i += 2;
        } else i++;
      }
    } else if (lang === 'go' && ch === '`') {
      const end = src.indexOf('`', i + 1);
      const stop = end < 0 ? n : end;
      out.push({ kind: 'str', text: src.slice(i + 1, stop), at: i });
      i = stop + 1;
    } else if (lang === 'java' && src.startsWith('"""', i)) {
      const end = src.indexOf('"""', i + 3);
      const stop = end < 0 ? n : end;
      out.push({ kind: 'str', text: src.slice(i + 3, stop), at: i });
      i = stop + 3;
    } else if (lang === 'rust' && (ch === 'r' || ch === 'b') && /^(b?r)(#*)"/.test(src.slice(i, i + 260))) {
      const m = /^(b?r)(#*)"/.exec(src.slice(i, i + 260))!;
      const close = '"' + m[2]!;
      const end = src.indexOf(close, i + m[0].length);
      const stop = end < 0 ? n : end;
      out.push({ kind: 'str', text: src.slice(i + m[0].length, stop), at: i });
      i = stop + close.length;
    } else if (lang === 'cpp' && /^(u8|u|U|L)?R"/.test(src.slice(i, i + 4))) {
      const q = src.indexOf('"', i);
      const open = src.indexOf('(', q);
      const delim = open < 0 ? '' : src.slice(q + 1, open);
      const close = ')' + delim + '"';
      const end = open < 0 || delim.length > 16 ? -1 : src.indexOf(close, open + 1);
      const stop = end < 0 ? n : end;
      out.push({ kind: 'str', text: src.slice(open + 1, stop), at: i });
      i = stop + close.length;
    } else if (ch === '"') {
      const at = i++;
      out.push({ kind: 'str', text: skipQuoted('"'), at });
    } else if (ch === "'") {
      // Rust lifetimes and labels ('a, 'static) are not characters
      if (lang === 'rust' && isIdStart(src.charCodeAt(i + 1)) && src[i + 2] !== "'") {
        i++;
        while (i < n && isIdPart(src.charCodeAt(i))) i++;
      } else {
        const at = i++;
        out.push({ kind: 'str', text: skipQuoted("'"), at });
      }
    } else if (isIdStart(c)) {
      const start = i;
      while (i < n && isIdPart(src.charCodeAt(i))) i++;
      out.push({ kind: 'id', text: src.slice(start, i), at: start });
    } else if (c >= 48 && c <= 57) {
      while (i < n && (isIdPart(src.charCodeAt(i)) || src[i] === '.' || src[i] === "'")) i++;
    } else {
      const two = src.slice(i, i + 2);
      if (two === '::' || two === '##' || two === '%:' || two === '??' || two === '->') {
        out.push({ kind: 'punct', text: two, at: i });
        i += 2;
      } else {
        out.push({ kind: 'punct', text: ch, at: i });
        i++;
      }
    }
  }
  return out;
}

const ids = (toks: Token[]): Token[] => toks.filter((t) => t.kind !== 'nl');

// ---------------------------------------------------------------- Go

const GO_DENIED_IMPORTS = [
  'unsafe', // go:linkname needs it: the witness secret read by name
  'syscall', 'os', 'embed', 'plugin', 'C', 'io/ioutil', 'runtime/debug', 'runtime/cgo', 'log/syslog',
];
const goDeniedImport = (p: string): boolean =>
  GO_DENIED_IMPORTS.includes(p) || p.startsWith('os/') || p.startsWith('internal/') || p.includes('/internal/') || p.startsWith('debug/') || p.startsWith('syscall/');

function goImports(toks: Token[]): string[] {
  const t = ids(toks);
  const out: string[] = [];
  for (let i = 0; i < t.length; i++) {
    if (t[i]!.kind !== 'id' || t[i]!.text !== 'import') continue;
    if (t[i + 1]?.text === '(') {
      for (i += 2; i < t.length && t[i]!.text !== ')'; i++) if (t[i]!.kind === 'str') out.push(t[i]!.text);
    } else {
      // import "p" | import name "p"
      const s = t[i + 1]?.kind === 'str' ? t[i + 1] : t[i + 2];
      if (s?.kind === 'str') out.push(s.text);
    }
  }
  return out;
}

function checkGo(files: Record<string, string>): string | undefined {
  for (const [name, src] of Object.entries(files)) {
    if (!name.endsWith('.go')) continue;
    // directives are comments to the lexer: go:linkname needs unsafe, go:embed needs embed; cgo is off
    const bad = goImports(lex(src, 'go')).find(goDeniedImport);
    if (bad !== undefined) return `${name} imports "${bad}"`;
  }
  return undefined;
}

/**
 * Go's tests share their package with the solution, so a solution could assign
 * the tests' package variables (empty the test table before any test runs).
 * Renamed with a per-run suffix, no solution can name them. Returns undefined
 * when a name is used in a way this simple rename might get wrong (then the
 * test files stay as they are).
 */
export function hideGoTestVars(tests: Record<string, string>, suffix: string): Record<string, string> | undefined {
  const toks = Object.fromEntries(Object.entries(tests).map(([p, src]) => [p, lex(src, 'go')]));
  const names = new Set<string>();
  for (const t of Object.values(toks)) {
    let depth = 0;
    for (let i = 0; i < t.length; i++) {
      const x = t[i]!;
      if (x.text === '{' || x.text === '(') depth++;
      else if (x.text === '}' || x.text === ')') depth--;
      if (depth !== 0 || x.kind !== 'id' || x.text !== 'var') continue;
      if (t[i + 1]?.text === '(') {
        // var ( a = …; b, c T ) — names start a line
        let d = 0;
        for (let j = i + 1; j < t.length; j++) {
          const y = t[j]!;
          if (y.text === '(' || y.text === '{' || y.text === '[') d++;
          else if (y.text === ')' || y.text === '}' || y.text === ']') d--;
          if (d === 0) break;
          if (d === 1 && y.kind === 'id' && (t[j - 1]!.text === '(' || t[j - 1]!.kind === 'nl' || t[j - 1]!.text === ',')) names.add(y.text);
        }
      } else {
        for (let j = i + 1; t[j]?.kind === 'id'; j += 2) {
          names.add(t[j]!.text);
          if (t[j + 1]?.text !== ',') break;
        }
      }
    }
  }
  names.delete('_');
  if (!names.size) return tests;
  for (const t of Object.values(toks)) {
    for (let i = 0; i < t.length; i++) {
      const x = t[i]!;
      if (x.kind !== 'id' || !names.has(x.text)) continue;
      // a field (x.name, {name: …}) or a local of the same name: not ours to rename
      if (t[i - 1]?.text === '.' || t[i + 1]?.text === ':' || (t[i - 1]?.text === ',' && t[i - 2]?.kind === 'id' && t[i + 1]?.text === ':')) return undefined;
    }
  }
  const out: Record<string, string> = {};
  for (const [p, src] of Object.entries(tests)) {
    let s = '';
    let last = 0;
    for (const x of toks[p]!) {
      if (x.kind !== 'id' || !names.has(x.text)) continue;
      s += src.slice(last, x.at) + x.text + suffix;
      last = x.at + x.text.length;
    }
    out[p] = s + src.slice(last);
  }
  return out;
}

// ---------------------------------------------------------------- Rust

// std::process (exit, Command), std::os (exec), core::arch (asm), intrinsics
const RUST_DENIED_MODULES = new Set(['process', 'os', 'arch', 'intrinsics']);
const RUST_DENIED_MACROS = new Set(['asm', 'global_asm', 'naked_asm', 'include', 'include_str', 'include_bytes']);
const RUST_DENIED_ATTRS = new Set(['no_mangle', 'export_name', 'link_section', 'link', 'link_name', 'used', 'naked', 'path', 'global_allocator']);

function checkRust(files: Record<string, string>): string | undefined {
  const std = (x: string | undefined): boolean => x === 'std' || x === 'core' || x === 'alloc';
  for (const [name, src] of Object.entries(files)) {
    if (!name.endsWith('.rs')) continue;
    const t = ids(lex(src, 'rust'));
    let useRoot: string | undefined; // first segment of the use statement we are in
    let attrDepth = 0; // inside #[...]
    for (let i = 0; i < t.length; i++) {
      const tok = t[i]!;
      if (tok.kind === 'punct') {
        if (tok.text === ';') useRoot = undefined;
        if (tok.text === '[' && (attrDepth > 0 || t[i - 1]?.text === '#' || (t[i - 1]?.text === '!' && t[i - 2]?.text === '#'))) attrDepth++;
        else if (tok.text === ']' && attrDepth > 0) attrDepth--;
        continue;
      }
      if (tok.kind !== 'id') continue;
      const w = tok.text;
      const prev = t[i - 1];
      const next = t[i + 1];
      if (w === 'use') {
        useRoot = next?.text === '::' ? t[i + 2]?.text : next?.text;
        continue;
      }
      if (RUST_DENIED_MACROS.has(w) && next?.text === '!') return `${name} uses ${w}!`;
      if (attrDepth > 0 && RUST_DENIED_ATTRS.has(w)) return `${name} uses #[${w}]`;
      if (w === 'extern' && next?.text !== 'crate') return `${name} uses extern (foreign functions)`;
      if (RUST_DENIED_MODULES.has(w) && ((prev?.text === '::' && std(t[i - 2]?.text)) || std(useRoot))) return `${name} uses ${useRoot ?? t[i - 2]!.text}::${w}`;
      // a macro's metavariable as a path segment could spell any of the above
      // ($name lexes as one identifier here)
      if (w.startsWith('$') && w !== '$crate' && (prev?.text === '::' || next?.text === '::')) return `${name} builds a path from a macro argument`;
      // std, core and alloc under another name
      if (next?.text === 'as' && (std(w) || (w === 'self' && std(useRoot)))) return `${name} renames ${useRoot ?? w}`;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------- Java

const JAVA_DENIED_NAMES = new Set([
  'Runtime', 'ProcessBuilder', 'ProcessHandle', 'getRuntime', 'halt', 'native', 'addShutdownHook',
  'getMethod', 'getMethods', 'getDeclaredMethod', 'getDeclaredMethods', 'getField', 'getFields', 'getDeclaredField', 'getDeclaredFields',
  'getConstructor', 'getConstructors', 'getDeclaredConstructor', 'getDeclaredConstructors', 'setAccessible', 'trySetAccessible',
  'forName', 'MethodHandles', 'MethodHandle', 'VarHandle', 'Unsafe', 'ServiceLoader', 'setSecurityManager', 'loadLibrary',
  'TestAbortedException', 'Assumptions', 'Instrumentation',
]);
// qualified names the solution may not mention (imports or inline)
const JAVA_DENIED_PREFIXES = [
  'java.lang.reflect.', 'java.lang.invoke.', 'java.lang.instrument.', 'java.lang.management.', 'java.lang.System.', 'java.lang.Runtime',
  'java.lang.Process', 'java.beans.', 'java.rmi.', 'javax.', 'jdk.', 'sun.', 'com.sun.', 'org.junit.', 'org.opentest4j.', 'org.assertj.', 'org.apiguardian.',
];
const JAVA_ALLOWED = new Set(['java.lang.reflect.Array']); // Array.newInstance: generic arrays (simple-linked-list)

function checkJava(files: Record<string, string>): string | undefined {
  for (const [name, src] of Object.entries(files)) {
    if (!name.endsWith('.java')) continue;
    const t = ids(lex(src, 'java'));
    for (let i = 0; i < t.length; i++) {
      const tok = t[i]!;
      if (tok.kind !== 'id') continue;
      if (JAVA_DENIED_NAMES.has(tok.text) || tok.text.includes('ClassLoader')) return `${name} uses ${tok.text}`;
      if (tok.text === 'System' && t[i + 1]?.text === '.' && ['exit', 'load', 'setSecurityManager'].includes(t[i + 2]?.text ?? '')) {
        return `${name} uses System.${t[i + 2]!.text}`;
      }
      // a dotted name starting here (not after a dot)
      if (t[i - 1]?.text === '.') continue;
      let q = tok.text;
      let j = i;
      while (t[j + 1]?.text === '.' && (t[j + 2]?.kind === 'id' || t[j + 2]?.text === '*') && q.length < 300) {
        q += '.' + t[j + 2]!.text;
        j += 2;
      }
      const allowed = [...JAVA_ALLOWED].some((a) => q === a || q.startsWith(a + '.'));
      if (q.includes('.') && !allowed && JAVA_DENIED_PREFIXES.some((p) => (q + '.').startsWith(p))) return `${name} uses ${q}`;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------- C++

const CPP_DENIED_NAMES = new Set([
  'exit', '_exit', '_Exit', 'quick_exit', 'at_quick_exit', 'atexit', 'syscall', 'system', 'popen', 'fork', 'vfork', 'clone',
  'execl', 'execlp', 'execle', 'execv', 'execvp', 'execvpe', 'execve', 'fexecve', 'execveat', 'posix_spawn', 'posix_spawnp',
  'dlopen', 'dlsym', 'dlvsym', 'asm', '__asm', '__asm__', 'ptrace', 'prctl', 'longjmp', 'siglongjmp', '_longjmp',
  'Catch', 'main', '__libc_start_main', '__cxa_atexit', '__cxa_finalize',
]);
const CPP_KEYWORDS = new Set(
  ('alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t char16_t char32_t class compl concept const consteval ' +
    'constexpr constinit const_cast continue co_await co_return co_yield decltype default delete do double dynamic_cast else enum explicit ' +
    'export extern false float for friend goto if inline int long mutable namespace new noexcept not not_eq nullptr operator or or_eq private ' +
    'protected public register reinterpret_cast requires return short signed sizeof static static_assert static_cast struct switch template ' +
    'this thread_local throw true try typedef typeid typename union unsigned using virtual void volatile wchar_t while xor xor_eq').split(' '),
);
const CATCH_MACRO = /^(REQUIRE|CHECK|TEST_CASE|SECTION|SCENARIO|GIVEN|WHEN|THEN|AND_|INFO|UNSCOPED_INFO|WARN|FAIL|SUCCEED|CAPTURE|STATIC_REQUIRE|CATCH|INTERNAL_CATCH|METHOD_AS_TEST_CASE|REGISTER_TEST_CASE|TEMPLATE_)/;

function checkCpp(files: Record<string, string>, testIds: Set<string>): string | undefined {
  for (const [name, src] of Object.entries(files)) {
    const t = ids(lex(src, 'cpp'));
    for (let i = 0; i < t.length; i++) {
      const tok = t[i]!;
      if (tok.kind === 'punct') {
        // token pasting and universal character names could spell any denied name
        if (tok.text === '##' || tok.text === '%:' || tok.text === '??' || tok.text === '\\') return `${name} uses ${tok.text}`;
        if (tok.text === '#') {
          const d = t[i + 1]?.text;
          if (d === 'undef') return `${name} uses #undef`;
          if (d === 'define') {
            const m = t[i + 2]?.text ?? '';
            if (CPP_KEYWORDS.has(m) || CATCH_MACRO.test(m) || testIds.has(m)) return `${name} redefines ${m}, which the tests use`;
          }
          if (d === 'include') {
            const inc = t[i + 2]?.kind === 'str' ? t[i + 2]!.text : '';
            if (inc.startsWith('/') || inc.includes('..') || /catch|test/i.test(inc)) return `${name} includes "${inc}"`;
          }
        }
        continue;
      }
      if (tok.kind !== 'id') continue;
      if (CPP_DENIED_NAMES.has(tok.text)) return `${name} uses ${tok.text}`;
      if (tok.text === 'extern' && t[i + 1]?.kind === 'str') return `${name} uses extern "${t[i + 1]!.text}"`;
    }
  }
  return undefined;
}

/** Identifiers the trusted test files use (C++: a #define of one would rewrite the tests). */
function cppTestIds(tests: string[]): Set<string> {
  const out = new Set<string>();
  for (const src of tests) for (const t of lex(src, 'cpp')) if (t.kind === 'id') out.add(t.text);
  for (const d of ['define', 'include', 'ifndef', 'ifdef', 'endif', 'pragma', 'once', 'if', 'else', 'elif', 'defined']) out.delete(d);
  return out;
}

/**
 * Why the answer may not run (undefined: it may). `answer` = the files the
 * answer writes; `tests` = the trusted test files' contents.
 */
export function forbiddenUse(language: string, answer: Record<string, string>, tests: string[]): string | undefined {
  switch (language) {
    case 'go':
      return checkGo(answer);
    case 'rust':
      return checkRust(answer);
    case 'java':
      return checkJava(answer);
    case 'cpp':
      return checkCpp(answer, cppTestIds(tests));
    default:
      return undefined;
  }
}
