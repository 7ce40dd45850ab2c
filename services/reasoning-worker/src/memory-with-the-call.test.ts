import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { jobIds, newConversationId, newQueryId, newTraceId, StewardError } from '@steward/core';
import { commerceTools } from '@steward/commerce';
import { parseTextReply, type LlmCompletion, type LlmRequest } from '@steward/llm';
import { readQueryEvents } from '@steward/store';
import { createLogger } from '@steward/telemetry';
import { ToolRegistry } from '@steward/tools';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { completion } from './test-completion.ts';
import { startReasoningWorker, type RunningReasoningWorker } from './service.ts';

// The working memory's new request is stored by the script the turn sends after its model call,
// before that script applies the step or adds a job (ADR 0042). What must hold, on real Redis and
// BullMQ: nothing acts on the turn (no tool job, no completion) without the memory that records
// its request, and a call that fails for a retry stores nothing, the retry storing it once.
const url = inject('redisUrl');
const prefix = uniquePrefix('rw-mem');
const log = createLogger({ service: 'memory-with-the-call-test', level: 'silent' });
let rw: RunningReasoningWorker;
/** Per model call: the query's state and the memory stored when the call was made. */
const seen: { state: string; memory: string }[] = [];
let current = { queryId: '', conversationId: '' };
let failNextCall = false;
let reply: () => LlmCompletion = () => completion('Your order is on its way.');

beforeAll(async () => {
  rw = await startReasoningWorker({
    redisUrl: url,
    prefix,
    registry: new ToolRegistry(commerceTools),
    llm: {
      model: 'gpt-4o-mini',
      async complete(_req: LlmRequest): Promise<LlmCompletion> {
        const { redis, keys } = rw.deps;
        const [state] = await redis.hmget(keys.query(current.queryId), 'state');
        seen.push({ state: state ?? '', memory: (await redis.hget(keys.conversation(current.conversationId), 'memory')) ?? '' });
        if (failNextCall) {
          failNextCall = false;
          throw new StewardError('llm_unavailable', 'injected: the provider is down', { kind: 'unavailable' });
        }
        return reply();
      },
    },
    parseText: parseTextReply,
    log,
    concurrency: 2,
  });
});

afterAll(async () => {
  await rw?.close();
  await deletePrefix(url, prefix);
});

async function startQuery(text: string): Promise<{ queryId: string; conversationId: string }> {
  const q = { queryId: newQueryId(), conversationId: newConversationId() };
  current = q;
  const started = await rw.deps.queries.accept({ ...q, customerId: undefined, channel: 'api', text, language: 'en', traceId: newTraceId(), createdMs: Date.now() }, 60_000);
  if (started.kind !== 'start') throw new Error(`query did not start: ${started.kind}`);
  return q;
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

const memoryOf = async (conversationId: string) => (await rw.deps.redis.hget(rw.deps.keys.conversation(conversationId), 'memory')) ?? '';

describe('the working memory goes with the call', () => {
  it('is stored by the script that ends the query, not before the model returns', async () => {
    seen.length = 0;
    reply = () => completion('Your order is on its way.');
    const q = await startQuery('Please cancel my order #W1234567, it has not shipped.');
    expect(await until(async () => (await rw.deps.redis.hget(rw.deps.keys.query(q.queryId), 'status')) === 'completed', 10_000)).toBe(true);
    expect(seen).toEqual([{ state: 'reasoning', memory: '' }]);
    expect(await memoryOf(q.conversationId)).toContain(q.queryId);
  });

  it('a tool job never exists without the memory that records the request', async () => {
    seen.length = 0;
    reply = () =>
      completion({ role: 'assistant', content: '', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_order_details', arguments: '{"order_id":"#W7654321"}' } }] });
    const q = await startQuery('Where is my order #W7654321? It was due yesterday.');
    const toolJob = rw.deps.queues.tools.toKey(jobIds.toolCall(q.queryId, 0, 0));
    // Sampled as the turn runs: whenever the call's job is there, so is the memory.
    let sawJob = false;
    const done = await until(async () => {
      const [exists, memory] = await Promise.all([rw.deps.redis.exists(toolJob), memoryOf(q.conversationId)]);
      if (exists) {
        sawJob = true;
        expect(memory).toContain(q.queryId);
      }
      return exists === 1;
    }, 10_000);
    expect(done && sawJob).toBe(true);
    expect(seen).toEqual([{ state: 'reasoning', memory: '' }]);
  });

  it('a call that fails for a retry stores nothing; the retry stores the memory with its step', async () => {
    seen.length = 0;
    reply = () => completion('Your refund is on its way.');
    failNextCall = true;
    const q = await startQuery('Where is my refund for order #W2222222?');
    // The first attempt fails at the model: BullMQ retries it after its backoff (500 ms).
    expect(await until(async () => (await rw.deps.redis.hget(rw.deps.keys.query(q.queryId), 'status')) === 'completed', 15_000)).toBe(true);
    expect(seen).toEqual([
      { state: 'reasoning', memory: '' },
      { state: 'reasoning', memory: '' },
    ]);
    expect(await memoryOf(q.conversationId)).toContain(q.queryId);
    // The failed attempt emitted nothing: one llm.call event, the retry's.
    const events = (await readQueryEvents(rw.deps.redis, rw.deps.keys, q.queryId)).filter((e) => e.type === 'llm.call');
    expect(events).toHaveLength(1);
    expect(await rw.deps.queries.get(q.queryId)).toMatchObject({ outcome: 'answered', answer: 'Your refund is on its way.' });
  });
});
