import { defineConfig } from 'vitest/config';

// The resilience suite (`pnpm test:chaos`): slow, one cluster of separate processes, so it is
// its own project and not part of `pnpm test`. Same global setup as the main suite.
export default defineConfig({
  test: {
    globalSetup: ['packages/testing/src/global-setup.ts'],
    include: ['test/chaos/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
