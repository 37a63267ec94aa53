#!/usr/bin/env node
import { promises as fs } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import { createApp } from './app.js';
import { BENCHMARKS } from './benchmarks/registry.js';
import { loadConfig } from './config.js';
import { openapiYaml } from './openapi.js';
import { ensureImages, imageStatus } from './sandbox/images.js';
import { readBuildStatus } from './sandbox/image-builder.js';
import { BENCHMARK_IMAGES, benchmarkReadiness } from './benchmarks/images.js';
import { imageBuildsFile } from './app.js';
import { fillVolumes } from './sandbox/volumes.js';
import { sha256, readMaybeGzip } from './benchmarks/files.js';
import { ProblemStore } from './store/store.js';
import { VERSION } from './version.js';
import { EVAL_COMMANDS, EVAL_USAGE, evalCommand } from './eval/cli.js';
import { selftestCommand } from './selftest-cli.js';
import { createWorker } from './queue/worker-app.js';

const USAGE = `verdict ${VERSION}: sandboxed grading of code completions

  verdict serve [--host H] [--port P] [--data-dir D] [--runtime runc|runsc] [--queue redis://H:6379] [--build-images]
  verdict worker --queue redis://H:6379 [--docker-hosts ENDPOINT[=CAPACITY],…] [--name N] [--concurrency N]
  verdict import <benchmark> <path> [--version V] [--ids FILE] [--data-dir D]
                 livecodebench: [--release release_v6|v1_v3|…] [--start-date YYYY-MM-DD] [--end-date YYYY-MM-DD]
  verdict selftest <benchmark> [--version V] [--ids a,b|FILE] [--limit N] [--concurrency N] [--out FILE]
  verdict images build [names...] [--force] [--verbose]
  verdict images status [--data-dir D]
  verdict openapi            print the OpenAPI document (YAML)
${EVAL_USAGE}

Settings also come from VERDICT_* environment variables (see README).`;

async function main(argv: string[]): Promise<number> {
  // regrade / compare / report / metrics parse their own flags
  if (argv[0] && EVAL_COMMANDS.has(argv[0])) return evalCommand(argv);
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      runtime: { type: 'string' },
      version: { type: 'string' },
      force: { type: 'boolean' },
      ids: { type: 'string' },
      release: { type: 'string' },
      'start-date': { type: 'string' },
      'end-date': { type: 'string' },
      limit: { type: 'string' },
      concurrency: { type: 'string' },
      out: { type: 'string' },
      queue: { type: 'string' },
      'docker-hosts': { type: 'string' },
      name: { type: 'string' },
      'build-images': { type: 'boolean' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [cmd, ...rest] = positionals;
  if (values.help || !cmd) {
    console.log(USAGE);
    return cmd ? 0 : 1;
  }
  const config = loadConfig(process.env, {
    host: values.host,
    port: values.port,
    dataDir: values['data-dir'] && path.resolve(values['data-dir']),
    runtime: values.runtime,
    queueUrl: values.queue,
    dockerHosts: values['docker-hosts'],
    workerName: values.name,
    buildImages: values['build-images'],
    ...(cmd === 'worker' ? { concurrency: values.concurrency } : {}),
  });

  switch (cmd) {
    case 'serve': {
      const app = await createApp(config);
      // A stray rejection must cost a log line, never the service and the grades in flight.
      process.on('unhandledRejection', (err) => app.log.error({ err }, 'unhandled rejection'));
      await app.server.listen({ host: config.host, port: config.port });
      const stop = async () => {
        app.log.info('shutting down');
        await app.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
      return -1; // keep running
    }
    case 'worker': {
      const w = await createWorker(config);
      process.on('unhandledRejection', (err) => w.log.error({ err }, 'unhandled rejection'));
      const stop = async () => {
        // finish the jobs in hand; a second signal does not wait
        w.log.info('worker stopping: finishing the jobs in hand');
        process.once('SIGINT', () => process.exit(1));
        process.once('SIGTERM', () => process.exit(1));
        await w.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
      return -1;
    }
    case 'import': {
      const [name, file] = rest;
      const bench = name ? BENCHMARKS.get(name) : undefined;
      if (!bench || !file) {
        console.error(`usage: verdict import <${[...BENCHMARKS.keys()].join('|')}> <path> [--version V]`);
        return 2;
      }
      const { version, problems } = await bench.read(file, {
        ...(values.version ? { version: values.version } : {}),
        ...(values.ids ? { ids: values.ids } : {}),
        ...(values.release ? { release: values.release } : {}),
        ...(values['start-date'] ? { startDate: values['start-date'] } : {}),
        ...(values['end-date'] ? { endDate: values['end-date'] } : {}),
      });
      const store = new ProblemStore(config.dataDir);
      // a directory benchmark (polyglot) is digested through what was read
      // per problem: a whole LiveCodeBench release is longer than V8's longest string
      const digest = (await fs.stat(file)).isDirectory() ? problems.reduce((h, p) => h.update(JSON.stringify(p)), createHash('sha256')).digest('hex') : sha256(await readMaybeGzip(file));
      const v = store.importVersion({ name: bench.name, version, source: path.resolve(file), sha256: digest }, problems);
      store.close();
      console.log(`imported ${v.count} problems into ${bench.name} ${v.version} (${config.dataDir})`);
      const fills = bench.volumes?.(problems) ?? [];
      // caches built from the benchmark's trusted files (e.g. Polyglot C++'s Catch2 main): without them grades are slower, not different
      if (fills.length) await fillVolumes(new Docker(), config.sandboxesDir, fills, (line) => console.error(line)).catch((e: Error) => console.warn(`warning: no warm cache (grades stay right, only slower): ${e.message}`));
      return 0;
    }
    case 'selftest': {
      const bench = rest[0] ? BENCHMARKS.get(rest[0]) : undefined;
      if (!bench) {
        console.error(`usage: verdict selftest <${[...BENCHMARKS.keys()].join('|')}> [--version V] [--ids a,b|FILE] [--limit N] [--concurrency N] [--out FILE]`);
        return 2;
      }
      return selftestCommand(config, bench, values);
    }
    case 'images': {
      const docker = new Docker();
      const [sub, ...names] = rest;
      if (sub === 'build') {
        // progress, not a wall of apt output: build steps only, unless --verbose
        const show = values.verbose ? () => true : (line: string) => /^(Step \d+\/\d+|building |importing |debootstrap)/.test(line);
        const built = await ensureImages(docker, config.sandboxesDir, names.length ? names : undefined, {
          force: values.force === true,
          log: (line) => {
            if (show(line)) process.stderr.write(line.endsWith('\n') ? line : line + '\n');
          },
        });
        for (const b of built) console.log(`${b.name}\t${b.ref}\t${b.built ? `built in ${b.seconds.toFixed(1)} s` : 'present'}`);
        return 0;
      }
      if (sub === 'status') {
        const st = await imageStatus(docker, config.sandboxesDir);
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
        return st.missing.length ? 1 : 0;
      }
      console.error('usage: verdict images build [names...] [--force] | verdict images status');
      return 2;
    }
    case 'openapi':
      process.stdout.write(openapiYaml(VERSION));
      return 0;
    default:
      console.error(`unknown command '${cmd}'\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (e: unknown) => {
    console.error(`verdict: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
