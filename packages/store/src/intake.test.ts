import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Redis } from 'ioredis';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { createKeys } from './keys.ts';
import { createQueues, type Queues } from './queues.ts';
import { createRedis } from './redis.ts';
import { QueryStore } from './queries.ts';
import { readQueryEvents } from './events.ts';
import { acceptMessage, type IntakeDeps } from './intake.ts';
import { Outbox } from './outbox.ts';

// Intake against a real Redis and real BullMQ queues (no workers: the queued jobs are inspected).
const url = inject('redisUrl');
const prefix = uniquePrefix('intake');
const keys = createKeys(prefix);
let redis: Redis;
let queues: Queues;
let deps: IntakeDeps;

beforeAll(() => {
  redis = createRedis(url);
  queues = createQueues(redis, prefix);
  deps = { redis, keys, queries: new QueryStore(redis, keys), queues, deadlineMs: 30_000 };
});
afterAll(async () => {
  await queues.close();
  await deletePrefix(url, prefix);
  redis.disconnect();
});

const AS_API = { sender: { principal: 'api' } };
const msg = (over: Record<string, unknown>) => ({ channel: 'api', text: 'where is my order #W1234567', ...over }) as never;

describe('acceptMessage', () => {
  it('starts a query: record running, turn 0 enqueued with a deterministic id, the deadline indexed (no deadline job)', async () => {
    const r = await acceptMessage(deps, msg({ conversationId: 'c_start' }), AS_API);
    if (!r.ok) throw new Error('refused');
    const q = await deps.queries.get(r.queryId);
    expect(q?.status).toBe('running');
    expect((await queues.reasoning.getJob(`${r.queryId}:t0:reason`))?.data).toEqual({ queryId: r.queryId, turn: 0 });
    expect(await redis.zscore(keys.deadlines, r.queryId)).toBe(String(q?.deadlineAtMs));
    expect(await queues.control.getJob(`${r.queryId}:q:deadline`)).toBeUndefined();
    expect((await readQueryEvents(redis, keys, r.queryId)).map((e) => e.type)).toEqual(['query.accepted']);
  });

  it('accepts a platform retry once', async () => {
    const a = await acceptMessage(deps, msg({ channel: 'slack', messageId: 'Ev1' }), AS_API);
    const b = await acceptMessage(deps, msg({ channel: 'slack', messageId: 'Ev1' }), AS_API);
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) {
      expect(b.queryId).toBe(a.queryId);
      expect(b.duplicate).toBe(true);
    }
    expect(await queues.reasoning.getJobCountByTypes('waiting')).toBeGreaterThan(0);
  });

  it('queues a second message behind the running one (default)', async () => {
    const a = await acceptMessage(deps, msg({ conversationId: 'c_queue' }), AS_API);
    const b = await acceptMessage(deps, msg({ conversationId: 'c_queue', text: 'and also…' }), AS_API);
    if (!a.ok || !b.ok) throw new Error('refused');
    expect((await deps.queries.get(b.queryId))?.status).toBe('queued');
    expect(await queues.reasoning.getJob(`${b.queryId}:t0:reason`)).toBeUndefined();
  });

  it('writes query.accepted with the accept, in its one script: started and queued, once each, on the stream and live', async () => {
    const sub = createRedis(url);
    const live: string[] = [];
    try {
      const a = await acceptMessage(deps, msg({ conversationId: 'c_event' }), AS_API);
      if (!a.ok) throw new Error('refused');
      const bId = await new Promise<string>((resolve, reject) => {
        // The second message's query id is known only from its answer: listen on every query's channel.
        void sub.psubscribe(`${prefix}:qev:*:live`).then(async () => {
          sub.on('pmessage', (_p: string, _c: string, m: string) => live.push(m));
          const b = await acceptMessage(deps, msg({ conversationId: 'c_event', text: 'and also…' }), AS_API);
          if (b.ok) resolve(b.queryId);
          else reject(new Error('refused'));
        });
      });
      // The accept sends no event script of its own any more: the script's copies are the only ones.
      for (const [queryId, queued] of [[a.queryId, false], [bId, true]] as const) {
        const events = await readQueryEvents(redis, keys, queryId);
        expect(events.map((e) => [e.type, (e.data as { queued?: boolean }).queued])).toEqual([['query.accepted', queued]]);
        const stream = await redis.xrange(keys.events, '-', '+');
        expect(stream.filter(([, f]) => f[1]!.includes(`"${queryId}:accepted"`))).toHaveLength(1);
      }
      await new Promise((r) => setTimeout(r, 50));
      expect(live.filter((m) => m.includes(`"${bId}:accepted"`))).toHaveLength(1);
    } finally {
      sub.disconnect();
    }
  });

  it('restart mode ends the running query unanswered and starts the new one with both messages', async () => {
    const d = { ...deps, doubleTexting: 'restart' as const };
    const a = await acceptMessage(d, msg({ conversationId: 'c_restart', text: 'first' }), AS_API);
    const b = await acceptMessage(d, msg({ conversationId: 'c_restart', text: 'second' }), AS_API);
    if (!a.ok || !b.ok) throw new Error('refused');
    expect(await deps.queries.get(a.queryId)).toMatchObject({ status: 'failed', reason: 'superseded' });
    expect((await deps.queries.get(b.queryId))?.status).toBe('running');
    const msgs = await redis.lrange(keys.conversationMessages('c_restart'), 0, -1);
    expect(msgs.map((m) => (JSON.parse(m) as { content: string }).content)).toEqual(['first', 'second']);
  });

  it('a crash right after accepting strands nothing: the accept script added the first job itself, and a sweep adds none again', async () => {
    // The accept script is the whole start; stopping right after it is what a crash there leaves.
    const queryId = 'q_crash_accept';
    const r = await deps.queries.accept({ queryId, conversationId: 'c_crash', principal: 'api', channel: 'api', text: 'hi', language: 'en', traceId: 'a'.repeat(32), createdMs: Date.now() }, 30_000);
    if (r.kind !== 'start') throw new Error(r.kind);
    expect(await deps.queries.get(queryId)).toMatchObject({ status: 'running', state: 'reasoning' });
    expect(await redis.zscore(keys.deadlines, queryId)).not.toBeNull();
    // Added to BullMQ by the same script (ADR 0040): nothing left to relay.
    expect(r.jobs).toEqual([]);
    expect((await queues.reasoning.getJob(`${queryId}:t0:reason`))?.data).toEqual({ queryId, turn: 0 });
    // What the sweeper does a moment later, twice (two sweepers): nothing more, one job.
    const outbox = new Outbox(redis, keys, queues);
    await outbox.relayStale(0);
    await outbox.relayStale(0);
    expect((await queues.reasoning.getWaiting()).filter((j) => j.id === `${queryId}:t0:reason`)).toHaveLength(1);
    // The deadline is no job (ADR 0027): the accept script indexed it in the deadlines set (above).
    expect(await queues.control.getJob(`${queryId}:q:deadline`)).toBeUndefined();
    expect(await outbox.size()).toBe(0);
    // The deadline job an older release's accept committed (a rolling upgrade) still relays as a delayed job.
    const legacy = JSON.stringify({ queue: 'control', jobId: `${queryId}:q:deadline`, data: { type: 'deadline', queryId }, runAt: Date.now() + 30_000 });
    await redis.zadd(keys.outbox, Date.now(), legacy);
    await outbox.relay([legacy]);
    expect((await queues.control.getJob(`${queryId}:q:deadline`))?.opts.delay).toBeGreaterThan(25_000);
    await queues.control.remove(`${queryId}:q:deadline`);
    expect(await outbox.size()).toBe(0);
    // A later message of the conversation queues behind a query that is really running.
    const next = await acceptMessage(deps, msg({ conversationId: 'c_crash' }), AS_API);
    if (!next.ok) throw new Error('refused');
    expect((await deps.queries.get(next.queryId))?.status).toBe('queued');
  });

  it('a message to a conversation a person answers is held for them: the first try guessed the agent, was refused as stale and decided again', async () => {
    const a = await acceptMessage(deps, msg({ conversationId: 'c_person' }), AS_API);
    if (!a.ok) throw new Error('refused');
    // A person took the conversation over (as the handoff script leaves it).
    await redis.hset(keys.conversation('c_person'), 'answeredBy', 'person', 'handoffId', 'h_person');
    const b = await acceptMessage(deps, msg({ conversationId: 'c_person', text: 'are you there?' }), AS_API);
    expect(b).toMatchObject({ ok: true, status: 'held', handoffId: 'h_person', duplicate: false });
    if (!b.ok) throw new Error('refused');
    expect(await deps.queries.get(b.queryId)).toMatchObject({ status: 'completed', state: 'handed_off' });
    // Held, not queued behind the agent's query and not started: no reasoning job, one query record.
    expect(await queues.reasoning.getJob(`${b.queryId}:t0:reason`)).toBeUndefined();
    expect(await redis.lrange(keys.conversationPending('c_person'), 0, -1)).toEqual([]);
    expect(await redis.lrange(keys.conversationQueries('c_person'), 0, -1)).toEqual([a.queryId, b.queryId]);
    expect((await readQueryEvents(redis, keys, b.queryId)).map((e) => e.type)).toEqual(['handoff.message']);
  });

  it('refuses a conversation that belongs to another customer, creating nothing', async () => {
    await acceptMessage(deps, msg({ conversationId: 'c_owned', customerId: 'alice_1' }), AS_API);
    const before = await redis.lrange(keys.conversationQueries('c_owned'), 0, -1);
    const r = await acceptMessage(deps, msg({ conversationId: 'c_owned', customerId: 'mallory_2' }), AS_API);
    expect(r).toMatchObject({ ok: false, code: 'customer_mismatch' });
    expect(await redis.lrange(keys.conversationQueries('c_owned'), 0, -1)).toEqual(before);
    // No event either: the refused message never became a query.
    expect((await redis.xrange(keys.events, '-', '+')).filter(([, f]) => f[1]!.includes('mallory_2'))).toEqual([]);
  });

  it('refuses a conversation that belongs to another principal, creating nothing', async () => {
    const a = await acceptMessage(deps, msg({ conversationId: 'c_princ' }), AS_API);
    if (!a.ok) throw new Error('refused');
    const r = await acceptMessage(deps, msg({ conversationId: 'c_princ', messageId: 'm1' }), { sender: { principal: 'web' } });
    expect(r).toMatchObject({ ok: false, code: 'conversation_forbidden' });
    expect(await redis.lrange(keys.conversationQueries('c_princ'), 0, -1)).toEqual([a.queryId]);
    expect(await redis.exists(keys.dedupe('web', 'api', 'm1'))).toBe(0);
    expect(await deps.queries.get(a.queryId)).toMatchObject({ principal: 'api' });
  });

  it('de-duplicates per principal: the same message id from another principal is another message', async () => {
    const a = await acceptMessage(deps, msg({ channel: 'slack', messageId: 'Ev7' }), AS_API);
    const b = await acceptMessage(deps, msg({ channel: 'slack', messageId: 'Ev7' }), { sender: { principal: 'slack' } });
    if (!a.ok || !b.ok) throw new Error('refused');
    expect(b.duplicate).toBe(false);
    expect(b.queryId).not.toBe(a.queryId);
    expect(b.conversationId).not.toBe(a.conversationId);
  });
});

describe('acceptMessage with an admission plan (buckets charged by the accept script)', () => {
  // The commands this connection sends that name a key: observed on a real connection, not mocked.
  const watched = (): { redis: Redis; naming: (key: string) => string[][] } => {
    const r = createRedis(url);
    const sent: string[][] = [];
    const send = r.sendCommand.bind(r);
    r.sendCommand = ((cmd: { name: string; args: unknown[] }) => {
      sent.push([cmd.name, ...cmd.args.map(String)]);
      return send(cmd as never);
    });
    return { redis: r, naming: (key) => sent.filter((c) => c.includes(key)) };
  };
  const planned = (bucket: string, spec: [number, number], waits: number[]): IntakeDeps['admit'] =>
    Object.assign(async () => ({ ok: true as const }), {
      plan: async () => ({ ok: true as const, charge: { keys: [bucket], specs: spec, refused: (w: number) => void waits.push(w) } }),
    });

  it('takes the token in the accept call itself, and a refusal writes nothing and reports the wait', async () => {
    const w = watched();
    const bucket = `${prefix}:ch:bucket:customer:test-one-trip`;
    const waits: number[] = [];
    const d: IntakeDeps = { ...deps, redis: w.redis, queries: new QueryStore(w.redis, keys), admit: planned(bucket, [0.01, 2], waits) };
    try {
      // A script Redis does not hold yet is sent twice (NOSCRIPT, then whole): load it first.
      await d.queries.accept({ queryId: 'q_warm', conversationId: 'c_warm', channel: 'api', text: 'hi', language: 'en', traceId: 't', createdMs: 0 });
      const a = await acceptMessage(d, msg({ conversationId: 'c_charged', messageId: 'm1' }), AS_API);
      const b = await acceptMessage(d, msg({ conversationId: 'c_charged', messageId: 'm2' }), AS_API);
      if (!a.ok || !b.ok) throw new Error('refused');
      // One command per message names the bucket, and it is the accept (it names the query too).
      const charging = w.naming(bucket);
      expect(charging).toHaveLength(2);
      expect(charging[0]!.some((arg) => arg === keys.query(a.queryId))).toBe(true);
      expect(charging[1]!.some((arg) => arg === keys.query(b.queryId))).toBe(true);
      const c = await acceptMessage(d, msg({ conversationId: 'c_charged', messageId: 'm3' }), AS_API);
      // One token back at 0.01/s takes 100 s.
      expect(c).toMatchObject({ ok: false, code: 'rate_limited' });
      expect(!c.ok && 'retryAfterSec' in c && c.retryAfterSec).toBeGreaterThan(90);
      expect(waits).toHaveLength(1);
      expect(waits[0]).toBeGreaterThan(90_000);
      expect(await redis.lrange(keys.conversationQueries('c_charged'), 0, -1)).toEqual([a.queryId, b.queryId]);
      expect(await redis.exists(keys.dedupe('api', 'api', 'm3'))).toBe(0);
      expect(Number(await redis.hget(bucket, 'tokens'))).toBeLessThan(1);
    } finally {
      w.redis.disconnect();
    }
  });

  it('charges a message once when the first try is refused as stale and decided again', async () => {
    const bucket = `${prefix}:ch:bucket:customer:test-stale`;
    const d: IntakeDeps = { ...deps, admit: planned(bucket, [0.001, 5], []) };
    const a = await acceptMessage(d, msg({ conversationId: 'c_charged_person' }), AS_API);
    if (!a.ok) throw new Error('refused');
    await redis.hset(keys.conversation('c_charged_person'), 'answeredBy', 'person', 'handoffId', 'h_charged');
    const b = await acceptMessage(d, msg({ conversationId: 'c_charged_person', text: 'hello?' }), AS_API);
    expect(b).toMatchObject({ ok: true, status: 'held' });
    // Two messages, two tokens (of 5): the stale try and the held one were one charge.
    expect(Number(await redis.hget(bucket, 'tokens'))).toBeCloseTo(3, 1);
  });
});
