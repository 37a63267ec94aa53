import Docker from 'dockerode';
import { SandboxEngine } from '../../src/sandbox/engine.js';
import { ensureImages } from '../../src/sandbox/images/build.js';
import { baseImage, imagesConfigFromEnv } from '../../src/sandbox/images/config.js';
import { imageRef } from '../../src/sandbox/images/recipe.js';
import { quietLog, SANDBOXES } from './docker.js';

let judgeImage: Promise<string> | undefined;
/** The judge sandbox image (python3, g++, JDK 17), built when missing. */
export function ensureJudgeImage(): Promise<string> {
  judgeImage ??= (async () => {
    await ensureImages(new Docker(), SANDBOXES, ['judge']);
    return imageRef(SANDBOXES, 'judge', baseImage(imagesConfigFromEnv()));
  })();
  return judgeImage;
}

export function judgeEngine(instance: string): SandboxEngine {
  return new SandboxEngine({ log: quietLog, instance, concurrency: 2, warm: 1, maxUses: 500 });
}

/** For runJudge's imageRef option. */
export const judgeImageRef = (): Promise<string> => ensureJudgeImage();
