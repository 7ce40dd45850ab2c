import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { createKeys } from '@steward/store';
import { createAdmission } from './create-admission.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('admit');
let redis: Redis;
let reasoning: Queue;

const msg = (o: Partial<{ customerId: string; channel: string; recipient: string }> = {}) => ({ text: 'hi', channel: 'api', ...o });

describe('createAdmission', () => {
  beforeAll(async () => {
    redis = new Redis(url, { maxRetriesPerRequest: null });
    reasoning = new Queue('reasoning', { connection: redis, prefix });
  });
  afterAll(async () => {
    await reasoning.close();
    redis.disconnect();
    await deletePrefix(url, prefix);
  });

  it('lets a customer burst, then refuses with a Retry-After; other customers are unaffected', async () => {
    const admit = createAdmission(redis, { prefix: `${prefix}:a` }, { perCustomer: { rate: 0.01, burst: 2 } });
    expect(await admit(msg({ customerId: 'alice' }))).toEqual({ ok: true });
    expect(await admit(msg({ customerId: 'alice' }))).toEqual({ ok: true });
    const refused = await admit(msg({ customerId: 'alice' }));
    expect(refused).toMatchObject({ ok: false, code: 'rate_limited' });
    // One token at 0.01/s takes 100 s to come back.
    expect(refused.ok === false && refused.retryAfterSec).toBeGreaterThan(90);
    expect(await admit(msg({ customerId: 'bob' }))).toEqual({ ok: true });
  });

  it('takes both buckets or neither: a channel refusal does not spend the customer token', async () => {
    const admit = createAdmission(redis, { prefix: `${prefix}:b` }, { perCustomer: { rate: 0.01, burst: 1 }, perChannel: { rate: 0.01, burst: 1 } });
    expect(await admit(msg({ customerId: 'carol', channel: 'slack' }))).toEqual({ ok: true });
    // The slack bucket is empty: dave is refused, and his own bucket must stay full…
    expect(await admit(msg({ customerId: 'dave', channel: 'slack' }))).toMatchObject({ ok: false, code: 'rate_limited' });
    // …so he still gets through on another channel.
    expect(await admit(msg({ customerId: 'dave', channel: 'telegram' }))).toEqual({ ok: true });
  });

  it('counts platform users by the verified sender, never by a caller-chosen recipient or conversation', async () => {
    const admit = createAdmission(redis, { prefix: `${prefix}:c` }, { perCustomer: { rate: 0.01, burst: 1 } });
    const tg = (user: string) => ({ principal: 'telegram', platformUser: user });
    expect(await admit(msg({ channel: 'telegram', recipient: '42' }), tg('42'))).toEqual({ ok: true });
    // The same user in another chat (another recipient) is the same bucket.
    expect(await admit(msg({ channel: 'telegram', recipient: '-100' }), tg('42'))).toMatchObject({ ok: false });
    expect(await admit(msg({ channel: 'telegram', recipient: '42' }), tg('43'))).toEqual({ ok: true });
  });

  it('counts a conversation verified by the identity tools against its customer', async () => {
    const p = `${prefix}:v`;
    const admit = createAdmission(redis, { prefix: p }, { perCustomer: { rate: 0.01, burst: 1 } });
    await redis.hset(createKeys(p).conversation('tg.9.9'), 'customerId', 'carol_3');
    // Carol named by an integration spends the bucket…
    expect(await admit(msg({ customerId: 'carol_3' }), { principal: 'api' })).toEqual({ ok: true });
    // …which her verified Telegram conversation shares.
    expect(await admit(msg({ channel: 'telegram', conversationId: 'tg.9.9' } as never), { principal: 'telegram', platformUser: '9' })).toMatchObject({ ok: false });
  });

  it('always counts the principal, so rotating ids in the body gives no fresh bucket', async () => {
    const admit = createAdmission(redis, { prefix: `${prefix}:p` }, { perPrincipal: { rate: 0.01, burst: 2 }, perCustomer: { rate: 0.01, burst: 5 } });
    const web = { principal: 'web' };
    expect(await admit(msg({ channel: 'web', conversationId: 'c1' } as never), web)).toEqual({ ok: true });
    expect(await admit(msg({ channel: 'web', conversationId: 'c2' } as never), web)).toEqual({ ok: true });
    expect(await admit(msg({ channel: 'web', conversationId: 'c3' } as never), web)).toMatchObject({ ok: false, code: 'rate_limited' });
    // Another principal has its own bucket.
    expect(await admit(msg({ channel: 'api' }), { principal: 'api' })).toEqual({ ok: true });
  });

  it('remembers a refusal until its wait is over: retries inside it never reach Redis, and none is refused that Redis would admit', async () => {
    const watched = new Redis(url, { maxRetriesPerRequest: null });
    const sent: string[] = [];
    const send = watched.sendCommand.bind(watched);
    watched.sendCommand = ((cmd: { name: string }) => {
      sent.push(cmd.name);
      return send(cmd as never);
    });
    try {
      // 5 tokens/s, burst 1: a refusal waits ~200 ms.
      const admit = createAdmission(watched, { prefix: `${prefix}:m` }, { perCustomer: { rate: 5, burst: 1 } });
      expect(await admit(msg({ customerId: 'erin' }))).toEqual({ ok: true });
      const refused = await admit(msg({ customerId: 'erin' }));
      expect(refused).toMatchObject({ ok: false, code: 'rate_limited', retryAfterSec: 1 });
      const asked = sent.length;
      for (let i = 0; i < 20; i++) expect(await admit(msg({ customerId: 'erin' }))).toMatchObject({ ok: false, code: 'rate_limited' });
      expect(sent.length).toBe(asked);
      // Another customer is asked of Redis as usual.
      expect(await admit(msg({ customerId: 'frank' }))).toEqual({ ok: true });
      expect(sent.length).toBe(asked + 1);
      // Past the wait the bucket holds a token again and Redis admits the next message.
      await new Promise((r) => setTimeout(r, 260));
      expect(await admit(msg({ customerId: 'erin' }))).toEqual({ ok: true });
    } finally {
      watched.disconnect();
    }
  });

  it('plans the charge for the accept script instead of taking it: nothing is spent until the accept runs', async () => {
    const admit = createAdmission(redis, { prefix: `${prefix}:plan` }, { perCustomer: { rate: 0.01, burst: 1 }, perChannel: { rate: 0.01, burst: 3 } });
    const p = await admit.plan!(msg({ customerId: 'gina' }));
    expect(p).toMatchObject({ ok: true, charge: { specs: [0.01, 1, 0.01, 3] } });
    expect(p.ok && p.charge?.keys).toHaveLength(2);
    // Planning twice spent nothing: the standalone check still has gina's one token.
    await admit.plan!(msg({ customerId: 'gina' }));
    expect(await admit(msg({ customerId: 'gina' }))).toEqual({ ok: true });
  });

  it('refuses as overloaded when the reasoning backlog reaches the threshold', async () => {
    const admit = createAdmission(redis, { prefix }, { maxBacklog: 3, queues: { reasoning }, backlogCacheMs: 0, overloadedRetryAfterSec: 7 });
    expect(await admit(msg())).toEqual({ ok: true });
    await reasoning.add('reasoning', { queryId: 'q1', turn: 0 });
    await reasoning.add('reasoning', { queryId: 'q2', turn: 0 }, { delay: 60_000 });
    expect(await admit(msg())).toEqual({ ok: true });
    await reasoning.add('reasoning', { queryId: 'q3', turn: 0 });
    expect(await admit(msg())).toEqual({ ok: false, code: 'overloaded', message: expect.any(String), retryAfterSec: 7 });
  });
});
