import { defineConfig } from 'vitest/config';

// The fast tier (`npm test`): files named *.unit.test.ts, which need Node and
// python3 (redis-server if installed) — no Docker engine, no sandbox images,
// no ../shared data. Docker-free files that are slow or hold tight wall-clock
// limits (test/harness.test.ts: about two minutes) stay in the full suite.
export default defineConfig({
  test: {
    include: ['test/**/*.unit.test.ts'],
    // one at a time, as in the full suite: some files hold deadlines and timers
    fileParallelism: false,
    testTimeout: 60_000,
    // An engine that never answers: a unit file that reaches for Docker
    // fails or degrades here instead of quietly using the machine's engine.
    env: { DOCKER_HOST: 'unix:///nonexistent/verdict-unit-tier.sock' },
  },
});
