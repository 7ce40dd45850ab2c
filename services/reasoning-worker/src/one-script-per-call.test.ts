import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { jobIds, newConversationId, newQueryId, newTraceId } from '@steward/core';
import { commerceTools } from '@steward/commerce';
import { costKeys, readCost } from '@steward/llm/ledger';
import { parseTextReply, type LlmCompletion, type LlmRequest } from '@steward/llm';
import { markWatched } from '@steward/store';
import { createLogger } from '@steward/telemetry';
import { ToolRegistry } from '@steward/tools';
import { deletePrefix, monitorRedis, uniquePrefix, type RedisMonitor } from '@steward/testing';
import { completion } from './test-completion.ts';
import { startReasoningWorker, type RunningReasoningWorker } from './service.ts';

// What a streamed, answered turn sends to Redis once its model call returned, seen by MONITOR on
// a real Redis: the llm.call event, the call's cost record and the streamed answer's
// last message go in one script (writeLlmCall), not as an EVALSHA per part and a PUBLISH.
const url = inject('redisUrl');
const prefix = uniquePrefix('rw-one');
const log = createLogger({ service: 'one-script-per-call-test', level: 'silent' });
let rw: RunningReasoningWorker;
let mon: RedisMonitor;
/** Every command Redis received while the turn ran, in order, and whether a script ran it. */
let seen: { argv: string[]; inScript: boolean }[] = [];
let recording = false;
/** Whether each model request the worker made was asked to stream (an onDelta given), in order. */
let streamedRequests: boolean[] = [];

function answer(text: string): LlmCompletion {
  return completion(text, { inputTokens: 40, outputTokens: 8, costUsd: 0.001 });
}

function cancel(): LlmCompletion {
  const done = answer('');
  return {
    ...done,
    message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'cancel_pending_order', arguments: '{"order_id":"#W7654321","reason":"no longer needed"}' } }] },
    finishReason: 'tool_calls',
  };
}

function lookUp(): LlmCompletion {
  const done = answer('');
  return {
    ...done,
    message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'get_order_details', arguments: '{"order_id":"#W1234567"}' } }] },
    finishReason: 'tool_calls',
  };
}

beforeAll(async () => {
  // MONITOR names the source of a command a script ran "lua".
  mon = await monitorRedis(url, (_time: string, argv: string[], source: string) => {
    if (recording) seen.push({ argv, inScript: /lua/i.test(source) });
  });
  rw = await startReasoningWorker({
    redisUrl: url,
    prefix,
    registry: new ToolRegistry(commerceTools),
    stream: true,
    llm: {
      model: 'gpt-4o-mini',
      async complete(req: LlmRequest): Promise<LlmCompletion> {
        streamedRequests.push(req.onDelta !== undefined);
        // A write the confirmation policy guards, asked for the first time: the model proposes it.
        const asked = JSON.stringify(req.messages);
        if (asked.includes('Cancel order') && req.messages.at(-1)?.role !== 'tool') return cancel();
        // A read (no confirmation): its tool job waits, no tool-worker runs here.
        if (asked.includes('Look up order')) return lookUp();
        // The whole reply arrives in one network read: its text is still buffered when the call returns.
        req.onAttempt?.(1);
        req.onDelta?.({ kind: 'content', text: 'Your order has shipped.' });
        return answer('Your order has shipped.');
      },
    },
    parseText: parseTextReply,
    log,
    concurrency: 1,
    steps: { requireConfirmation: true },
  });
});

afterAll(async () => {
  recording = false;
  await rw?.close();
  mon.close();
  await deletePrefix(url, prefix);
});

async function start(text: string, o: { watched: boolean; channel?: string } = { watched: true }): Promise<{ queryId: string; conversationId: string }> {
  const queryId = newQueryId();
  const conversationId = newConversationId();
  const started = await rw.deps.queries.accept({ queryId, conversationId, customerId: undefined, channel: o.channel ?? 'api', text, language: 'en', traceId: newTraceId(), createdMs: Date.now() }, 60_000);
  if (started.kind !== 'start') throw new Error(`query did not start: ${started.kind}`);
  // As the ingress does while a client holds the conversation's or the query's event stream open.
  if (o.watched) expect(await markWatched(rw.deps.redis, rw.deps.keys, conversationId)).toBe(true);
  seen = [];
  streamedRequests = [];
  recording = true;
  return { queryId, conversationId };
}

async function completed(queryId: string): Promise<boolean> {
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    if ((await rw.deps.redis.hget(rw.deps.keys.query(queryId), 'status')) === 'completed') return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

describe('after the model call, one script', () => {
  it('carries the event, the cost record and the last streamed message', async () => {
    const { queryId, conversationId } = await start('Where is my order #W1234567?');
    expect(await completed(queryId)).toBe(true);
    // MONITOR lines arrive on their own connection: give it a moment after the last write.
    await new Promise((r) => setTimeout(r, 100));
    recording = false;
    const { keys } = rw.deps;
    const mine = (argv: string[]) => argv.some((a) => a.includes(queryId) || a.includes(conversationId));
    const top = seen.filter((c) => !c.inScript && mine(c.argv)).map((c) => c.argv);
    const costSeen = costKeys.seen(keys.prefix, `${queryId}:t0:reason`);
    // The cost record is not a command of its own: it is in the script that writes the llm.call
    // event (an EVALSHA, or its EVAL the first time the script is not yet loaded).
    const withCost = top.filter((argv) => argv.includes(costSeen));
    expect(withCost.length).toBeGreaterThan(0);
    for (const argv of withCost) {
      expect(argv).toContain(keys.events);
      expect(argv).toContain(keys.queryEvents(queryId));
    }
    // No PUBLISH of the answer's text outside a script: the last message went with the event.
    expect(top.filter((argv) => argv[0]?.toLowerCase() === 'publish')).toEqual([]);
    const fromScripts = seen.map((c) => c.argv).filter((argv) => argv[0]?.toLowerCase() === 'publish' && argv[1] === keys.queryChannel(queryId)).map((argv) => JSON.parse(argv[2]!) as { type?: string; text?: string });
    expect(fromScripts[0]).toMatchObject({ type: 'answer.delta', text: 'Your order has shipped.' });
    expect(fromScripts[1]).toMatchObject({ type: 'llm.call' });
    // And what it wrote is all there.
    expect(await readCost(rw.deps.redis, costKeys.query(keys.prefix, queryId))).toMatchObject({ inputTokens: 40, outputTokens: 8, calls: 1 });
    expect(await rw.deps.redis.hget(keys.conversation(conversationId), 'promptPrefix')).toBeTruthy();
    expect(streamedRequests).toEqual([true]);
  });

  it('streams nothing when no live client watches the conversation (ADR 0032)', async () => {
    const { queryId } = await start('Where is my order #W1234567?', { watched: false });
    expect(await completed(queryId)).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    recording = false;
    const { keys } = rw.deps;
    // The model was asked without a stream, and nothing of the answer went to the live channel.
    expect(streamedRequests).toEqual([false]);
    const pieces = seen.map((c) => c.argv).filter((argv) => argv[0]?.toLowerCase() === 'publish' && argv[1] === keys.queryChannel(queryId) && argv[2]?.includes('"answer.'));
    expect(pieces).toEqual([]);
    expect((await rw.deps.queries.get(queryId))?.answer).toBe('Your order has shipped.');
  });

  it("streams a web-chat query without the mark: the page opens a new conversation's stream only after its first call started", async () => {
    const { queryId } = await start('Where is my order #W1234567?', { watched: false, channel: 'web' });
    expect(await completed(queryId)).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    recording = false;
    const { keys } = rw.deps;
    expect(streamedRequests).toEqual([true]);
    const pieces = seen.map((c) => c.argv).filter((argv) => argv[0]?.toLowerCase() === 'publish' && argv[1] === keys.queryChannel(queryId) && argv[2]?.includes('"answer.'));
    expect(pieces.length).toBeGreaterThan(0);
  });

  it('reads the confirmation state of a guarded write in that script, not beside it', async () => {
    const { queryId, conversationId } = await start('Cancel order #W7654321 now, I no longer need it.');
    expect(await completed(queryId)).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    recording = false;
    const { keys } = rw.deps;
    const top = seen.filter((c) => !c.inScript).map((c) => c.argv);
    // (The observe step taken in place after the refusal reads the memory with an HGET of its own.)
    const reads = top.filter(
      (argv) =>
        (argv[0]?.toLowerCase() === 'hget' && argv[1] === keys.conversation(conversationId) && argv[2] === 'pendingConfirmation') ||
        (argv[0]?.toLowerCase() === 'lrange' && argv[1] === keys.conversationQueries(conversationId)),
    );
    expect(reads).toEqual([]);
    // The policy still saw it: the write was refused for confirmation, and the customer asked.
    const q = await rw.deps.queries.get(queryId);
    expect(q).toMatchObject({ status: 'completed', toolCalls: 1 });
    const { results } = await rw.deps.steps.dags.results(queryId, 0);
    expect(results[0]).toMatchObject({ ok: false, errorType: 'confirmation_required' });
  });

  // ADR 0034: the step decided before the call is applied by that script; the turn waits for no
  // ADVANCE or COMPLETE (nor the done TTL) of its own after it.
  it('applies the answer\'s ending in that script: no COMPLETE or done TTL sent after it', async () => {
    const { queryId } = await start('Where is my parcel for order #W1234567?');
    expect(await completed(queryId)).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    recording = false;
    const { keys } = rw.deps;
    const top = seen.filter((c) => !c.inScript).map((c) => c.argv);
    const costSeen = costKeys.seen(keys.prefix, `${queryId}:t0:reason`);
    const calls = top.filter((argv) => argv.includes(costSeen));
    expect(calls.length).toBeGreaterThan(0);
    // The completion event is an argument of the call's script, and of no command of its own.
    const completion = top.filter((argv) => argv.some((a) => a.includes(`"${queryId}:completed"`)));
    expect(completion).toEqual(calls);
    // The done TTL's keys (the query's history) go with it too; before, DONE_TTL was one more EVALSHA.
    const history = top.filter((argv) => argv.includes(keys.queryHistory(queryId)));
    expect(history).toEqual(calls);
    expect(await rw.deps.redis.ttl(keys.query(queryId))).toBeLessThanOrEqual(rw.deps.queries['retention'].queryDoneTtlSec);
  });

  it('applies the tool step (the DAG, the outbox job) in that script: the tool job is added with no ADVANCE between', async () => {
    const { queryId } = await start('Look up order #W1234567 for me.');
    const { keys } = rw.deps;
    const until = Date.now() + 10_000;
    while (!(await rw.deps.queues.tools.getJob(jobIds.toolCall(queryId, 0, 0))) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    recording = false;
    expect(await rw.deps.queries.get(queryId)).toMatchObject({ status: 'running', state: 'acting', turn: 0, toolCalls: 1 });
    const top = seen.filter((c) => !c.inScript).map((c) => c.argv);
    const costSeen = costKeys.seen(keys.prefix, `${queryId}:t0:reason`);
    // The turn's DAG key is named by the call's script only: no ADVANCE of its own.
    const dag = top.filter((argv) => argv.includes(keys.dag(queryId, 0)));
    expect(dag.length).toBeGreaterThan(0);
    for (const argv of dag) expect(argv).toContain(costSeen);
    // And its outbox entry is relayed and dropped, as after ADVANCE.
    expect((await rw.deps.redis.zrange(keys.outbox, '0', '-1')).filter((m) => m.includes(queryId))).toEqual([]);
  });
});
