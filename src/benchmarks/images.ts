import { BENCHMARK_IMAGES, BENCHMARKS } from './registry.js';

// The order a fresh machine builds the sandbox images in (each benchmark's
// images are in registry.ts): most benchmarks need only `python`;
// BigCodeBench's ~5 GB image comes last.

export const IMAGE_ORDER: readonly string[] = [
  'python',
  'judge',
  'polyglot-python',
  'polyglot-go',
  'polyglot-rust',
  'polyglot-cpp',
  'polyglot-js',
  'polyglot-java',
  'bigcodebench',
];

/** Build order: the images of the benchmarks this service has imported first, then the rest. */
export function buildOrder(imported: readonly string[]): string[] {
  const first = imported.flatMap((b) => BENCHMARK_IMAGES[b] ?? []);
  const rank = (n: string) => (first.includes(n) ? 0 : 1) * 100 + IMAGE_ORDER.indexOf(n);
  return [...new Set([...IMAGE_ORDER])].sort((a, b) => rank(a) - rank(b));
}

/** A benchmark is ready when every image it grades in is. */
export function benchmarkReadiness(state: (image: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of BENCHMARKS.keys()) {
    const states = (BENCHMARK_IMAGES[name] ?? []).map(state);
    out[name] = states.every((s) => s === 'present')
      ? 'ready'
      : states.includes('failed')
        ? 'failed'
        : states.includes('missing')
          ? 'missing'
          : 'building';
  }
  return out;
}
