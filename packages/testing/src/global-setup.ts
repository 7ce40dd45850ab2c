// vitest globalSetup: one Redis for the whole run, handed to test files through `inject`.
import type { TestProject } from 'vitest/node';
import { acquireRedis } from './test-redis.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const target = await acquireRedis();
  process.stderr.write(`[steward tests] Redis from ${target.source}: ${target.url}\n`);
  project.provide('redisUrl', target.url);
  return () => target.stop();
}
