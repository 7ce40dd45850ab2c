// Every log line written while a job runs carries its queue, job, query and trace ids — also the
// lines of code that never saw the job — read back from the JSON the logger really emitted.
import { Writable } from 'node:stream';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '@steward/telemetry';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { createKeys } from './keys.ts';
import { QueryStore } from './queries.ts';
import { createRedis } from './redis.ts';
import { startWorker } from './worker.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('worker-logs');
let redis: Redis;

beforeAll(() => {
  redis = createRedis(url);
});
afterAll(async () => {
  await deletePrefix(url, prefix);
  redis.disconnect();
});

function sink(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(c: Buffer, _e, cb) {
      chunks.push(c.toString('utf8'));
      cb();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('per-job log context', () => {
  it('stamps queue, jobId, queryId, turn and (once the query is loaded) traceId on every line of the job', async () => {
    const out = sink();
    const log = createLogger({ service: 'test-worker', level: 'info', destination: out.stream });
    const queries = new QueryStore(redis, createKeys(prefix));
    const traceId = 'f'.repeat(32);
    await queries.accept({ queryId: 'q_logs1', conversationId: 'c_logs1', channel: 'api', text: 'hello', language: 'en', traceId, createdMs: Date.now() });
    // A helper that knows nothing of the job: its line must still carry the job's ids.
    const deepHelper = async (): Promise<void> => {
      await new Promise((r) => setTimeout(r, 5));
      log.info('deep in the step');
    };
    const done = new Promise<void>((resolve) => {
      const worker = startWorker(
        'reasoning',
        async (data) => {
          log.info('before load');
          await queries.get(data.queryId);
          await deepHelper();
          resolve();
          return null;
        },
        { connection: redis.duplicate({ maxRetriesPerRequest: null }), prefix, concurrency: 1, log },
      );
      afterAll(() => worker.close());
    });
    const q = new Queue('reasoning', { connection: redis.duplicate({ maxRetriesPerRequest: null }), prefix });
    await q.add('reason', { queryId: 'q_logs1', turn: 2 }, { jobId: 'q_logs1:t2:reason' });
    await done;
    await q.close();
    log.info('outside any job');

    const lines = out.lines();
    const before = lines.find((l) => l.msg === 'before load')!;
    const deep = lines.find((l) => l.msg === 'deep in the step')!;
    const outside = lines.find((l) => l.msg === 'outside any job')!;
    expect(before).toMatchObject({ queue: 'reasoning', jobId: 'q_logs1:t2:reason', queryId: 'q_logs1', turn: 2 });
    expect(before).not.toHaveProperty('traceId');
    expect(deep).toMatchObject({ queue: 'reasoning', jobId: 'q_logs1:t2:reason', queryId: 'q_logs1', turn: 2, traceId, conversationId: 'c_logs1' });
    expect(outside).not.toHaveProperty('jobId');
    expect(outside).not.toHaveProperty('queryId');
  });
});
