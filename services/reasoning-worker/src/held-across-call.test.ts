import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { newConversationId, newQueryId, newTraceId } from '@steward/core';
import { commerceTools } from '@steward/commerce';
import { parseTextReply, type LlmCompletion, type LlmRequest } from '@steward/llm';
import { createLogger } from '@steward/telemetry';
import { ToolRegistry } from '@steward/tools';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { completion } from './test-completion.ts';
import { startReasoningWorker, type RunningReasoningWorker } from './service.ts';

// A turn waits for the model for its whole latency (800 ms at the use case's peak, ~65 turns in
// flight per worker): whatever it still references meanwhile is copied by every scavenge. The
// prompt's messages go to the LLM client, which keeps only their encoded body (llm-client.ts);
// the turn itself must not hold them either (prepare-call.ts). (The offered tool definitions are
// arrays shared by every turn that offers the same set: turn-input.ts.)
const url = inject('redisUrl');
const prefix = uniquePrefix('rw-held');
const log = createLogger({ service: 'held-across-call-test', level: 'silent' });
let rw: RunningReasoningWorker;
let release: () => void = () => undefined;
let inCall: (refs: WeakRef<object>[]) => void = () => undefined;

beforeAll(async () => {
  setFlagsFromString('--expose-gc');
  rw = await startReasoningWorker({
    redisUrl: url,
    prefix,
    registry: new ToolRegistry(commerceTools),
    llm: {
      model: 'gpt-4o-mini',
      // Keeps nothing of the request but weak references: only the turn could keep it alive.
      complete(req: LlmRequest): Promise<LlmCompletion> {
        inCall([new WeakRef(req.messages)]);
        return new Promise<void>((r) => (release = r)).then(() => completion('Your order has shipped.'));
      },
    },
    parseText: parseTextReply,
    log,
    concurrency: 1,
  });
});

afterAll(async () => {
  release();
  await rw?.close();
  await deletePrefix(url, prefix);
});

describe('a turn waiting for the model', () => {
  it("references none of the prompt's messages", async () => {
    const called = new Promise<WeakRef<object>[]>((r) => (inCall = r));
    const queryId = newQueryId();
    const started = await rw.deps.queries.accept(
      { queryId, conversationId: newConversationId(), customerId: undefined, channel: 'api', text: 'Where is my order #W1234567? It has not arrived.', language: 'en', traceId: newTraceId(), createdMs: Date.now() },
      60_000,
    );
    expect(started.kind).toBe('start');
    const refs = await called;
    expect(refs).toHaveLength(1);
    // A new task: WeakRef targets are kept only until the task that made them ends.
    await new Promise((r) => setTimeout(r, 20));
    (runInNewContext('gc') as () => void)();
    expect(refs.map((r) => r.deref())).toEqual([undefined]);
    release();
    const until = Date.now() + 10_000;
    while (Date.now() < until && (await rw.deps.redis.hget(rw.deps.keys.query(queryId), 'status')) !== 'completed') await new Promise((r) => setTimeout(r, 10));
    expect((await rw.deps.queries.get(queryId))?.answer).toBe('Your order has shipped.');
  });
});
