import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Two projects, split by what a test file needs rather than where it lives:
//  - unit: no Redis, no sockets, no child processes — runs in seconds (`./steward test:unit`);
//  - integration: a real Redis (one private instance per run, see
//    packages/testing/src/global-setup.ts; every file takes its own prefix), real HTTP servers on
//    free ports, real processes. Cross-service suites in test/ are all integration.
// A test file beside the code is integration when it uses any of the markers below, so a unit
// test that starts to need Redis moves project by itself instead of silently needing a server.
const NEEDS_SERVICES =
  /inject\(['"]redisUrl|acquireRedis|startSystem|freePort|RedisServer|\.listen\(|startSimLlm|createServer|startShop|new Redis\(|fetch\(|spawn\(|fork\(|launchChromium|startOtlpReceiver|start\w*Server\(|http:\/\//;

function besideCodeTests(): { unit: string[]; integration: string[] } {
  const unit: string[] = [];
  const integration: string[] = [];
  for (const top of ['packages', 'services']) {
    for (const pkg of readdirSync(top)) {
      const src = join(top, pkg, 'src');
      let files: string[];
      try {
        files = readdirSync(src, { recursive: true, encoding: 'utf8' });
      } catch {
        continue;
      }
      for (const f of files) {
        if (!f.endsWith('.test.ts')) continue;
        const path = join(src, f);
        (NEEDS_SERVICES.test(readFileSync(path, 'utf8')) ? integration : unit).push(path);
      }
    }
  }
  return { unit, integration };
}

const split = besideCodeTests();

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores is the target machine: more forks only starve vitest's own RPC.
    maxWorkers: 2,
    minWorkers: 1,
    // Every run ends with the list of skipped tests and what this machine lacks.
    reporters: ['default', './packages/testing/src/skip-summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: split.unit },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          globalSetup: ['packages/testing/src/global-setup.ts'],
          include: [...split.integration, 'test/**/*.test.ts'],
          exclude: ['test/chaos/**', '**/node_modules/**'],
          // Cross-service suites start whole systems: one file at a time keeps them off each other's CPU.
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
