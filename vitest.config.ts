import { defineConfig } from 'vitest/config';

// The full suite: every test file (`npm run test:all`; `npm run test:full`
// prepares the machine first). The fast tier is vitest.unit.config.ts.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Files one at a time: sandbox suites share the machine's two cores, and
    // official wall-clock limits (3 s for HumanEval) must not be eaten by a neighbour.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 900_000,
  },
});
