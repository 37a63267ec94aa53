import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import Docker from 'dockerode';
import { sha256, readMaybeGzip } from '../benchmarks/files.js';
import { BENCHMARKS } from '../benchmarks/registry.js';
import { loadConfig } from '../config.js';
import { fillVolumes } from '../sandbox/volumes.js';
import { ProblemStore } from '../store/store.js';
import { benchmarkArgument, dataDirOption, type Finish } from './common.js';

interface ImportOptions {
  version?: string;
  ids?: string;
  release?: string;
  startDate?: string;
  endDate?: string;
  dataDir?: string;
}

/** `verdict import <benchmark> <path>`: a benchmark's problems and hidden tests into the store. */
export function registerImport(program: Command, finish: Finish): void {
  program
    .command('import')
    .description("import a benchmark's problems and tests from its published files")
    .addArgument(benchmarkArgument())
    .argument('<path>', 'its file or folder (.jsonl, .jsonl.gz, .json, parquet folder, …)')
    .option('--version <version>', 'version to record (default: from the file name or the data)')
    .option('--ids <file>', 'only these problem ids (JSON array or one per line), e.g. the BigCodeBench-Hard list')
    .option('--release <release>', 'livecodebench: release_v6, v5, v1_v3, …')
    .option('--start-date <date>', 'livecodebench: first contest_date, YYYY-MM-DD')
    .option('--end-date <date>', 'livecodebench: last contest_date, YYYY-MM-DD')
    .addOption(dataDirOption())
    .action(async (name: string, file: string, opts: ImportOptions) => {
      const bench = BENCHMARKS.get(name)!; // a choice of the argument
      const config = loadConfig(process.env, { dataDir: opts.dataDir });
      const { version, problems } = await bench.read(file, {
        ...(opts.version ? { version: opts.version } : {}),
        ...(opts.ids ? { ids: opts.ids } : {}),
        ...(opts.release ? { release: opts.release } : {}),
        ...(opts.startDate ? { startDate: opts.startDate } : {}),
        ...(opts.endDate ? { endDate: opts.endDate } : {}),
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
      finish(0);
    });
}
