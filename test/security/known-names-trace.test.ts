// Finding 9, names without cue words: a customer verified in one query of a conversation and
// named again, uncued, in a later one ("yusuf here again") — the later query's debug trace
// (GET /v1/traces/:id, through the real ingress) carries no trace of the name, because the
// ingress passes the names the conversation's tools learned (namesKnownInConversation).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKeys, createRedis, emitEvent } from '@steward/store';
import { deletePrefix, freePort, uniquePrefix } from '@steward/testing';
import { debugTraceOf, startIngress, type RunningIngress } from '@steward/ingress';
import { nameRevealingToolCall } from '@steward/telemetry';

const url = inject('redisUrl');
const prefix = uniquePrefix('sec-names');
const keys = createKeys(prefix);
const KEY = 'names-api-key';
const silent = { info() {}, warn() {}, error() {} };
let ingress: RunningIngress;
const redis = createRedis(url);

beforeAll(async () => {
  ingress = await startIngress({
    redisUrl: url,
    prefix,
    port: await freePort(),
    host: '127.0.0.1',
    apiKeys: KEY,
    log: silent,
    debugTrace: (events, ctx) => debugTraceOf(events, { names: ctx?.names }),
    metrics: async () => '',
  });
});
afterAll(async () => {
  await ingress?.close();
  redis.disconnect();
  await deletePrefix(url, prefix);
});

const post = async (body: Record<string, unknown>): Promise<{ queryId: string; conversationId: string }> => {
  const res = await fetch(`${ingress.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(202);
  return (await res.json()) as { queryId: string; conversationId: string };
};

describe('names a conversation verified earlier', () => {
  it('are redacted, uncued and in any case, from a later query’s debug trace', async () => {
    const first = await post({
      conversationId: 'sec-names-1',
      text: 'my email is yusuf.rossi7301@example.com',
    });
    // What the tool worker records when get_user_details answers (first query).
    await emitEvent(redis, keys, nameRevealingToolCall(first.queryId, first.conversationId));
    const second = await post({ conversationId: 'sec-names-1', text: 'yusuf here again' });
    await emitEvent(redis, keys, {
      id: `${second.queryId}:t0:note`,
      type: 'control.decision',
      queryId: second.queryId,
      conversationId: second.conversationId,
      ts: Date.now(),
      data: {
        kind: 'loop_warning',
        detail: 'the customer (yusuf rossi, user yusuf_rossi_9620) repeated the question',
        turn: 0,
      },
    });
    const res = await fetch(`${ingress.url}/v1/traces/${second.queryId}`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('the customer ([name], user yusuf_rossi_9620) repeated the question');
    expect(text.replace(/yusuf_rossi_9620/g, '')).not.toMatch(/yusuf|rossi/i);
  });
});
