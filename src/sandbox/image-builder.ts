import { promises as fs } from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { SandboxError } from './errors.js';
import { ensureBaseImage } from './images/base.js';
import { buildImage } from './images/build.js';
import { baseImage, imagesConfigFromEnv, usesLocalBase, type ImagesConfigInput } from './images/config.js';
import { imageExists } from './images/docker.js';
import { imageRef, listSandboxes } from './images/recipe.js';

// Builds missing sandbox images in the background, in order of need, while the
// service already grades with the images it has: a fresh machine serves its
// first grade after the base and Python images instead of after every image
// (BigCodeBench's alone is ~30 min cold).

export type BuildState = 'present' | 'queued' | 'building' | 'failed';

export interface SandboxBuildStatus {
  name: string;
  ref: string;
  state: BuildState;
  /** seconds spent building so far (building) or in all (present after a build, failed) */
  seconds?: number;
  /** the build's last progress step, e.g. "Step 3/7" */
  step?: string;
  error?: string;
}

export interface ImageBuilderOptions {
  docker: Docker;
  /** the sandboxes/ folder */
  root: string;
  /** sandbox names in the order they are needed; others follow in folder order */
  order: readonly string[];
  log: Logger;
  /** builds at once (default 1: a 2-core machine gains nothing from more, and the first image is ready sooner) */
  concurrency?: number;
  config?: ImagesConfigInput;
  /** a JSON copy of status() is kept here for `verdict images status` */
  statusFile?: string;
}

const STEP = /^Step (\d+\/\d+)/;

export class ImageBuilder {
  private readonly entries = new Map<string, SandboxBuildStatus & { started?: number }>();
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private lastWrite = 0;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly opts: ImageBuilderOptions) {}

  /** Learns which images are missing and starts building them; resolves once the states are known. */
  async start(): Promise<void> {
    const { docker, root } = this.opts;
    const base = baseImage(this.opts.config ?? imagesConfigFromEnv());
    const names = await listSandboxes(root);
    const rank = (n: string) => {
      const i = this.opts.order.indexOf(n);
      return i < 0 ? this.opts.order.length + names.indexOf(n) : i;
    };
    names.sort((a, b) => rank(a) - rank(b));
    for (const name of names) {
      const ref = await imageRef(root, name, base);
      this.entries.set(name, { name, ref, state: (await imageExists(docker, ref)) ? 'present' : 'queued' });
    }
    this.persist(true);
    const todo = names.filter((n) => this.entries.get(n)!.state === 'queued');
    if (todo.length === 0) return;
    this.opts.log.info({ missing: todo }, 'building missing sandbox images in the background; those benchmarks answer infra_error image_building until ready');
    this.running = this.buildAll(todo).catch((e: unknown) => this.opts.log.error({ err: String(e) }, 'background image builds stopped'));
  }

  private async buildAll(todo: string[]): Promise<void> {
    const config = this.opts.config ?? imagesConfigFromEnv();
    // the base first, once, before builds race for it
    if (usesLocalBase(config)) {
      try {
        await ensureBaseImage(this.opts.docker, { config, signal: this.abort.signal, log: (line) => this.opts.log.debug({ line }, 'base image') });
      } catch (e) {
        for (const n of todo) this.fail(n, `base image: ${errText(e)}`);
        return;
      }
    }
    let next = 0;
    const worker = async () => {
      while (next < todo.length && !this.abort.signal.aborted) {
        const name = todo[next++]!;
        const entry = this.entries.get(name)!;
        entry.state = 'building';
        entry.started = Date.now();
        this.persist(true);
        this.opts.log.info({ image: name }, 'image build started');
        try {
          await buildImage(this.opts.docker, this.opts.root, name, {
            config,
            signal: this.abort.signal,
            log: (line) => this.progress(entry, line),
          });
          entry.state = 'present';
          entry.seconds = (Date.now() - entry.started) / 1000;
          delete entry.step;
          this.opts.log.info({ image: name, seconds: entry.seconds }, 'image ready');
        } catch (e) {
          this.fail(name, errText(e));
        }
        this.persist(true);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.opts.concurrency ?? 1) }, worker));
  }

  private progress(entry: SandboxBuildStatus, line: string): void {
    const m = STEP.exec(line);
    if (m) {
      entry.step = `Step ${m[1]}`;
      this.persist(false);
    }
  }

  private fail(name: string, error: string): void {
    const entry = this.entries.get(name)!;
    entry.state = 'failed';
    entry.error = error.slice(0, 2000);
    if (entry.started) entry.seconds = (Date.now() - entry.started) / 1000;
    this.opts.log.error({ image: name, err: entry.error }, 'image build failed');
  }

  /** Every sandbox image and where its build stands. */
  status(): SandboxBuildStatus[] {
    return [...this.entries.values()].map(({ started, ...s }) =>
      s.state === 'building' && started ? { ...s, seconds: Math.round((Date.now() - started) / 100) / 10 } : { ...s },
    );
  }

  /** The state of one sandbox's image; undefined when this builder does not know it. */
  state(name: string): SandboxBuildStatus | undefined {
    return this.status().find((s) => s.name === name);
  }

  /**
   * Wraps an image resolver: a sandbox whose image is still queued or building
   * answers SandboxError image_building (the grade is infra_error, retry later)
   * without a Docker round trip.
   */
  guard(resolve: (name: string) => Promise<string>): (name: string) => Promise<string> {
    return async (name) => {
      const s = this.state(name);
      if (s && (s.state === 'queued' || s.state === 'building')) {
        const how = s.state === 'building' ? `being built${s.step ? ` (${s.step})` : ''}, ${Math.round(s.seconds ?? 0)} s so far` : 'queued for building';
        throw new SandboxError(`sandbox image ${name} is ${how}: retry later (GET /healthz shows progress)`, 'image_building', false);
      }
      return resolve(name);
    };
  }

  /** True while any image is queued or building. */
  get busy(): boolean {
    return this.status().some((s) => s.state === 'queued' || s.state === 'building');
  }

  /** Resolves when every build has ended (tests and the CLI). */
  async idle(): Promise<void> {
    await this.running;
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.running;
    await this.writing;
  }

  private persist(force: boolean): void {
    const file = this.opts.statusFile;
    if (!file) return;
    const now = Date.now();
    if (!force && now - this.lastWrite < 1000) return;
    this.lastWrite = now;
    const body = JSON.stringify({ pid: process.pid, updated: new Date(now).toISOString(), images: this.status() }, null, 1);
    // in order, best effort: the status file is for people, not for grading
    this.writing = this.writing
      .then(() => fs.mkdir(path.dirname(file), { recursive: true }))
      .then(() => fs.writeFile(`${file}.tmp`, body))
      .then(() => fs.rename(`${file}.tmp`, file))
      .catch(() => undefined);
  }
}

/** What a running service last wrote about its builds; undefined when none is running. */
export async function readBuildStatus(file: string): Promise<SandboxBuildStatus[] | undefined> {
  try {
    const { pid, images } = JSON.parse(await fs.readFile(file, 'utf8')) as { pid: number; images: SandboxBuildStatus[] };
    process.kill(pid, 0); // throws when the service that wrote it is gone
    return images;
  } catch {
    return undefined;
  }
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
