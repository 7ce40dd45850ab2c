import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code; cross-service suites live in test/. One private Redis serves
// the whole run (see packages/testing/src/global-setup.ts); every test file takes its own prefix.
export default defineConfig({
  test: {
    globalSetup: ['packages/testing/src/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores is the target machine: more forks only starve vitest's own RPC.
    maxWorkers: 2,
    minWorkers: 1,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/chaos/**'],
          // Cross-service suites start whole systems: one file at a time keeps them off each other's CPU.
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
