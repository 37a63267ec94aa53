// Bench (issue 16 item 1): HumanEval+ and MBPP+ through verdict beside the
// official EvalPlus evaluator (`evalplus.evaluate.evaluate`, unsandboxed, its
// default parallelism cpu_count // 2, and 2 workers), on the same programs,
// in one run. Per dataset: every problem's canonical solution and a wrong
// variant (its first `return` returns None). The official evaluator first
// computes its ground truth (expected outputs and time limits) and caches it;
// that warm-up is not timed, as verdict's import-time calibration is not.
// verdict: `verdict import` into a fresh data dir, then `verdict regrade`
// (embedded service, default concurrency) of the same lines, timed.
//
// EvalPlus is not part of this repository. Pass a checkout of
// github.com/evalplus/evalplus outside the project (`fetch`, then
// `git --git-dir=<mirror> archive HEAD | tar -x -C DIR`) and a Python that
// can import it: here Debian's python3 with python3-numpy, -termcolor, -tqdm,
// -appdirs, -multipledispatch, -fire, -rich, -psutil, -wget, plus a folder
// of stand-ins for what only its downloads and code generation import
// (tempdir, datasets, tree_sitter, tree_sitter_python), given as --path.
//
//   npx tsx bench/evalplus-official.ts --official /tmp/evalplus --path /tmp/evalplus-stubs [--python /usr/bin/python3] [--datasets humaneval,mbpp]
// Writes bench/results/evalplus-official-<stamp>.json.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readMaybeGzip } from '../src/benchmarks/files.js';
import { loadavg, runPythonJson, writeResult } from './lib.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const SHARED = path.resolve(ROOT, '..', 'shared', 'benchmarks');
const { values } = parseArgs({
  options: {
    official: { type: 'string' },
    path: { type: 'string', default: '' },
    python: { type: 'string', default: '/usr/bin/python3' },
    datasets: { type: 'string', default: 'humaneval,mbpp' },
  },
});
if (!values.official || !fs.existsSync(path.join(values.official, 'evalplus', 'evaluate.py'))) {
  throw new Error('--official DIR: a checkout of github.com/evalplus/evalplus (DIR/evalplus/evaluate.py)');
}
if (!fs.existsSync(SHARED)) {
  console.log(`skipped: ${SHARED} is absent (real benchmark files)`);
  process.exit(0);
}

interface Dataset {
  file: string;
  /** verdict's benchmark name */
  benchmark: string;
  /** the env var EvalPlus reads the dataset path from */
  override: string;
  /** verdict's completion and EvalPlus's whole solution for one program */
  program(row: Record<string, unknown>, code: string): { completion: string; solution: string };
}
const DATASETS: Record<string, Dataset> = {
  humaneval: {
    file: 'humaneval/HumanEvalPlus.jsonl.gz',
    benchmark: 'humaneval-plus',
    override: 'HUMANEVAL_OVERRIDE_PATH',
    program: (r, body) => ({ completion: body, solution: String(r.prompt) + body }),
  },
  mbpp: {
    file: 'mbpp/MbppPlus.jsonl.gz',
    benchmark: 'mbpp-plus',
    override: 'MBPP_OVERRIDE_PATH',
    program: (_r, code) => ({ completion: code, solution: code }),
  },
};

// evaluate() with the samples file; prints wall seconds and pass counts (base and base+plus)
const DRIVER = String.raw`
import json, os, sys, time, tempfile
from evalplus.evaluate import evaluate
dataset, samples, parallel = sys.argv[1], sys.argv[2], int(sys.argv[3])
out = tempfile.mktemp(suffix=".json")
t0 = time.perf_counter()
evaluate(dataset, samples=samples, parallel=parallel or None, i_just_wanna_run=True, output_file=out)
wall = time.perf_counter() - t0
res = json.load(open(out))["eval"]
os.unlink(out)
rows = [r for rs in res.values() for r in rs]
print(json.dumps({"wall_s": round(wall, 3), "n": len(rows),
                  "base_pass": sum(r["base_status"] == "pass" for r in rows),
                  "plus_pass": sum(r["base_status"] == "pass" and r["plus_status"] == "pass" for r in rows)}))
`;

interface OfficialRun { wall_s: number; n: number; base_pass: number; plus_pass: number }

function cli(args: string[]): void {
  execFileSync('npx', ['tsx', 'src/cli.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, VERDICT_INSTANCE: 'bench-evalplus' } });
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-evalplus-'));
const env = { ...process.env, PYTHONPATH: [values.official, ...values.path!.split(':').filter(Boolean)].join(':') };
const report: Record<string, unknown> = { date: new Date().toISOString(), cpus: os.cpus().length, official: 'github.com/evalplus/evalplus evaluate() (unsandboxed)', datasets: {} };
for (const name of values.datasets!.split(',')) {
  const ds = DATASETS[name];
  if (!ds) throw new Error(`unknown dataset ${name}: ${Object.keys(DATASETS).join(', ')}`);
  const file = path.join(SHARED, ds.file);
  const rows = (await readMaybeGzip(file)).toString('utf8').split('\n').filter((l) => l.trim())
    // only the fields read here; Python's Infinity/NaN in inputs would not parse
    .map((l) => JSON.parse(l.replace(/(?<=[[,\s])-?(?:Infinity|NaN)(?=[\],\s])/g, 'null')) as Record<string, unknown>);
  const samples: string[] = [];
  const lines: string[] = [];
  for (const r of rows) {
    const code = String(r.canonical_solution);
    for (const body of [code, code.replace(/\breturn\b(?!\s*$)/m, 'return None #')]) {
      const p = ds.program(r, body);
      samples.push(JSON.stringify({ task_id: r.task_id, solution: p.solution }));
      lines.push(JSON.stringify({ problem_id: r.task_id, completion: p.completion }));
    }
  }
  const samplesFile = path.join(work, `${name}-samples.jsonl`);
  fs.writeFileSync(samplesFile, samples.join('\n') + '\n');
  const linesFile = path.join(work, `${name}-lines.jsonl`);
  fs.writeFileSync(linesFile, lines.join('\n') + '\n');
  const dsEnv = { ...env, [ds.override]: file };

  // the official ground truth, computed once and cached by EvalPlus (not timed)
  const tw = performance.now();
  await runPythonJson<OfficialRun>(values.python!, DRIVER, [name, samplesFile, '2'], work, dsEnv);
  const warmS = (performance.now() - tw) / 1000;

  const load0 = loadavg();
  const dataDir = path.join(work, `data-${name}`);
  cli(['import', ds.benchmark, file, '--data-dir', dataDir]);
  const out = path.join(work, `${name}.results.jsonl`);
  const t0 = performance.now();
  cli(['regrade', linesFile, '--benchmark', ds.benchmark, '--format', 'verdict', '--data-dir', dataDir, '--out', out, '--quiet']);
  const verdictS = (performance.now() - t0) / 1000;
  const verdicts = fs.readFileSync(out, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { status: string });
  const officialDefault = await runPythonJson<OfficialRun>(values.python!, DRIVER, [name, samplesFile, '0'], work, dsEnv);
  const official2 = await runPythonJson<OfficialRun>(values.python!, DRIVER, [name, samplesFile, '2'], work, dsEnv);
  const r = (x: number) => +x.toFixed(2);
  const entry = {
    lines: lines.length,
    loadavg: [load0, loadavg()],
    official_warmup_s: r(warmS),
    verdict: { wall_s: r(verdictS), pass: verdicts.filter((v) => v.status === 'pass').length, infra_error: verdicts.filter((v) => v.status === 'infra_error').length },
    official_default_parallel: { workers: Math.max(1, Math.floor(os.cpus().length / 2)), ...officialDefault },
    official_2_workers: official2,
    ratio_vs_default: r(officialDefault.wall_s / verdictS),
    ratio_vs_2_workers: r(official2.wall_s / verdictS),
  };
  (report.datasets as Record<string, unknown>)[name] = entry;
  console.log(name, JSON.stringify(entry));
}
console.log(`written ${writeResult('evalplus-official', report as { date: string })}`);
