import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { newConversationId, newQueryId, newTraceId } from '@steward/core';
import { commerceTools } from '@steward/commerce';
import { parseTextReply, type LlmCompletion, type LlmRequest } from '@steward/llm';
import { readQueryEvents } from '@steward/store';
import { createLogger } from '@steward/telemetry';
import { ToolRegistry } from '@steward/tools';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { completion } from './test-completion.ts';
import { startReasoningWorker, type RunningReasoningWorker } from './service.ts';

// The working memory's new request is sent before the model call but awaited only after it
// (process-turn.ts). What must still hold, on real Redis and BullMQ: the turn's step (taken in
// this worker, right after the call) never runs before the memory is stored, and a failed memory
// write fails the turn for a retry instead of deciding a turn whose request was not recorded.
const url = inject('redisUrl');
const prefix = uniquePrefix('rw-mem');
const log = createLogger({ service: 'memory-before-decide-test', level: 'silent' });
let rw: RunningReasoningWorker;
/** Per model call: the query's state and the memory stored when the call returned. */
const seen: { state: string; status: string; memory: string }[] = [];
let current = { queryId: '', conversationId: '' };
let failNextMemoryWrite = false;


beforeAll(async () => {
  rw = await startReasoningWorker({
    redisUrl: url,
    prefix,
    registry: new ToolRegistry(commerceTools),
    llm: {
      model: 'gpt-4o-mini',
      async complete(_req: LlmRequest): Promise<LlmCompletion> {
        // A model call long enough for a write sent before it to have been applied by now.
        await new Promise((r) => setTimeout(r, 50));
        const { redis, keys } = rw.deps;
        const [state, status] = await redis.hmget(keys.query(current.queryId), 'state', 'status');
        seen.push({ state: state ?? '', status: status ?? '', memory: (await redis.hget(keys.conversation(current.conversationId), 'memory')) ?? '' });
        return completion('Your order is on its way.');
      },
    },
    parseText: parseTextReply,
    log,
    concurrency: 2,
  });
  // Fault injection on the store's own method (the real write still goes to Redis otherwise):
  // the first write that carries the memory fails as a lost connection would.
  const conversations = rw.deps.conversations;
  const setFields = conversations.setFields.bind(conversations);
  conversations.setFields = async (id, fields) => {
    if (failNextMemoryWrite && fields.memory !== undefined) {
      failNextMemoryWrite = false;
      throw new Error('injected: memory write lost');
    }
    return setFields(id, fields);
  };
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

/** Waits for the query's step on turn 0 (here: the answer ends the query). */
async function completed(queryId: string, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if ((await rw.deps.redis.hget(rw.deps.keys.query(queryId), 'status')) === 'completed') return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

describe('the memory write runs alongside the model call', () => {
  it('is stored before the model returns and before the step is taken', async () => {
    seen.length = 0;
    const text = 'Please cancel my order #W1234567, it has not shipped.';
    const q = await startQuery(text);
    expect(await completed(q.queryId, 10_000)).toBe(true);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ state: 'reasoning', status: 'running' });
    expect(seen[0]!.memory).toContain(q.queryId);
    const stored = await rw.deps.redis.hget(rw.deps.keys.conversation(q.conversationId), 'memory');
    expect(stored).toContain(q.queryId);
    const events = (await readQueryEvents(rw.deps.redis, rw.deps.keys, q.queryId)).filter((e) => e.type === 'llm.call');
    expect(events).toHaveLength(1);
  });

  it('a failed write fails the turn after the call: no step until a retry stored the memory', async () => {
    seen.length = 0;
    failNextMemoryWrite = true;
    const q = await startQuery('Where is my order #W7654321? It was due yesterday.');
    // The first attempt asks the model, then fails on the write: BullMQ retries it after its backoff (500 ms).
    expect(await completed(q.queryId, 15_000)).toBe(true);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatchObject({ state: 'reasoning', status: 'running', memory: '' });
    // The failed attempt took no step: the retry found the query still waiting for turn 0.
    expect(seen[1]).toMatchObject({ state: 'reasoning', status: 'running' });
    expect(seen[1]!.memory).toContain(q.queryId);
    // The failed attempt emitted nothing: one llm.call event, the retry's.
    const events = (await readQueryEvents(rw.deps.redis, rw.deps.keys, q.queryId)).filter((e) => e.type === 'llm.call');
    expect(events).toHaveLength(1);
    expect(await rw.deps.queries.get(q.queryId)).toMatchObject({ outcome: 'answered', answer: 'Your order is on its way.' });
  });
});
