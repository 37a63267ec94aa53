import Docker from 'dockerode';
import { Executor, type RunOptions } from '../../src/grading/executor.js';
import type { JudgeReport, JudgeTask, JudgeTaskInput } from '../../src/judge/types.js';
import { SandboxEngine, type Sessions } from '../../src/sandbox/engine.js';
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

/** The judge image for every sandbox name. */
export const judgeImageRef = (): Promise<string> => ensureJudgeImage();

/** The judge core on an engine, in the judge image (an executor per engine, as the grader has one). */
const executors = new WeakMap<Sessions, Executor>();
export function runJudge(engine: Sessions, task: JudgeTask | JudgeTaskInput, opts: RunOptions = {}): Promise<JudgeReport> {
  let ex = executors.get(engine);
  if (!ex) executors.set(engine, (ex = new Executor({ engine, imageRef: judgeImageRef })));
  return ex.judge(task, opts);
}
