// Sandbox recipes: the image folders under the sandboxes root, their content hash and image tags.
//
// Layout (the `root` argument everywhere below is the sandboxes directory):
//
//   <root>/agent/            not an image: the in-container agent; every
//                            image copies agent/verdict_agent.py to
//                            /opt/verdict/agent.py
//   <root>/<name>/Dockerfile one image per folder, `ARG BASE` + `FROM ${BASE}`
//
// Image tags are content addressed: `verdict/<name>:<12 hex>` where the hex is
// a sha256 over the files of `<name>/`, `agent/` and the base reference, so a
// change to a recipe or the agent yields a new tag and old tags simply stop
// being used.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { baseImage, imagesConfigFromEnv } from './config.js';
import { isDir, isFile } from './fs.js';

/** The folder under the sandboxes root that holds the agent, not an image. */
export const AGENT_DIR = 'agent';
/** Bump when the way images are built changes in a way the files don't show. */
const RECIPE_VERSION = 'verdict-images-v1';
/** A Docker repository path component, as the engine accepts it. */
const SANDBOX_NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/** Editor and interpreter droppings that are never part of a recipe. */
export function isJunk(baseName: string): boolean {
  return (
    baseName === '__pycache__' ||
    baseName === '.DS_Store' ||
    baseName.endsWith('.pyc') ||
    baseName.endsWith('.swp') ||
    baseName.endsWith('~')
  );
}

/** The repository's `sandboxes/` directory (works from src/ and dist/). */
export function defaultSandboxesRoot(): string {
  return fileURLToPath(new URL('../../../sandboxes', import.meta.url));
}

/** Names of the image folders under `root` (those with a Dockerfile), sorted. */
export async function listSandboxes(root: string): Promise<string[]> {
  const entries = await fs.readdir(root, { withFileTypes: true });
  const names: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || e.name === AGENT_DIR || e.name.startsWith('.')) continue;
    if (await isFile(path.join(root, e.name, 'Dockerfile'))) names.push(e.name);
  }
  return names.sort();
}

function checkName(name: string): void {
  if (name === AGENT_DIR) throw new Error(`"${AGENT_DIR}" holds the agent and is not an image`);
  if (!SANDBOX_NAME.test(name)) {
    throw new Error(
      `invalid sandbox name "${name}": use lowercase letters and digits, separated by single "." or "_" or by "-"`,
    );
  }
}

/** Throws unless `name` is a valid image folder under `root` and the agent folder exists. */
export async function checkSandbox(root: string, name: string): Promise<void> {
  checkName(name);
  if (!(await isFile(path.join(root, name, 'Dockerfile')))) {
    throw new Error(`no sandbox "${name}": ${path.join(root, name, 'Dockerfile')} does not exist`);
  }
  if (!(await isDir(path.join(root, AGENT_DIR)))) {
    throw new Error(`agent folder missing: ${path.join(root, AGENT_DIR)}`);
  }
}

interface TreeFile {
  rel: string; // posix path relative to root
  kind: 'file' | 'symlink';
  executable: boolean;
  abs: string;
}

/** All files under root/dir, sorted by relative path, junk excluded. */
async function walk(root: string, dir: string): Promise<TreeFile[]> {
  const out: TreeFile[] = [];
  async function rec(relDir: string): Promise<void> {
    const entries = await fs.readdir(path.join(root, relDir), { withFileTypes: true });
    for (const e of entries) {
      if (isJunk(e.name)) continue;
      const rel = `${relDir}/${e.name}`;
      const abs = path.join(root, rel);
      if (e.isDirectory()) await rec(rel);
      else if (e.isSymbolicLink()) out.push({ rel, kind: 'symlink', executable: false, abs });
      else if (e.isFile()) {
        const st = await fs.stat(abs);
        out.push({ rel, kind: 'file', executable: (st.mode & 0o111) !== 0, abs });
      }
    }
  }
  await rec(dir);
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

/** Hex sha256 over the recipe (`<name>/`), the agent and the base reference. */
export async function recipeHash(root: string, name: string, base: string): Promise<string> {
  await checkSandbox(root, name);
  const h = createHash('sha256');
  const field = (s: string | Buffer): void => {
    const b = typeof s === 'string' ? Buffer.from(s) : s;
    h.update(`${b.length}:`);
    h.update(b);
  };
  field(RECIPE_VERSION);
  field(`base=${base}`);
  const files = [...(await walk(root, AGENT_DIR)), ...(await walk(root, name))];
  for (const f of files) {
    field(`${f.kind}${f.executable ? '+x' : ''} ${f.rel}`);
    field(f.kind === 'symlink' ? await fs.readlink(f.abs) : await fs.readFile(f.abs));
  }
  return h.digest('hex');
}

/** Deterministic tag `verdict/<name>:<12 hex>` for sandbox `name` on `base`. */
export async function imageRef(root: string, name: string, base: string): Promise<string> {
  return `verdict/${name}:${(await recipeHash(root, name, base)).slice(0, 12)}`;
}

/** `imageRef` per sandbox name, computed once per process (recipes do not change under a running service). */
export function imageResolver(root: string, base: string = baseImage(imagesConfigFromEnv())): (name: string) => Promise<string> {
  const refs = new Map<string, Promise<string>>();
  return (name) => {
    let r = refs.get(name);
    if (!r) {
      r = imageRef(root, name, base);
      refs.set(name, r);
    }
    return r;
  };
}
