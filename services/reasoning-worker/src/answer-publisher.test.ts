import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { AnswerStreamMessage } from '@steward/core';
import { createKeys } from '@steward/store';
import { createLogger } from '@steward/telemetry';
import { answerPublisher } from './answer-publisher.ts';

// Real Redis pub/sub: what a subscriber of the query's live channel (ingress SSE) receives.
const url = inject('redisUrl');
const keys = createKeys(`{t-${randomUUID().slice(0, 8)}}`);
const log = createLogger({ service: 'answer-publisher-test', level: 'silent' });
let pub: Redis;
let sub: Redis;
beforeAll(() => {
  pub = new Redis(url);
  sub = new Redis(url);
});
afterAll(async () => {
  await Promise.all([pub.quit(), sub.quit()]);
});

async function listen(queryId: string): Promise<AnswerStreamMessage[]> {
  const got: AnswerStreamMessage[] = [];
  sub.on('message', (ch: string, m: string) => {
    if (ch === keys.queryChannel(queryId)) got.push(AnswerStreamMessage.parse(JSON.parse(m)));
  });
  await sub.subscribe(keys.queryChannel(queryId));
  return got;
}

const settle = async (got: unknown[], n: number) => {
  for (let i = 0; i < 100 && got.length < n; i++) await new Promise((r) => setTimeout(r, 10));
};

describe('answerPublisher', () => {
  it('publishes the answer in order with contiguous offsets; a retry starts a newer stream', async () => {
    const got = await listen('q1');
    let t = 1_000;
    const p = answerPublisher({ redis: pub, keys, log, queryId: 'q1', turn: 2, style: 'native', now: () => t++ });
    p.onAttempt();
    p.onDelta({ kind: 'content', text: 'Your order #W1 ' });
    // A later network read: its delta is a message of its own.
    await new Promise((r) => setTimeout(r, 5));
    p.onDelta({ kind: 'content', text: 'has ' });
    p.onDelta({ kind: 'content', text: 'shipped.' });
    p.onAttempt();
    p.onDelta({ kind: 'content', text: 'Your order #W1 has shipped today.' });
    await p.flush();
    await settle(got, 3);
    expect(got.map((m) => m.type)).toEqual(['answer.delta', 'answer.delta', 'answer.delta']);
    const [a, b, c] = got as [AnswerStreamMessage, AnswerStreamMessage, AnswerStreamMessage];
    // Deltas of one turn of the event loop went out together.
    expect([a.text, b.text]).toEqual(['Your order #W1 ', 'has shipped.']);
    expect([a.offset, b.offset]).toEqual([0, a.text.length]);
    expect(b.streamId).toBe(a.streamId);
    expect(c.streamId).not.toBe(a.streamId);
    expect(c.startedMs).toBeGreaterThan(a.startedMs);
    expect([c.offset, c.text, c.turn]).toEqual([0, 'Your order #W1 has shipped today.', 2]);
  });

  it('withdraws text written beside a tool call, and sends nothing for a turn that showed nothing', async () => {
    const got = await listen('q2');
    const p = answerPublisher({ redis: pub, keys, log, queryId: 'q2', turn: 0, style: 'native' });
    p.onAttempt();
    p.onDelta({ kind: 'content', text: 'Let me look that order up for you.' });
    // A later network read turns the reply into tool calls: what went out is withdrawn.
    await new Promise((r) => setTimeout(r, 5));
    p.onDelta({ kind: 'content', text: ' One moment.' });
    p.onDelta({ kind: 'tool_call' });
    p.withdraw();
    await p.flush();
    await settle(got, 2);
    expect(got.map((m) => m.type)).toEqual(['answer.delta', 'answer.reset']);
    const [delta, reset] = got as [AnswerStreamMessage, AnswerStreamMessage];
    // The reset says how much the client got; the text still buffered never went out.
    expect(delta.text).toBe('Let me look that order up for you.');
    expect([reset.streamId, reset.offset]).toEqual([delta.streamId, delta.text.length]);

    // Text and tool calls in one network read: nothing left the process, nothing is sent.
    const unseen = await listen('q4');
    const u = answerPublisher({ redis: pub, keys, log, queryId: 'q4', turn: 0, style: 'native' });
    u.onAttempt();
    u.onDelta({ kind: 'content', text: 'Let me look that order up for you.' });
    u.onDelta({ kind: 'tool_call' });
    u.withdraw();
    await u.flush();
    // A message published after this one would have arrived by then (one connection, in order).
    await pub.publish(keys.queryChannel('q4'), JSON.stringify({ type: 'answer.reset', queryId: 'q4', turn: 9, streamId: 'marker', startedMs: 0, offset: 0, text: '' }));
    await settle(unseen, 1);
    expect(unseen.map((m) => m.streamId)).toEqual(['marker']);

    const quiet = await listen('q3');
    const q = answerPublisher({ redis: pub, keys, log, queryId: 'q3', turn: 0, style: 'text' });
    q.onAttempt();
    q.onDelta({ kind: 'content', text: 'Thought: I need the order.\nAction: get_order_details | {"order_id": "#W1"}' });
    q.withdraw();
    await q.flush();
    await new Promise((r) => setTimeout(r, 50));
    expect(quiet).toEqual([]);
  });

  it('finish hands back the last messages instead of publishing them', async () => {
    const got = await listen('q5');
    const p = answerPublisher({ redis: pub, keys, log, queryId: 'q5', turn: 1, style: 'native' });
    p.onAttempt();
    p.onDelta({ kind: 'content', text: 'Your order was shown ' });
    await new Promise((r) => setTimeout(r, 5));
    // The last network read: its text is still buffered when the model call returns.
    p.onDelta({ kind: 'content', text: 'and held.' });
    const { messages, sent } = p.finish(false);
    await sent;
    await settle(got, 1);
    await new Promise((r) => setTimeout(r, 20));
    // Only the text sent before finish went out; the rest is the caller's to publish.
    expect(got.map((m) => m.text)).toEqual(['Your order was shown ']);
    expect(messages.map((m) => AnswerStreamMessage.parse(JSON.parse(m)))).toMatchObject([{ type: 'answer.delta', text: 'and held.', offset: 21 }]);
  });
});
