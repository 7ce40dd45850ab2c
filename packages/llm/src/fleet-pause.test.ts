import { describe, it, expect, inject, afterEach } from 'vitest';
import { Redis } from 'ioredis';
import { Queue, Worker, QueueEvents, type Job } from 'bullmq';
import { uniquePrefix, deletePrefix } from '@steward/testing';
import { createLlmClient } from './llm-client.ts';
import { startScriptedChatServer, chatCompletionBody, type ScriptedChatServer } from './testing/scripted-chat-server.ts';
import { pauseFleet, isFleetRateLimit, fleetPauseMs, FLEET_PAUSE_LIMITER } from './fleet-pause.ts';

const url = inject('redisUrl');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const conn = () => new Redis(url, { maxRetriesPerRequest: null });

describe('pauseFleet', () => {
  it('a 429 seen by one worker stops the other worker from taking jobs until the pause ends', async () => {
    const prefix = uniquePrefix('fleet');
    const name = 'reasoning';
    // The provider: the first call is rate limited for 2 s, every later call succeeds.
    const server: ScriptedChatServer = await startScriptedChatServer([
      { status: 429, headers: { 'retry-after': '2' }, body: { error: { message: 'Rate limit reached' } } },
      { body: chatCompletionBody({ content: 'ok' }) },
    ]);
    cleanups.push(() => server.close());
    const llm = createLlmClient({ baseURL: server.baseURL, apiKey: 'k', model: 'gpt-4o-mini', maxRateLimitRetries: 0 });

    const queue = new Queue(name, { connection: conn(), prefix });
    const events = new QueueEvents(name, { connection: conn(), prefix });
    await events.waitUntilReady();
    cleanups.push(async () => {
      await events.close();
      await queue.close();
      await deletePrefix(url, prefix);
    });

    const runs: { worker: string; job: string; at: number; outcome: string }[] = [];
    let pausedAt = 0;
    let pausedBy = '';
    let onPaused: () => void = () => {};
    const paused = new Promise<void>((r) => (onPaused = r));
    const processor = (worker: string) => async (job: Job) => {
      try {
        const r = await llm.complete({ messages: [{ role: 'user', content: String(job.data.q) }] });
        runs.push({ worker, job: job.name, at: Date.now(), outcome: 'ok' });
        return r.message.content;
      } catch (e) {
        runs.push({ worker, job: job.name, at: Date.now(), outcome: 'rate_limited' });
        if (!isFleetRateLimit(e)) throw e;
        pausedAt = Date.now();
        pausedBy = worker;
        try {
          return await pauseFleet(queue, fleetPauseMs(e));
        } finally {
          onPaused();
        }
      }
    };
    const workers = ['A', 'B'].map(
      (w) => new Worker(name, processor(w), { connection: conn(), prefix, concurrency: 1, limiter: FLEET_PAUSE_LIMITER }),
    );
    cleanups.push(async () => void (await Promise.all(workers.map((w) => w.close()))));
    await Promise.all(workers.map((w) => w.waitUntilReady()));

    const first = await queue.add('first', { q: 'where is my order?' });
    await paused;
    // The fleet is paused: the limiter key is set for the whole queue.
    const ttl = await queue.getRateLimitTtl();
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(2_000);

    const second = await queue.add('second', { q: 'and my refund?' });
    // Both workers are idle and free, yet neither takes the new job while the limit holds.
    expect(await second.getState()).toBe('waiting');
    // The rate-limited job goes back to wait (BullMQ moves it once the processor has thrown).
    let state = await first.getState();
    for (let i = 0; i < 100 && state === 'active'; i++) state = await new Promise((r) => setTimeout(r, 10)).then(() => first.getState());
    expect(state).toBe('waiting');
    expect(await second.getState()).toBe('waiting');

    await Promise.all([first.waitUntilFinished(events, 30_000), second.waitUntilFinished(events, 30_000)]);
    const other = pausedBy === 'A' ? 'B' : 'A';
    const after = runs.filter((r) => r.outcome === 'ok');
    expect(after.map((r) => r.job).sort()).toEqual(['first', 'second']);
    // Nothing ran before the pause expired (the 429's Retry-After of 2 s), on either worker;
    // 20 ms allows for Redis's and Node's millisecond clocks rounding differently.
    for (const r of after) expect(r.at).toBeGreaterThanOrEqual(pausedAt + 2_000 - 20);
    expect(runs.filter((r) => r.worker === other && r.at < pausedAt + 2_000 - 20)).toEqual([]);
    // The 429 attempt did not count as a failed attempt.
    expect((await queue.getJob(first.id!))?.attemptsMade).toBe(1);
    expect(server.requests).toHaveLength(3);
  });
});
