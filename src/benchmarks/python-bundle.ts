import fs from 'node:fs';
import path from 'node:path';

// A Python script a benchmark ships is one file in the sandbox, but its source
// is split by concept: an entry file (the script's name, its docstring and its
// main) lists, in order, the modules it is made of, one `# bundle: include
// <path>` line each (path relative to the entry). Bundling replaces each such
// line with the module's text, so the shipped script is a flat concatenation:
// modules import only the standard library and use each other's names as the
// globals of one script (a module that reassigns another's global, as the
// candidate does with the codec's refs, relies on exactly that). What keeps the
// flat script correct is checked here, not hoped for:
//   - a module names the modules whose names it uses (`# bundle: requires a, b`,
//     by file name without .py); each must be included before it, so the order
//     is explicit and acyclic;
//   - no module imports another (`from .x import`, `import harness...`): the
//     names would be copies, not the script's globals;
//   - no two parts of one script define the same top-level name, which a flat
//     script would silently resolve to the last one;
//   - includes do not nest, and a module is included once.
// The output is a pure function of the files (deterministic, so the sandbox's
// compile cache and the grading fingerprint see one text per source state).

const INCLUDE = /^# bundle: include (\S+)[ \t]*$/gm;
const REQUIRES = /^# bundle: requires (.*)$/m;
const PACKAGE_IMPORT = /^[ \t]*(?:from[ \t]+\.|from[ \t]+(?:harness|python_common|python-common)\b|import[ \t]+(?:harness|python_common)\b)/m;
// a top-level def, class or plain assignment (`NAME =`, `NAME: T =`, `A = B =` counts its first name)
const TOP_LEVEL_NAME = /^(?:(?:async[ \t]+)?def[ \t]+(\w+)|class[ \t]+(\w+)|(\w+)[ \t]*(?::[^=\n]*)?=(?!=))/gm;

/** The module paths an entry file includes, in order, relative to the entry's folder. */
export function bundleIncludes(entryText: string): string[] {
  return [...entryText.matchAll(INCLUDE)].map((m) => m[1]!);
}

function topLevelNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(TOP_LEVEL_NAME)) names.add((m[1] ?? m[2] ?? m[3])!);
  return names;
}

function moduleId(rel: string): string {
  return path.basename(rel, '.py');
}

/** The script an entry file ships as: each include line replaced by its module (checked as above). */
export function bundlePython(entryPath: string): string {
  const entryText = fs.readFileSync(entryPath, 'utf8');
  const dir = path.dirname(entryPath);
  const where = path.basename(entryPath);
  const included: string[] = [];
  const definedBy = new Map<string, string>();
  const define = (owner: string, text: string) => {
    for (const name of topLevelNames(text)) {
      const other = definedBy.get(name);
      if (other !== undefined && other !== owner) throw new Error(`bundle ${where}: ${name} is defined in both ${other} and ${owner}`);
      definedBy.set(name, owner);
    }
  };
  define(where, entryText.replace(INCLUDE, ''));
  const out = entryText.replace(INCLUDE, (_line, rel: string) => {
    const id = moduleId(rel);
    if (included.includes(id)) throw new Error(`bundle ${where}: ${rel} is included twice`);
    const text = fs.readFileSync(path.resolve(dir, rel), 'utf8');
    if (bundleIncludes(text).length) throw new Error(`bundle ${where}: ${rel} includes modules itself (includes do not nest)`);
    const imp = PACKAGE_IMPORT.exec(text);
    if (imp) throw new Error(`bundle ${where}: ${rel} imports a bundled module (${imp[0].trim()}); use its names directly`);
    const req = REQUIRES.exec(text);
    for (const need of req ? req[1]!.split(',').map((s) => s.trim()).filter(Boolean) : []) {
      if (!included.includes(need)) throw new Error(`bundle ${where}: ${rel} requires ${need}, which is not included before it`);
    }
    define(rel, text);
    included.push(id);
    return `# ---- bundled: ${rel} ----\n${text.replace(/\n+$/, '')}\n# ---- end of ${rel} ----`;
  });
  return out;
}

const cache = new Map<string, string>();
/** bundlePython, once per entry per process. */
export function bundledPython(entryPath: string): string {
  let text = cache.get(entryPath);
  if (text === undefined) {
    text = bundlePython(entryPath);
    cache.set(entryPath, text);
  }
  return text;
}
