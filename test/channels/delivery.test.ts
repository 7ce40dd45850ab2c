import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { jobIds, newQueryId } from '@steward/core';
import { QueryStore, createKeys, createQueues, createRedis, readQueryEvents, type Queues } from '@steward/store';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { channels, silentLog } from './harness.ts';
import { startPlatformDouble, type PlatformDouble } from './platform-double.ts';

// The deliveries worker against a real local HTTP server standing in for each platform, fed
// through the real `deliveries` queue with the controller's deterministic job id and options.
const url = inject('redisUrl');
const prefix = uniquePrefix('deliv');
const keys = createKeys(prefix);
let redis: ReturnType<typeof createRedis>;
let queues: Queues;
let queries: QueryStore;
let platform: PlatformDouble;
let worker: channels.RunningDeliveryWorker;

/** A completed query as the controller leaves it, answer included. */
async function answeredQuery(channel: string, recipient: string | undefined, answer: string): Promise<string> {
  const queryId = newQueryId();
  await queries.accept({
    queryId,
    conversationId: `c-${queryId}`,
    channel,
    recipient,
    text: 'Where is my order?',
    language: 'en',
    traceId: '0af7651916cd43dd8448eb211c80319c',
    createdMs: Date.now(),
  });
  await redis.hset(keys.query(queryId), { status: 'completed', state: 'completed', outcome: 'answered', reason: 'answered', answer });
  return queryId;
}

async function enqueue(queryId: string, channel: string, recipient?: string, jobId = jobIds.delivery(queryId), opts = {}) {
  await queues.add('deliveries', jobId, { queryId, conversationId: `c-${queryId}`, channel, ...(recipient ? { recipient } : {}) }, opts);
}

async function settled(jobId: string, timeoutMs = 30_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const job = await queues.deliveries.getJob(jobId);
    const state = job ? await job.getState() : 'missing';
    if (state === 'completed' || state === 'failed') return state;
    if (Date.now() > until) throw new Error(`job ${jobId} still ${state}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('delivery worker', () => {
  beforeAll(async () => {
    redis = createRedis(url);
    queues = createQueues(redis, prefix);
    queries = new QueryStore(redis, keys);
    platform = await startPlatformDouble();
    worker = await channels.startDeliveryWorker({
      redisUrl: url,
      prefix,
      log: silentLog,
      channels: {
        slack: { botToken: 'xoxb-test', apiBase: `${platform.url}/slack/api` },
        whatsapp: { accessToken: 'EAAG-test', phoneNumberId: '106540352242922', apiBase: `${platform.url}/graph/v21.0` },
        telegram: { botToken: '123456:ABC-test', apiBase: `${platform.url}/tg` },
        webhooks: {
          secrets: { crm: 'crm-secret', flaky: 'flaky-secret', broken: 'broken-secret' },
          callbacks: { crm: `${platform.url}/crm/answers`, flaky: `${platform.url}/flaky`, broken: `${platform.url}/broken` },
        },
      },
    });
  });
  afterAll(async () => {
    await worker?.close();
    await queues?.close();
    await platform?.close();
    redis?.disconnect();
    await deletePrefix(url, prefix);
  });

  it('delivers once when the platform fails twice then accepts, and never again for the same query', async () => {
    const path = '/tg/bot123456:ABC-test/sendMessage';
    platform.script(path, [{ status: 502 }, { status: 500, body: { ok: false, error_code: 500 } }, { status: 200, body: { ok: true, result: { message_id: 77 } } }]);
    const queryId = await answeredQuery('telegram', '111', 'Your order #W2611340 has been processed.');
    await enqueue(queryId, 'telegram', '111');
    expect(await settled(jobIds.delivery(queryId))).toBe('completed');

    const calls = platform.received.filter((r) => r.path === path);
    expect(calls.map((c) => c.answered)).toEqual([502, 500, 200]);
    for (const c of calls) {
      expect(c.headers['idempotency-key']).toBe(queryId);
      expect(c.body).toEqual({ chat_id: '111', text: 'Your order #W2611340 has been processed.' });
    }
    const sent = (await readQueryEvents(redis, keys, queryId)).filter((e) => e.type === 'delivery.sent');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.data).toMatchObject({ channel: 'telegram', attempt: 3, platformMessageId: '77' });

    // The same delivery enqueued again (a repeated completion step, a manual retry): not resent.
    await enqueue(queryId, 'telegram', '111', `${queryId}:q:redeliver`);
    expect(await settled(`${queryId}:q:redeliver`)).toBe('completed');
    expect(platform.received.filter((r) => r.path === path)).toHaveLength(3);
    expect((await channels.deliveryStats(redis, prefix)).sent.telegram).toBe(1);
  });

  it('sends once when two jobs for the same query run at the same time', async () => {
    platform.script('/crm/answers', [{ status: 200, delayMs: 300 }]);
    const q = await answeredQuery('crm', 'ticket-1', 'Once only.');
    const before = platform.received.filter((r) => r.path === '/crm/answers').length;
    await Promise.all([enqueue(q, 'crm', 'ticket-1'), enqueue(q, 'crm', 'ticket-1', `${q}:q:twin`)]);
    expect(await settled(jobIds.delivery(q))).toBe('completed');
    expect(await settled(`${q}:q:twin`)).toBe('completed');
    expect(platform.received.filter((r) => r.path === '/crm/answers').length - before).toBe(1);
    expect((await readQueryEvents(redis, keys, q)).filter((e) => e.type === 'delivery.sent')).toHaveLength(1);
  });

  it('posts to Slack chat.postMessage in the thread, and treats {ok:false} as a failure', async () => {
    platform.script('/slack/api/chat.postMessage', [{ status: 200, body: { ok: true, channel: 'C1', ts: '1700000000.000200' } }]);
    const q1 = await answeredQuery('slack', 'C2147483705:1355517523.000005', 'Done.');
    await enqueue(q1, 'slack', 'C2147483705:1355517523.000005');
    expect(await settled(jobIds.delivery(q1))).toBe('completed');
    const call = platform.received.find((r) => r.path === '/slack/api/chat.postMessage')!;
    expect(call.headers.authorization).toBe('Bearer xoxb-test');
    expect(call.body).toEqual({ channel: 'C2147483705', text: 'Done.', thread_ts: '1355517523.000005' });

    // Slack's errors come with HTTP 200; channel_not_found cannot succeed later: dead at once.
    platform.script('/slack/api/chat.postMessage', [{ status: 200, body: { ok: false, error: 'channel_not_found' } }]);
    const q2 = await answeredQuery('slack', 'CGONE', 'Done.');
    await enqueue(q2, 'slack', 'CGONE');
    expect(await settled(jobIds.delivery(q2))).toBe('failed');
    const dead = await channels.listDeadDeliveries(redis, prefix);
    expect(dead.find((d) => d.queryId === q2)).toMatchObject({ channel: 'slack', code: 'delivery_rejected', attempts: 1 });
  });

  it('sends WhatsApp text through /{phone-number-id}/messages', async () => {
    platform.script('/graph/v21.0/106540352242922/messages', [{ status: 200, body: { messaging_product: 'whatsapp', messages: [{ id: 'wamid.OUT1' }] } }]);
    const q = await answeredQuery('whatsapp', '16505551234', '您的订单已发货。');
    await enqueue(q, 'whatsapp', '16505551234');
    expect(await settled(jobIds.delivery(q))).toBe('completed');
    const call = platform.received.find((r) => r.path === '/graph/v21.0/106540352242922/messages')!;
    expect(call.headers.authorization).toBe('Bearer EAAG-test');
    expect(call.body).toMatchObject({ messaging_product: 'whatsapp', to: '16505551234', type: 'text', text: { body: '您的订单已发货。' } });
  });

  it('signs generic callbacks with the channel secret', async () => {
    platform.script('/crm/answers', [{ status: 204 }]);
    platform.received.length = 0;
    const q = await answeredQuery('crm', 'ticket-9', 'Hello!');
    await enqueue(q, 'crm', 'ticket-9');
    expect(await settled(jobIds.delivery(q))).toBe('completed');
    const call = platform.received.find((r) => r.path === '/crm/answers')!;
    const v = channels.verifyWebhook(
      { rawBody: Buffer.from(call.raw), timestamp: String(call.headers['x-steward-timestamp']), signature: String(call.headers['x-steward-signature']) },
      'crm-secret',
      Math.floor(Date.now() / 1000),
      300,
    );
    expect(v).toEqual({ ok: true });
    expect(call.body).toMatchObject({ queryId: q, channel: 'crm', recipient: 'ticket-9', text: 'Hello!', language: 'en', outcome: 'answered' });
  });

  it('dead-letters after the last attempt: one list entry, one counter, one delivery.dead event', async () => {
    platform.script('/flaky', [{ status: 503 }]);
    const q = await answeredQuery('flaky', 'x', 'Hi');
    await enqueue(q, 'flaky', 'x', jobIds.delivery(q), { attempts: 3, backoff: { type: 'fixed', delay: 50 } });
    expect(await settled(jobIds.delivery(q))).toBe('failed');
    expect(platform.received.filter((r) => r.path === '/flaky')).toHaveLength(3);
    const dead = (await channels.listDeadDeliveries(redis, prefix)).filter((d) => d.queryId === q);
    expect(dead).toEqual([expect.objectContaining({ channel: 'flaky', code: 'delivery_unavailable', attempts: 3 })]);
    const events = (await readQueryEvents(redis, keys, q)).filter((e) => e.type === 'delivery.dead');
    expect(events).toHaveLength(1);
    const stats = await channels.deliveryStats(redis, prefix);
    expect(stats.dead.flaky).toBe(1);
    expect(channels.renderDeliveryMetrics(stats)).toContain('steward_channel_deliveries_total{channel="flaky",result="dead"} 1');
  });

  it('does not retry what cannot succeed (4xx), nor a channel without configuration', async () => {
    platform.script('/broken', [{ status: 400 }]);
    const q = await answeredQuery('broken', 'x', 'Hi');
    await enqueue(q, 'broken', 'x');
    expect(await settled(jobIds.delivery(q))).toBe('failed');
    expect(platform.received.filter((r) => r.path === '/broken')).toHaveLength(1);
    const q2 = await answeredQuery('nowhere', 'x', 'Hi');
    await enqueue(q2, 'nowhere', 'x');
    expect(await settled(jobIds.delivery(q2))).toBe('failed');
    const dead = await channels.listDeadDeliveries(redis, prefix);
    expect(dead.find((d) => d.queryId === q2)).toMatchObject({ code: 'channel_not_configured', attempts: 1 });
  });
});
