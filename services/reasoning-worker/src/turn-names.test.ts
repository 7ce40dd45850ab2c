import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { jobIds, newConversationId, newQueryId, newTraceId } from '@steward/core';
import { commerceTools } from '@steward/commerce';
import { parseTextReply } from '@steward/llm';
import { emitEvent } from '@steward/store';
import { createLogger, nameRevealingToolCall } from '@steward/telemetry';
import { ToolRegistry } from '@steward/tools';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { completion } from './test-completion.ts';
import { startReasoningWorker, type RunningReasoningWorker } from './service.ts';

// The names a conversation's tools learned earlier are redacted from a reasoning job's lines
// (issue 12). The reasoning-worker reads them with the turn's load (one script), not in a
// prelude trip before it: on real Redis and BullMQ, a line the job writes during the model call
// still has the earlier query's name redacted, uncued.
const url = inject('redisUrl');
const prefix = uniquePrefix('rw-names');
const chunks: string[] = [];
const log = createLogger({
  service: 'turn-names-test',
  level: 'info',
  redact: true,
  destination: new Writable({
    write(c: Buffer, _e, cb) {
      chunks.push(c.toString());
      cb();
    },
  }),
});
let rw: RunningReasoningWorker;


beforeAll(async () => {
  rw = await startReasoningWorker({
    redisUrl: url,
    prefix,
    registry: new ToolRegistry(commerceTools),
    llm: {
      model: 'gpt-4o-mini',
      complete: async () => {
        // A line of code that knows nothing of the job, written inside it.
        log.info({ text: 'yusuf here again, ROSSI' }, 'customer said');
        return completion('Done.');
      },
    },
    parseText: parseTextReply,
    log,
    concurrency: 1,
  });
});
afterAll(async () => {
  await rw?.close();
  await deletePrefix(url, prefix);
});

describe('names learned earlier in the conversation, read with the turn', () => {
  it('are redacted from the reasoning job’s lines', async () => {
    const conversationId = newConversationId();
    // An earlier query's get_user_details revealed Yusuf Rossi.
    await emitEvent(rw.deps.redis, rw.deps.keys, nameRevealingToolCall(newQueryId(), conversationId));
    const queryId = newQueryId();
    const started = await rw.deps.queries.accept(
      { queryId, conversationId, customerId: undefined, channel: 'api', text: 'is my parcel coming?', language: 'en', traceId: newTraceId(), createdMs: Date.now() },
      60_000,
    );
    if (started.kind !== 'start') throw new Error(`query did not start: ${started.kind}`);
    const until = Date.now() + 10_000;
    while (!chunks.join('').includes('customer said') && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    const line = chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'customer said');
    expect(line).toMatchObject({ queue: 'reasoning', jobId: jobIds.reason(queryId, 0), queryId, conversationId, text: '[name] here again, [name]' });
    expect(JSON.stringify(line)).not.toMatch(/yusuf|rossi(?!_)/i);
  });
});
