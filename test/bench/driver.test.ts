// The load driver against the real ingress and its per-customer bucket: a refusal is retried
// when its Retry-After says, once, not every 250 ms; and the report counts those retries.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, freePort, uniquePrefix } from '@steward/testing';
import { startIngress, type RunningIngress } from '@steward/ingress';
import { createAdmission } from '@steward/channels';
import { createRedis } from '@steward/store';
import type { Redis } from 'ioredis';
import { CompletionWatcher } from './completions.ts';
import { drive, retryAfterMs, RETRY_AFTER_CAP_MS } from './driver.ts';
import { postFigures } from './pipeline-report.ts';
import type { Script } from './conversations.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('bench-driver');
const silent = { info() {}, warn() {}, error() {} };
let redis: Redis;
let ingress: RunningIngress;
let watcher: CompletionWatcher;

beforeAll(async () => {
  redis = createRedis(url);
  ingress = await startIngress({
    redisUrl: url,
    prefix,
    port: await freePort(),
    host: '127.0.0.1',
    apiKeys: 'key-a',
    log: silent,
    debugTrace: (events) => ({ events }),
    metrics: async () => '',
    // One message a second per customer, no burst: a second message within the second is refused.
    admit: createAdmission(redis, { prefix }, { perCustomer: { rate: 1, burst: 1 } }),
  });
  watcher = new CompletionWatcher(url, prefix);
  await watcher.start();
});
afterAll(async () => {
  await watcher?.stop();
  await ingress?.close();
  await deletePrefix(url, prefix);
  redis?.disconnect();
});

describe('retryAfterMs', () => {
  it('reads delta-seconds and HTTP dates, caps them, and ignores what does not parse', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs('0')).toBe(0);
    expect(retryAfterMs(new Date(10_000 + 3_000).toUTCString(), 10_000)).toBe(3000);
    expect(retryAfterMs('86400')).toBe(RETRY_AFTER_CAP_MS);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

describe('drive', () => {
  it('retries a 429 once, after its Retry-After, and counts it', async () => {
    // Two conversations of one customer, one message each, sent at once: the bucket takes one.
    const run36 = Date.now().toString(36);
    const scripts: Script[] = ['a', 'b'].map((k) => ({
      conversationId: `c_${run36}_${k}`,
      customerId: `u_${run36}`,
      language: 'en',
      scenario: 'status',
      messages: ['What is the status of my order #W0000000?'],
    }));
    // No pipeline answers here: the driver gives up on the answer at once; only the POSTs matter.
    const run = await drive({ baseUrl: ingress.url, apiKey: 'key-a', scripts, watcher, answerTimeoutMs: 50 });
    expect(run.records.map((r) => r.accepted)).toEqual([true, true]);
    const refused = run.records.find((r) => r.rateLimited > 0)!;
    expect(refused.postErrors).toEqual(['429:rate_limited']);
    // The ingress said 1 s: one wait of 1 s and one more POST, where retrying every 250 ms took four or five.
    expect(refused.attempts).toBe(2);
    expect(refused.retryAfterWaitMs).toBe(1000);
    expect(postFigures(run)).toEqual({ post_attempts: 3, rate_limited_retries: 1, retry_share_of_posts: 0.333, retry_after_wait_s: 1 });
  });
});
