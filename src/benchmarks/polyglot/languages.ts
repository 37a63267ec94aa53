import { goWitnessFiles, WITNESS_NOISE, witnessLine } from './go-witness.js';
import type { VolumeMount } from '../../sandbox/types.js';
import type { PlanProfile } from '../types.js';

// Per-language facts of Aider Polyglot: the sandbox image that runs the
// official test command (/opt/polyglot/run-tests, see sandboxes/polyglot-*),
// container sizes for its toolchain, how test files are prepared, and how to
// read the runner's summary.

export const LANGUAGES = ['cpp', 'go', 'java', 'javascript', 'python', 'rust'] as const;
export type Language = (typeof LANGUAGES)[number];

export interface LanguageSpec {
  image: string;
  /** container limits: compilers need far more than the python profile */
  profile: Omit<PlanProfile, 'image'>;
  /** applied to files.test contents before every run (the official harness does the same) */
  prepareTest?: (content: string) => string;
  /** the runner printed its own "all passed" summary (guards against a bare exit(0)) */
  summaryPassed: (out: string) => boolean;
  /** output looks like a build failure rather than failing tests */
  compileFailed: (out: string) => boolean;
  /**
   * Trusted files that make a real test run print `line(secret)` (exercise files,
   * test file paths, a per-run secret → files to lay over the exercise; undefined
   * when the exercise cannot take them). Required for a pass when given.
   */
  witness?: {
    files: (exercise: Record<string, string>, testFiles: string[], secret: string) => Record<string, string> | undefined;
    line: (secret: string) => string;
    /** output of ours to keep out of the detail */
    noise?: RegExp;
  };
  /**
   * The command runs under the trusted wrapper (polyglot/run.py) and a pass
   * needs its report (polyglot/report.ts): the language whose report it reads.
   */
  wrapped?: 'python' | 'javascript';
  /** dependencies no offline source provides: exercise → what is missing */
  unavailable?: Record<string, string>;
}

const MB = 1 << 20;

/** Catch2's main, compiled at import from the benchmark's files (see polyglot/cpp-cache.ts) */
export const CPP_CACHE: VolumeMount = { name: 'verdict-polyglot-cpp-ccache', target: '/opt/polyglot/ccache' };

const profile = (memoryMb: number, workMb: number, tmpMb: number, pidsLimit = 1024): Omit<PlanProfile, 'image'> => ({
  memoryBytes: memoryMb * MB,
  cpus: 2,
  pidsLimit,
  workBytes: workMb * MB,
  tmpBytes: tmpMb * MB,
});

export const LANGUAGE_SPECS: Record<Language, LanguageSpec> = {
  python: {
    image: 'polyglot-python',
    wrapped: 'python',
    profile: { ...profile(1024, 128, 64, 256), cpus: 1 },
    summaryPassed: (out) => pytestSummaryPassed(lines(out)),
    compileFailed: (out) => /ERROR collecting|SyntaxError|ImportError/.test(out),
  },
  go: {
    image: 'polyglot-go',
    profile: profile(2048, 256, 768),
    // `go test ./...` prints "ok <pkg>" per passing package (also "[no tests to run]")
    summaryPassed: (out) => {
      const ls = lines(out);
      return ls.some((l) => l.startsWith('ok ') || l.startsWith('ok\t')) && !ls.some((l) => l.startsWith('FAIL') || l.startsWith('--- FAIL'));
    },
    compileFailed: (out) => /\[(build|setup) failed\]/.test(out),
    // os.Exit(0) in init() ends the test binary with "ok" before any test
    witness: { files: goWitnessFiles, line: witnessLine, noise: WITNESS_NOISE },
  },
  rust: {
    image: 'polyglot-rust',
    profile: profile(3072, 1024, 256),
    summaryPassed: (out) => {
      const ls = lines(out);
      return ls.some((l) => l.startsWith('test result: ok.')) && !ls.some((l) => l.startsWith('test result: FAILED'));
    },
    compileFailed: (out) => /could not compile|^error\[E\d+\]/m.test(out),
  },
  javascript: {
    image: 'polyglot-js',
    wrapped: 'javascript',
    profile: profile(2048, 256, 512),
    // aider's npm-test.sh: sed 's/\bxtest(/test(/g' *.spec.js (the image's runner does it too)
    prepareTest: (content) => content.replace(/\bxtest\(/g, 'test('),
    summaryPassed: (out) => {
      const l = findLast(lines(out), (x) => x.startsWith('Tests:'));
      return l !== undefined && !l.includes('failed') && / passed, \d+ total/.test(l);
    },
    compileFailed: (out) => /Test suite failed to run/.test(out),
  },
  java: {
    image: 'polyglot-java',
    profile: profile(2048, 256, 256),
    // aider: re.sub(r"@Disabled\([^)]*\)\s*\n", "", test) — a bare @Disabled stays
    prepareTest: (content) => content.replace(/@Disabled\([^)]*\)\s*\n/g, ''),
    // the launcher's last summary; an aborted test (TestAbortedException, a failed assumption) is no pass here
    summaryPassed: (out) => {
      const n = junitCounts(lines(out));
      return (n.successful ?? 0) > 0 && n.failed === 0 && (n.aborted ?? 0) === 0;
    },
    compileFailed: (out) => /\.java:\d+: error:/.test(out),
    unavailable: { hangman: 'io.reactivex.rxjava2:rxjava:2.2.12 (RxJava), which neither Debian nor npm provides' },
  },
  cpp: {
    image: 'polyglot-cpp',
    // Catch2's main from the read-only compiler cache (polyglot/cpp-cache.ts)
    profile: { ...profile(2048, 512, 256), volumes: [CPP_CACHE] },
    summaryPassed: (out) => lines(out).some((l) => /^All tests passed \(\d+ assertions? in \d+ test cases?\)/.test(l)),
    compileFailed: (out) => /error:|Error \d+/.test(out) && !lines(out).some((l) => /^test cases?:/.test(l) && l.includes('failed')),
  },
};

/**
 * The output's lines, bounded: runner summaries are at the end, so only the
 * last 64 KB is read, and each line is cut to 1000 characters (every parser
 * above is linear in what it gets).
 */
export function lines(out: string): string[] {
  return out
    .slice(-65536)
    .split('\n')
    .map((l) => (l.length > 1000 ? l.slice(0, 1000) : l).trimEnd());
}

function findLast(ls: string[], pred: (l: string) => boolean): string | undefined {
  for (let i = ls.length - 1; i >= 0; i--) if (pred(ls[i]!)) return ls[i];
  return undefined;
}

/** pytest's last "==== 3 passed, 1 skipped in 0.02s ====" line says passed and nothing failed. */
export function pytestSummaryPassed(ls: string[]): boolean {
  const l = findLast(ls, (x) => x.startsWith('=') && x.endsWith('=') && / in [\d.]+s/.test(x));
  if (!l) return false;
  const inner = l.replace(/^=+ /, '').replace(/ =+$/, '');
  const counts = new Map<string, number>();
  for (const item of inner.replace(/ in [\d.]+s.*$/, '').split(', ')) {
    const m = /^(\d+) (\w+)$/.exec(item.trim());
    if (m) counts.set(m[2]!, Number(m[1]));
  }
  return (counts.get('passed') ?? 0) > 0 && !counts.get('failed') && !counts.get('error') && !counts.get('errors');
}

/** The JUnit console launcher's last "[ N tests successful ]" etc. */
export function junitCounts(ls: string[]): Record<string, number | undefined> {
  const out: Record<string, number | undefined> = {};
  for (const l of ls) {
    const m = /^\[\s*(\d+) tests (successful|failed|aborted|skipped|found|started)\s*\]$/.exec(l.trim());
    if (m) out[m[2]!] = Number(m[1]);
  }
  return out;
}

/** The official limit: subprocess.run(..., timeout=180). */
export const TEST_TIMEOUT_MS = 180_000;
