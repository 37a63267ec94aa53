import { goWitnessFiles, WITNESS_NOISE, witnessLine } from './polyglot-go-witness.js';
import type { VolumeMount } from '../sandbox/types.js';
import type { PlanProfile } from './types.js';

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
  /** dependencies no offline source provides: exercise → what is missing */
  unavailable?: Record<string, string>;
}

const MB = 1 << 20;

/** Catch2's main, compiled at import from the benchmark's files (see polyglot-cpp-cache.ts) */
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
    profile: { ...profile(1024, 128, 64, 256), cpus: 1 },
    summaryPassed: (out) => /^=+ .*\b\d+ passed\b.* in [\d.]+s.*=+$/m.test(out) && !/^=+ .*\b\d+ (failed|errors?)\b/m.test(out),
    compileFailed: (out) => /ERROR collecting|SyntaxError|ImportError/.test(out),
  },
  go: {
    image: 'polyglot-go',
    profile: profile(2048, 256, 768),
    // `go test ./...` prints "ok <pkg>" per passing package (also "[no tests to run]")
    summaryPassed: (out) => /^ok\s/m.test(out) && !/^(FAIL|--- FAIL)/m.test(out),
    compileFailed: (out) => /\[(build|setup) failed\]/.test(out),
    // os.Exit(0) in init() ends the test binary with "ok" before any test
    witness: { files: goWitnessFiles, line: witnessLine, noise: WITNESS_NOISE },
  },
  rust: {
    image: 'polyglot-rust',
    profile: profile(3072, 1024, 256),
    summaryPassed: (out) => /^test result: ok\./m.test(out) && !/^test result: FAILED/m.test(out),
    compileFailed: (out) => /could not compile|^error\[E\d+\]/m.test(out),
  },
  javascript: {
    image: 'polyglot-js',
    profile: profile(2048, 256, 512),
    // aider's npm-test.sh: sed 's/\bxtest(/test(/g' *.spec.js (the image's runner does it too)
    prepareTest: (content) => content.replace(/\bxtest\(/g, 'test('),
    summaryPassed: (out) => /^Tests:\s+(?!.*failed).*\b\d+ passed, \d+ total/m.test(out),
    compileFailed: (out) => /Test suite failed to run/.test(out),
  },
  java: {
    image: 'polyglot-java',
    profile: profile(2048, 256, 256),
    // aider: re.sub(r"@Disabled\([^)]*\)\s*\n", "", test) — a bare @Disabled stays
    prepareTest: (content) => content.replace(/@Disabled\([^)]*\)\s*\n/g, ''),
    summaryPassed: (out) => /\[\s*[1-9]\d* tests successful\s*\]/.test(out) && /\[\s*0 tests failed\s*\]/.test(out),
    compileFailed: (out) => /\.java:\d+: error:/.test(out),
    unavailable: { hangman: 'io.reactivex.rxjava2:rxjava:2.2.12 (RxJava), which neither Debian nor npm provides' },
  },
  cpp: {
    image: 'polyglot-cpp',
    // Catch2's main from the read-only compiler cache (polyglot-cpp-cache.ts)
    profile: { ...profile(2048, 512, 256), volumes: [CPP_CACHE] },
    summaryPassed: (out) => /^All tests passed \(\d+ assertions? in \d+ test cases?\)/m.test(out),
    compileFailed: (out) => /error:|Error \d+/.test(out) && !/test cases?:.*failed/.test(out),
  },
};

/** The official limit: subprocess.run(..., timeout=180). */
export const TEST_TIMEOUT_MS = 180_000;
