import Docker from 'dockerode';
import pino from 'pino';
import { ensureImages } from '../../src/sandbox/images/build.js';
import { baseImage, imagesConfigFromEnv } from '../../src/sandbox/images/config.js';
import { imageRef } from '../../src/sandbox/images/recipe.js';
import type { ContainerProfile } from '../../src/sandbox/types.js';

export const SANDBOXES = new URL('../../sandboxes', import.meta.url).pathname;
export const quietLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

let available: Promise<boolean> | undefined;
/** Whether a Docker engine answers. In CI a missing engine is an error, not a skip. */
export function dockerAvailable(): Promise<boolean> {
  available ??= new Docker()
    .ping()
    .then(() => true)
    .catch(() => {
      if (process.env.CI) throw new Error('CI=true but no Docker engine answers: .ci/run should have started one');
      console.warn('[skip] no Docker engine answers: sandbox tests skipped (run scripts/ensure-docker.sh)');
      return false;
    });
  return available;
}

let pythonImage: Promise<string> | undefined;
/** The python sandbox image, built when missing (minutes on a fresh machine). */
export function ensurePythonImage(): Promise<string> {
  pythonImage ??= (async () => {
    const docker = new Docker();
    await ensureImages(docker, SANDBOXES, ['python']);
    return imageRef(SANDBOXES, 'python', baseImage(imagesConfigFromEnv()));
  })();
  return pythonImage;
}

export function profile(image: string, over: Partial<ContainerProfile> = {}): ContainerProfile {
  return {
    image,
    runtime: 'runc',
    memoryBytes: 256 << 20,
    cpus: 1,
    pidsLimit: 64,
    workBytes: 16 << 20,
    tmpBytes: 16 << 20,
    ...over,
  };
}
