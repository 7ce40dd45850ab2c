// A tool-worker in its own process with the test tools, so a test can kill -9 it mid-DAG.
import { startToolWorker } from '@steward/tool-worker';
import { createRedis } from '@steward/store';
import { createLogger } from '@steward/telemetry';
import { ToolRegistry } from '@steward/tools';
import { testTools } from './test-tools.ts';

const redisUrl = process.env.REDIS_URL!;
const prefix = process.env.STEWARD_PREFIX!;
const counters = process.env.COUNTERS_KEY!;
const redis = createRedis(redisUrl);
await startToolWorker({
  redisUrl,
  prefix,
  registry: new ToolRegistry(testTools(redis, counters)),
  shop: { invoke: () => Promise.reject(new Error('no shop')) },
  log: createLogger({ service: 'tool-worker-child', level: 'warn' }),
  concurrency: 8,
  // It takes the observe step of a turn whose last result it records: the controller's rules.
  steps: { requireConfirmation: false },
});
process.stdout.write('ready\n');
