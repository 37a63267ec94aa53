import type { Command } from 'commander';
import Docker from 'dockerode';
import { imageBuildsFile } from '../app.js';
import { benchmarkReadiness } from '../benchmarks/images.js';
import { BENCHMARK_IMAGES } from '../benchmarks/registry.js';
import { loadConfig } from '../config.js';
import { readBuildStatus } from '../sandbox/image-builder.js';
import { ensureImages } from '../sandbox/images/build.js';
import { imageStatus } from '../sandbox/images/status.js';
import { dataDirOption, type Finish } from './common.js';

/** `verdict images build|status`: the sandbox images of this Docker engine. */
export function registerImages(program: Command, finish: Finish): void {
  const images = program.command('images').description('build the sandbox images (images build), or say which are missing (images status)');

  images
    .command('build')
    .description('build the sandbox images (all, or the ones named) from sandboxes/ (or VERDICT_SANDBOXES_DIR)')
    .argument('[names...]', 'images to build, e.g. python (default all)')
    .option('--force', 'rebuild images that are present')
    .option('--verbose', 'show all build output, not just the steps')
    .action(async (names: string[], opts: { force?: boolean; verbose?: boolean }) => {
      const config = loadConfig(process.env);
      // progress, not a wall of apt output: build steps only, unless --verbose
      const show = opts.verbose ? () => true : (line: string) => /^(Step \d+\/\d+|building |importing |debootstrap)/.test(line);
      const built = await ensureImages(new Docker(), config.sandboxesDir, names.length ? names : undefined, {
        force: opts.force === true,
        log: (line) => {
          if (show(line)) process.stderr.write(line.endsWith('\n') ? line : line + '\n');
        },
      });
      for (const b of built) console.log(`${b.name}\t${b.ref}\t${b.built ? `built in ${b.seconds.toFixed(1)} s` : 'present'}`);
      finish(0);
    });

  images
    .command('status')
    .description('which images are present, building or missing, and which benchmarks are ready; exits 1 when one is missing')
    .addOption(dataDirOption())
    .action(async (opts: { dataDir?: string }) => {
      const config = loadConfig(process.env, { dataDir: opts.dataDir });
      const st = await imageStatus(new Docker(), config.sandboxesDir);
      // a serving process building images in the background says how far it is
      const builds = new Map((await readBuildStatus(imageBuildsFile(config.dataDir)))?.map((b) => [b.name, b]) ?? []);
      const state = (name: string): string => {
        const s = st.sandboxes.find((x) => x.name === name);
        if (s?.present) return 'present';
        const b = builds.get(name);
        return b && b.state !== 'present' ? b.state : 'missing';
      };
      console.log('images:');
      for (const s of st.sandboxes) {
        const b = builds.get(s.name);
        const how = state(s.name);
        const extra = how === 'building' ? ` ${b?.step ?? ''} ${Math.round(b?.seconds ?? 0)} s` : how === 'failed' ? ` ${b?.error?.split('\n')[0] ?? ''}` : '';
        console.log(`  ${s.name.padEnd(16)} ${how}${extra}\t${s.ref}`);
      }
      console.log('benchmarks:');
      const ready = benchmarkReadiness((n) => (state(n) === 'queued' ? 'building' : state(n)));
      for (const [b, r] of Object.entries(ready)) console.log(`  ${b.padEnd(18)} ${r}\t(${(BENCHMARK_IMAGES[b] ?? []).join(', ')})`);
      if (st.buildCommand && builds.size === 0) console.log(`build the missing ones with: ${st.buildCommand}`);
      finish(st.missing.length ? 1 : 0);
    });
}
