import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { INLINE } from '../benchmarks/inline/benchmark.js';
import { BENCHMARK_MODULES as REGISTERED_MODULES } from '../benchmarks/registry.js';
import { bundleIncludes } from '../benchmarks/python-bundle.js';

// What a benchmark's verdicts depend on, as a digest of the files themselves:
// the benchmark's module and every module it imports (transitively; type-only
// imports are erased and do not count), the grader core and its imports, and
// every Python file those modules name (harness, runners) with the modules
// each bundles in (`# bundle: include`, python-bundle.ts). Computed at
// start-up, so editing lcb_runner.py or the judge core changes the result
// cache's key and the verdicts' provenance without anyone bumping a
// graderVersion. Sandbox images are keyed separately (content-addressed tags).

/** Each benchmark's module, relative to src/ (or dist/) without extension: the registry's, and inline's. */
const BENCHMARK_MODULES: Record<string, string> = Object.fromEntries(
  [...Object.entries(REGISTERED_MODULES), [INLINE, 'inline/benchmark']].map(([name, mod]) => [name, `benchmarks/${mod}`]),
);
const SELF = path.join('grading', 'fingerprint');
/** The grading path every benchmark shares. */
const CORE = ['grading/grader'];
/** For a benchmark without an entry above: every module that can affect a verdict. */
const ALL_DIRS = ['benchmarks', 'judge', 'extract', 'grading'];

export interface SourceTree {
  /** the folder holding benchmarks/, judge/, grading/ … (src/ under tsx, dist/ when compiled) */
  codeDir: string;
  /** the src/ folder: a module's Python files (harness, runners) stand beside its TypeScript there */
  sourceDir: string;
}

function defaultTree(): SourceTree {
  const codeDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  // compiled code runs from dist/, the Python files stay in src/
  return { codeDir, sourceDir: path.resolve(codeDir, '..', 'src') };
}

/** A module file for an import specifier: `./x.js` is x.ts under tsx, x.js when compiled. */
function resolveModule(fromDir: string, spec: string): string | undefined {
  const base = path.resolve(fromDir, spec.replace(/\.(js|ts)$/, ''));
  for (const ext of ['.ts', '.js']) if (fs.existsSync(base + ext)) return base + ext;
  return undefined;
}

const IMPORT = /(?:^|[;\n])\s*(?:import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"](\.{1,2}\/[^'"]+)['"]|(?:^|[;\n])\s*import\s*['"](\.{1,2}\/[^'"]+)['"]/g;
const PY_NAME = /['"]([A-Za-z0-9_.-]+\.py)['"]/g;

/** Is every name in `{ type A, type B }` type-only (so the import is erased)? */
function typeOnly(clause: string): boolean {
  const m = /^\{([^}]*)\}$/s.exec(clause.trim());
  if (!m) return false;
  const names = m[1]!.split(',').map((n) => n.trim()).filter(Boolean);
  return names.length > 0 && names.every((n) => n.startsWith('type '));
}

/** The files reachable from the given modules (absolute paths), sorted. */
export function sourceClosure(entries: string[], tree: SourceTree = defaultTree()): string[] {
  const seen = new Set<string>();
  const todo = [...entries];
  while (todo.length) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = fs.readFileSync(file, 'utf8');
    if (file.endsWith('.py')) {
      // a shipped script is its entry file and the modules bundled into it
      for (const rel of bundleIncludes(text)) todo.push(path.resolve(path.dirname(file), rel));
      continue;
    }
    // this module names every benchmark's module (through the registry): a
    // grade depends on it, not on all of those
    if (path.relative(tree.codeDir, file).replace(/\.(ts|js)$/, '') === SELF) continue;
    for (const m of text.matchAll(IMPORT)) {
      if (m[1] || (m[2] !== undefined && typeOnly(m[2]))) continue;
      const dep = resolveModule(path.dirname(file), (m[3] ?? m[4])!);
      if (dep) todo.push(dep);
    }
    for (const m of text.matchAll(PY_NAME)) {
      const py = path.join(tree.sourceDir, path.relative(tree.codeDir, path.dirname(file)), m[1]!);
      if (fs.existsSync(py)) todo.push(py);
    }
  }
  return [...seen].sort();
}

function listDir(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return listDir(p);
    return /\.(ts|js|py)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The files a benchmark's verdicts depend on. */
export function gradingSources(benchmark: string, tree: SourceTree = defaultTree()): string[] {
  const entry = BENCHMARK_MODULES[benchmark];
  if (!entry) {
    return [...new Set([...ALL_DIRS.flatMap((d) => listDir(path.join(tree.codeDir, d))), ...listDir(path.join(tree.sourceDir, 'benchmarks')).filter((f) => f.endsWith('.py'))])].sort();
  }
  const mods = [...CORE, entry].map((m) => resolveModule(tree.codeDir, './' + m));
  if (mods.some((m) => !m)) throw new Error(`grading fingerprint: module of ${benchmark} not found under ${tree.codeDir}`);
  return sourceClosure(mods as string[], tree);
}

/** Digest of a benchmark's grading sources (path relative to the tree, and content). */
export function computeFingerprint(benchmark: string, tree: SourceTree = defaultTree()): string {
  const h = crypto.createHash('sha256');
  const root = path.dirname(tree.codeDir);
  for (const f of gradingSources(benchmark, tree)) {
    h.update(path.relative(root, f)).update('\0').update(fs.readFileSync(f)).update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

const memo = new Map<string, string>();
/** computeFingerprint of the running code, once per benchmark per process. */
export function gradingFingerprint(benchmark: string): string {
  let f = memo.get(benchmark);
  if (f === undefined) {
    f = computeFingerprint(benchmark);
    memo.set(benchmark, f);
  }
  return f;
}

export const FINGERPRINTED_BENCHMARKS = Object.keys(BENCHMARK_MODULES);
