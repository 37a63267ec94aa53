import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { humaneval } from '../src/benchmarks/humaneval/benchmark.js';
import { BENCHMARKS } from '../src/benchmarks/registry.js';
import type { GradeService, Resolved } from '../src/grading/grader.js';
import { computeFingerprint, FINGERPRINTED_BENCHMARKS, gradingSources, type SourceTree } from '../src/grading/fingerprint.js';
import { Admission } from '../src/rl/admission.js';
import { RewardService } from '../src/rl/reward-service.js';
import { SharedGrades } from '../src/grading/shared-grades.js';
import type { Verdict } from '../src/schemas.js';
import { ResultCache } from '../src/store/result-cache.js';

// Issue 14.9: the result cache is keyed on what grading depends on, computed
// from the files, so an edited runner or judge core never serves an old verdict.

const SRC = path.resolve(import.meta.dirname, '..', 'src');

function copyTree(): SourceTree {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-fp-'));
  fs.cpSync(SRC, path.join(root, 'src'), { recursive: true });
  return { codeDir: path.join(root, 'src'), sourceDir: path.join(root, 'src') };
}

function append(tree: SourceTree, rel: string, text: string): void {
  fs.appendFileSync(path.join(tree.codeDir, rel), text);
}

describe('grading fingerprint', () => {
  it('covers every registered benchmark, with its runner and the harness', () => {
    for (const name of BENCHMARKS.keys()) expect(FINGERPRINTED_BENCHMARKS).toContain(name);
    const rel = (b: string) => gradingSources(b).map((f) => path.relative(SRC, f));
    expect(rel('livecodebench')).toEqual(expect.arrayContaining(['benchmarks/livecodebench/lcb_runner.py', 'benchmarks/livecodebench/benchmark.ts', 'grading/grader.ts', 'judge/compare.ts']));
    expect(rel('usaco')).toContain('benchmarks/usaco/usaco_runner.py');
    expect(rel('bigcodebench')).toContain('benchmarks/bigcodebench/bigcodebench_runner.py');
    expect(rel('humaneval')).toEqual(expect.arrayContaining(['benchmarks/python-harness/verdict_harness.py', 'extract/extractors.ts']));
    // the modules the harness is bundled from, and the bundler
    expect(rel('humaneval')).toEqual(expect.arrayContaining(['benchmarks/python-harness/harness/codec.py', 'benchmarks/python-harness/harness/mode_evalplus.py', 'benchmarks/python-bundle.ts']));
    expect(rel('polyglot')).not.toContain('benchmarks/python-harness/harness/codec.py');
    // one benchmark's sources are not another's (the fingerprint module names them all through the registry)
    expect(rel('humaneval').filter((f) => f.startsWith('benchmarks/polyglot/') || f.startsWith('benchmarks/codeforces/'))).toEqual([]);
    expect(rel('codeforces')).not.toContain('benchmarks/humaneval/benchmark.ts');
    // the runners' shared modules, with each runner that bundles them
    expect(rel('livecodebench')).toEqual(expect.arrayContaining(['benchmarks/python-common/audit.py', 'benchmarks/python-common/upstream_guard.py']));
    expect(rel('bigcodebench')).toContain('benchmarks/python-common/prctl.py');
    expect(rel('humaneval')).not.toContain('benchmarks/livecodebench/lcb_runner.py');
    expect(rel('codeforces')).toEqual(expect.arrayContaining(['judge/judge.ts', 'judge/outcome.ts']));
  });

  it('changes when a runner, the harness or the judge core changes, and only for the benchmarks that use it', () => {
    const tree = copyTree();
    const names = ['humaneval', 'livecodebench', 'usaco', 'codeforces', 'bigcodebench', 'mbpp'];
    const before = Object.fromEntries(names.map((n) => [n, computeFingerprint(n, tree)]));
    // the same files give the same fingerprint
    expect(computeFingerprint('livecodebench', tree)).toBe(before.livecodebench);

    append(tree, 'benchmarks/livecodebench/lcb_runner.py', '\n# changed\n');
    const afterLcb = Object.fromEntries(names.map((n) => [n, computeFingerprint(n, tree)]));
    expect(afterLcb.livecodebench).not.toBe(before.livecodebench);
    for (const n of ['humaneval', 'usaco', 'codeforces', 'bigcodebench', 'mbpp']) expect(afterLcb[n]).toBe(before[n]);

    append(tree, 'benchmarks/usaco/usaco_runner.py', '\n# changed\n');
    expect(computeFingerprint('usaco', tree)).not.toBe(before.usaco);

    append(tree, 'judge/compare.ts', '\n// changed\n');
    expect(computeFingerprint('codeforces', tree)).not.toBe(before.codeforces);
    expect(computeFingerprint('livecodebench', tree)).not.toBe(afterLcb.livecodebench);

    const he = computeFingerprint('humaneval', tree);
    append(tree, 'benchmarks/python-harness/verdict_harness.py', '\n# changed\n');
    expect(computeFingerprint('humaneval', tree)).not.toBe(he);

    // a module bundled into the harness: the benchmarks that ship the harness, not the others
    const shipped = Object.fromEntries([...names, 'polyglot'].map((n) => [n, computeFingerprint(n, tree)]));
    append(tree, 'benchmarks/python-harness/harness/oracles.py', '\n# changed\n');
    for (const n of ['humaneval', 'mbpp']) expect(computeFingerprint(n, tree)).not.toBe(shipped[n]);
    for (const n of ['codeforces', 'polyglot']) expect(computeFingerprint(n, tree)).toBe(shipped[n]);

    // a module the runners share (python-common/): the benchmarks whose scripts bundle it
    const common = Object.fromEntries([...names, 'polyglot'].map((n) => [n, computeFingerprint(n, tree)]));
    append(tree, 'benchmarks/python-common/audit.py', '\n# changed\n');
    for (const n of ['livecodebench', 'usaco', 'bigcodebench']) expect(computeFingerprint(n, tree)).not.toBe(common[n]);
    for (const n of ['humaneval', 'mbpp', 'codeforces', 'polyglot']) expect(computeFingerprint(n, tree)).toBe(common[n]);
    const guarded = computeFingerprint('humaneval', tree);
    append(tree, 'benchmarks/python-common/upstream_guard.py', '\n# changed\n');
    expect(computeFingerprint('humaneval', tree)).not.toBe(guarded);
    fs.rmSync(path.dirname(tree.codeDir), { recursive: true, force: true });
  });

  it('is part of the result cache key: the same grade is not served from the cache across a change', async () => {
    const db = new Database(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-fpc-')), 'c.sqlite'));
    let graded = 0;
    const problem = { id: 'P/0', prompt: 'def f():\n', public: { entry_point: 'f' }, hidden: { test: '', canonical_solution: '', entry_point: 'f' } };
    const resolved: Resolved = { bench: humaneval, version: 'v1', problem, options: humaneval.options.parse({}) };
    const grader: GradeService = {
      resolve: () => resolved,
      grade: async (): Promise<Verdict> => {
        graded += 1;
        return {
          status: 'pass', reward: 1, reason: null, retryable: false, benchmark: 'humaneval', benchmark_version: 'v1', grader_version: '1',
          problem_id: 'P/0', tests: [], extracted_code: '', attempts: 1, timings: { queue_ms: 0, sandbox_ms: 1, total_ms: 1 },
        };
      },
    };
    let fp = 'aaaa';
    const reward = new RewardService({
      grader,
      admission: new Admission(2, 10),
      shared: new SharedGrades({ cache: new ResultCache(db, 100), imagesKey: async () => 'images', runtime: 'runc', fingerprint: () => fp }),
      log: pino({ level: 'silent' }),
    });
    const req = { benchmark: 'humaneval', problem_id: 'P/0', completion: '    return 1\n' };
    expect((await reward.grade(req)).cached).toBeUndefined();
    expect((await reward.grade(req)).cached).toBe(true);
    expect(graded).toBe(1);
    fp = 'bbbb'; // e.g. lcb_runner.py or the judge core changed
    expect((await reward.grade(req)).cached).toBeUndefined();
    expect(graded).toBe(2);
  });
});
