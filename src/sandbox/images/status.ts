// Image status: which sandbox images (and the base) the engine has, and the command that builds the missing ones.
import type Docker from 'dockerode';
import { baseImage, resolveConfig, usesLocalBase, type ImagesConfigInput } from './config.js';
import { imageExists } from './docker.js';
import { imageRef, listSandboxes } from './recipe.js';

export interface SandboxImageStatus {
  name: string;
  ref: string;
  present: boolean;
}

export interface ImageStatus {
  base: { ref: string; local: boolean; present: boolean };
  sandboxes: SandboxImageStatus[];
  /** Names of sandboxes whose image is missing. */
  missing: string[];
  /** What a user runs to build the missing images; undefined when none are. */
  buildCommand: string | undefined;
}

/** Which sandbox images exist, and the command that builds the missing ones. */
export async function imageStatus(
  docker: Docker,
  root: string,
  opts: { config?: ImagesConfigInput } = {},
): Promise<ImageStatus> {
  const config = resolveConfig(opts.config);
  const base = baseImage(config);
  const sandboxes: SandboxImageStatus[] = [];
  for (const name of await listSandboxes(root)) {
    const ref = await imageRef(root, name, base);
    sandboxes.push({ name, ref, present: await imageExists(docker, ref) });
  }
  const missing = sandboxes.filter((s) => !s.present).map((s) => s.name);
  return {
    base: { ref: base, local: usesLocalBase(config), present: await imageExists(docker, base) },
    sandboxes,
    missing,
    buildCommand: missing.length > 0 ? `npm run verdict -- images build ${missing.join(' ')}` : undefined,
  };
}
