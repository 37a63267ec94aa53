import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { sha256 } from '../files.js';
import { LANGUAGES, type Language } from './languages.js';
import type { ProblemRecord } from '../../domain.js';

// Reads the Aider-AI/polyglot-benchmark tree: <lang>/exercises/practice/<slug>/.
// An exercise becomes one problem "<lang>/<slug>". What the sandbox gets is
// the exercise minus .meta/ (reference solutions) and .docs/, and minus the
// Gradle wrapper (the Java image runs its own offline runner).

const ConfigSchema = z.object({
  files: z.object({
    solution: z.array(z.string().min(1)).min(1),
    test: z.array(z.string().min(1)).min(1),
    example: z.array(z.string().min(1)).min(1),
    editor: z.array(z.string().min(1)).optional(),
  }),
});

export const PolyglotHiddenSchema = z.object({
  language: z.enum(LANGUAGES),
  slug: z.string(),
  /** the pristine exercise as the sandbox gets it, stubs included */
  files: z.record(z.string(), z.string()),
  solution: z.array(z.string()),
  test: z.array(z.string()),
  /** the reference solution laid over the solution paths (positive control) */
  reference: z.record(z.string(), z.string()),
});
export type PolyglotHidden = z.infer<typeof PolyglotHiddenSchema>;

// benchmark/prompts.py instructions_addendum
const ADDENDUM = `
####

Use the above instructions to modify the supplied files: {file_list}
Don't change the names of existing functions or classes, as they may be referenced from other code like unit tests, etc.
Only use standard libraries, don't suggest installing any packages.
`;

const SKIPPED_DIRS = new Set(['.meta', '.docs', 'gradle', 'node_modules', 'build', 'target']);
const BUILD_FILES = new Set(['Cargo.toml', 'CMakeLists.txt', 'build.gradle', 'package.json', 'go.mod']);
const SKIPPED_FILES = new Set(['gradlew', 'gradlew.bat']);

export async function readPolyglot(root: string): Promise<{ problems: ProblemRecord[]; digest: string }> {
  const problems: ProblemRecord[] = [];
  for (const language of LANGUAGES) {
    const practice = path.join(root, language, 'exercises', 'practice');
    let slugs: string[];
    try {
      slugs = (await fs.readdir(practice, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch {
      continue;
    }
    for (const slug of slugs.sort()) problems.push(await readExercise(path.join(practice, slug), language, slug));
  }
  if (!problems.length) {
    throw new Error(`${root}: no <lang>/exercises/practice/<slug>/ exercises (languages: ${LANGUAGES.join(', ')})`);
  }
  const digest = sha256(JSON.stringify(problems.map((p) => [p.id, p.prompt, p.hidden])));
  return { problems, digest };
}

async function readExercise(dir: string, language: Language, slug: string): Promise<ProblemRecord> {
  const where = `${language}/${slug}`;
  const cfgPath = path.join(dir, '.meta', 'config.json');
  let cfgRaw: unknown;
  try {
    cfgRaw = JSON.parse(await fs.readFile(cfgPath, 'utf8'));
  } catch (e) {
    throw new Error(`${where}: .meta/config.json: ${(e as Error).message}`);
  }
  const parsed = ConfigSchema.safeParse(cfgRaw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${where}: .meta/config.json field ${issue?.path.join('.')}: ${issue?.message}`);
  }
  const cfg = parsed.data.files;
  const files: Record<string, string> = {};
  for (const rel of await walk(dir, '')) files[rel] = await readText(dir, rel, where);
  for (const p of [...cfg.solution, ...cfg.test]) {
    if (!(p in files)) throw new Error(`${where}: files lists ${p}, which the exercise lacks`);
  }
  const reference: Record<string, string> = {};
  for (const ex of cfg.example) {
    reference[referenceTarget(ex, cfg.solution, language)] = await readText(dir, ex, where);
  }
  const docs = async (name: string) => fs.readFile(path.join(dir, '.docs', name), 'utf8').catch(() => '');
  const instructions = await docs('instructions.md');
  if (!instructions) throw new Error(`${where}: .docs/instructions.md is missing`);
  // aider never lets the model edit build manifests (its ignore list)
  const solution = cfg.solution.filter((p) => !BUILD_FILES.has(path.posix.basename(p)));
  const fileList = solution.map((p) => path.posix.basename(p)).join(' ');
  const prompt =
    (await docs('introduction.md')) + instructions + (await docs('instructions.append.md')) + ADDENDUM.replace('{file_list}', fileList);
  const hidden: PolyglotHidden = { language, slug, files, solution, test: cfg.test, reference };
  return {
    id: where,
    prompt,
    public: {
      language,
      slug,
      solution_files: solution,
      starter: Object.fromEntries(solution.map((p) => [p, files[p]!])),
    },
    hidden,
  };
}

/**
 * Where a reference file goes: the solution file of the same name, else the
 * only solution file with its extension; a Java helper class with no stub
 * goes beside the sources.
 */
function referenceTarget(example: string, solution: string[], language: Language): string {
  const base = path.posix.basename(example);
  const same = solution.find((s) => path.posix.basename(s) === base);
  if (same) return same;
  const ext = path.posix.extname(base);
  if (language === 'java') return `src/main/java/${base}`;
  const byExt = solution.filter((s) => path.posix.extname(s) === ext);
  if (byExt.length === 1) return byExt[0]!;
  return base;
}

async function walk(root: string, rel: string): Promise<string[]> {
  const out: string[] = [];
  for (const d of await fs.readdir(path.join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${d.name}` : d.name;
    if (d.isDirectory()) {
      if (!SKIPPED_DIRS.has(d.name)) out.push(...(await walk(root, r)));
    } else if (d.isFile() && !SKIPPED_FILES.has(d.name)) {
      out.push(r);
    }
  }
  return out.sort();
}

async function readText(dir: string, rel: string, where: string): Promise<string> {
  const buf = await fs.readFile(path.join(dir, rel)).catch((e: Error) => {
    throw new Error(`${where}: ${rel}: ${e.message}`);
  });
  const text = buf.toString('utf8');
  if (buf.includes(0) || Buffer.from(text, 'utf8').length !== buf.length) throw new Error(`${where}: ${rel} is not UTF-8 text`);
  return text;
}
