// Redis holds only bounded state: after real conversations (answers, a confirmed write, a
// handoff, a loop, the tracer and deliveries running), every key under the deployment's prefix
// either expires or belongs to a kind whose size has a stated bound. A key written without a TTL
// or a bound fails here — with noeviction, such keys are how Redis fills up and stops the service.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULTS, QUEUES } from '@steward/core';
import { createRedis } from '@steward/store';
import { startSystem, type RunningSystem } from '@steward/system';
import { deletePrefix, freePort, uniquePrefix } from '@steward/testing';
import { IngressClient } from '../helpers/client.ts';
import { e2eData } from '../helpers/e2e-data.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('keys');
const KEY = 'keys-test-key';
const data = e2eData();
let sys: RunningSystem;
let api: IngressClient;

/** Kinds of key that live without a TTL, each with the bound that keeps it from growing forever. */
const BOUNDED: { pattern: RegExp; bound: string }[] = [
  {
    // BullMQ's own keys: job hashes and the completed/failed sets are removed by removeOnComplete
    // / removeOnFail (packages/store/src/queues.ts); the rest are per-queue singletons.
    pattern: new RegExp(`^${esc(prefix)}:(${Object.values(QUEUES).join('|')}):`),
    bound: 'BullMQ retention (removeOnComplete / removeOnFail)',
  },
  { pattern: new RegExp(`^${esc(prefix)}:events$`), bound: `XADD MAXLEN ~ ${DEFAULTS.eventsStreamMaxLen}` },
  { pattern: new RegExp(`^${esc(prefix)}:metrics`), bound: 'fixed metric names × bounded label values' },
];

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe(`Redis keys after real conversations (${data.source} data)`, () => {
  beforeAll(async () => {
    sys = await startSystem({
      redisUrl: url,
      prefix,
      shopData: data.shopData,
      apiKeys: KEY,
      ports: { ingress: await freePort(), shop: await freePort(), simLlm: await freePort() },
      logLevel: 'warn',
    });
    api = new IngressClient(sys.url, KEY);
  });
  afterAll(async () => {
    await sys?.close();
    await deletePrefix(url, prefix);
  });

  it('every key expires or is of a bounded kind', async () => {
    const customerId = data.customer;
    const conversationId = `c_keys_${Date.now()}`;
    await api.ask({ conversationId, customerId, text: `What is the status of my order ${data.statusOrder.id}?` });
    await api.ask({ conversationId, customerId, text: `I want to return the ${data.returnOrder.itemName} from order ${data.returnOrder.id}.` });
    const yes = await api.ask({ conversationId, customerId, text: 'Yes, please go ahead.' });
    expect(yes.outcome).toBe('answered');
    await api.ask({ customerId, text: 'Where is my order? #sim:loop' });
    await api.ask({ customerId, text: '我要转人工客服' });
    // Let the tracer and the delivery worker catch up with the stream.
    await new Promise((r) => setTimeout(r, 1_500));

    const redis = createRedis(url);
    try {
      const unbounded: string[] = [];
      let seen = 0;
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        cursor = next;
        for (const k of keys) {
          seen++;
          if ((await redis.pttl(k)) !== -1) continue;
          if (BOUNDED.some((b) => b.pattern.test(k))) continue;
          unbounded.push(`${k} (${await redis.type(k)})`);
        }
      } while (cursor !== '0');
      expect(seen).toBeGreaterThan(20);
      expect(unbounded).toEqual([]);
      // The bounded kinds hold their bound.
      expect(await redis.xlen(`${prefix}:events`)).toBeLessThanOrEqual(DEFAULTS.eventsStreamMaxLen * 1.1 + 100);
    } finally {
      redis.disconnect();
    }
  });
});
