// Every log line written while a job runs carries its queue, job, query and trace ids — also the
// lines of code that never saw the job — read back from the JSON the logger really emitted.
import { Writable } from 'node:stream';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger, nameRevealingToolCall } from '@steward/telemetry';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { emitEvent } from './events.ts';
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
    // The job is turn 0's, which the accept script added (ADR 0040).
    await done;
    log.info('outside any job');

    const lines = out.lines();
    const before = lines.find((l) => l.msg === 'before load')!;
    const deep = lines.find((l) => l.msg === 'deep in the step')!;
    const outside = lines.find((l) => l.msg === 'outside any job')!;
    expect(before).toMatchObject({ queue: 'reasoning', jobId: 'q_logs1:t0:reason', queryId: 'q_logs1', turn: 0 });
    expect(before).not.toHaveProperty('traceId');
    expect(deep).toMatchObject({ queue: 'reasoning', jobId: 'q_logs1:t0:reason', queryId: 'q_logs1', turn: 0, traceId, conversationId: 'c_logs1' });
    expect(outside).not.toHaveProperty('jobId');
    expect(outside).not.toHaveProperty('queryId');
  });
});

describe('names the conversation learned earlier (issue 12)', () => {
  // A prefix per test (still under the file's, deleted with it): the worker above still listens.
  const prefixOf = (tag: string) => `${prefix}-${tag}`;

  /** A conversation whose first query's get_user_details revealed Yusuf Rossi, and a second query. */
  async function conversationWithName(tag: string): Promise<string> {
    const keys = createKeys(prefixOf(tag));
    const queries = new QueryStore(redis, keys);
    const conversationId = `c_names_${tag}`;
    for (const queryId of [`q_names_${tag}_1`, `q_names_${tag}_2`])
      await queries.accept({ queryId, conversationId, channel: 'api', text: 'hello', language: 'en', traceId: 'e'.repeat(32), createdMs: Date.now() });
    await emitEvent(redis, keys, nameRevealingToolCall(`q_names_${tag}_1`, conversationId));
    return `q_names_${tag}_2`;
  }

  /** Runs one reasoning job of the second query that logs the uncued name; the lines it emitted. */
  async function reasoningLines(tag: string, redact: boolean): Promise<Record<string, unknown>[]> {
    const queryId = await conversationWithName(tag);
    const out = sink();
    const log = createLogger({ service: 'test-worker', level: 'info', redact, destination: out.stream });
    const done = new Promise<void>((resolve) => {
      const worker = startWorker(
        'reasoning',
        () => {
          // Before the job loads its query: the names are known from the job's start.
          log.info({ text: 'yusuf here again, ROSSI' }, 'customer said');
          resolve();
          return Promise.resolve(null);
        },
        { connection: redis.duplicate({ maxRetriesPerRequest: null }), prefix: prefixOf(tag), concurrency: 1, log },
      );
      afterAll(() => worker.close());
    });
    const q = new Queue('reasoning', { connection: redis.duplicate({ maxRetriesPerRequest: null }), prefix: prefixOf(tag) });
    await q.add('reason', { queryId, turn: 1 }, { jobId: `${queryId}:t1:reason` });
    await done;
    await q.close();
    return out.lines().filter((l) => l.msg === 'customer said');
  }

  it('are redacted from the reasoning worker’s lines of a later query, uncued and in any case', async () => {
    const [line] = await reasoningLines('on', true);
    expect(line).toMatchObject({ queue: 'reasoning', conversationId: 'c_names_on', text: '[name] here again, [name]' });
    expect(JSON.stringify(line)).not.toMatch(/yusuf|rossi(?!_)/i);
  });

  it('are not read when the log does not redact', async () => {
    const [line] = await reasoningLines('off', false);
    expect(line).toMatchObject({ text: 'yusuf here again, ROSSI' });
    expect(line).not.toHaveProperty('conversationId');
  });
});
