import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { jobIds, newConversationId, newQueryId, newTraceId } from '@steward/core';
import { commerceTools } from '@steward/commerce';
import { parseTextReply, type LlmCompletion, type LlmRequest } from '@steward/llm';
import { Outbox, readQueryEvents } from '@steward/store';
import { handleDeadline } from '@steward/steps';
import { createLogger } from '@steward/telemetry';
import { ToolRegistry } from '@steward/tools';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { startReasoningWorker, type RunningReasoningWorker } from './service.ts';

// The turn's step is taken in the reasoning-worker, where the proposal arrives (ADR 0016): on
// real Redis and BullMQ, with no controller running, a proposal becomes its tool jobs or the
// query's ending without any job on the `control` queue, and the kernel's rules that take the
// decision — the confirmation policy, the budgets — still apply (the same onProposal).
const url = inject('redisUrl');
const prefix = uniquePrefix('rw-decide');
const log = createLogger({ service: 'decide-in-place-test', level: 'silent' });
/** Per query text: the scripted model's reply (tool calls, and the tokens it reports). */
const replies = new Map<string, { calls: { name: string; args: Record<string, unknown> }[]; inputTokens: number }>();
let rw: RunningReasoningWorker;

function reply(req: LlmRequest): LlmCompletion {
  const asked = JSON.stringify(req.messages);
  const r = [...replies].find(([text]) => asked.includes(text))?.[1];
  if (!r) throw new Error('no scripted reply for this request');
  const now = Date.now();
  return {
    message: {
      role: 'assistant',
      content: null,
      tool_calls: r.calls.map((c, i) => ({ id: `call_${i}`, type: 'function' as const, function: { name: c.name, arguments: JSON.stringify(c.args) } })),
    },
    usage: { model: 'test-model', provider: 'test', inputTokens: r.inputTokens, outputTokens: 5, cachedInputTokens: 0, costUsd: 0, startMs: now, endMs: now, retries: 0 },
    retries: 0,
    finishReason: 'tool_calls',
    reasoningTokens: 0,
    quirks: [],
  };
}

beforeAll(async () => {
  rw = await startReasoningWorker({
    redisUrl: url,
    prefix,
    registry: new ToolRegistry(commerceTools),
    llm: { model: 'gpt-4o-mini', complete: async (req) => reply(req) },
    parseText: parseTextReply,
    log,
    concurrency: 2,
    // The step rules as the controller's configuration section gives them.
    steps: { requireConfirmation: true, budgets: { maxQueryTokens: 1_000 } },
  });
});

afterAll(async () => {
  await rw?.close();
  await deletePrefix(url, prefix);
});

async function ask(text: string): Promise<string> {
  const queryId = newQueryId();
  const started = await rw.deps.queries.accept(
    { queryId, conversationId: newConversationId(), customerId: undefined, channel: 'api', text, language: 'en', traceId: newTraceId(), createdMs: Date.now() },
    60_000,
  );
  if (started.kind !== 'start') throw new Error(`query did not start: ${started.kind}`);
  await new Outbox(rw.deps.redis, rw.deps.keys, rw.deps.queues).relay(started.jobs);
  return queryId;
}

/** Waits until the query left turn 0's reasoning (the step was applied) and returns its record. */
async function stepped(queryId: string) {
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    const q = await rw.deps.queries.get(queryId);
    if (q && (q.status !== 'running' || q.state !== 'reasoning')) return q;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`query ${queryId} took no step`);
}

/** The query's jobs on the control queue, by type (its deadline job is always there, delayed). */
async function controlJobsOf(queryId: string): Promise<string[]> {
  const jobs = await rw.deps.queues.control.getJobs(['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed']);
  return jobs.filter((j) => (j.data as { queryId?: string }).queryId === queryId).map((j) => String((j.data as { type?: string }).type));
}

async function decisions(queryId: string): Promise<string[]> {
  return (await readQueryEvents(rw.deps.redis, rw.deps.keys, queryId)).filter((e) => e.type === 'control.decision').map((e) => String(e.data.kind));
}

describe('the step on a proposal, taken in the reasoning-worker', () => {
  it('turns tool calls into the turn\'s tool jobs with no job on the control queue', async () => {
    const text = 'Where is my order #W1234567?';
    replies.set(text, { calls: [{ name: 'get_order_details', args: { order_id: '#W1234567' } }], inputTokens: 100 });
    const queryId = await ask(text);
    const q = await stepped(queryId);
    expect(q).toMatchObject({ status: 'running', state: 'acting', turn: 0, toolCalls: 1, inputTokens: 100 });
    const tool = await rw.deps.queues.tools.getJob(jobIds.toolCall(queryId, 0, 0));
    expect(tool?.data).toMatchObject({ queryId, turn: 0, index: 0, name: 'get_order_details', arguments: { order_id: '#W1234567' } });
    expect(await rw.deps.redis.exists(rw.deps.queues.control.toKey(jobIds.decide(queryId, 0)))).toBe(0);
    expect(await controlJobsOf(queryId)).toEqual(['deadline']);
    // The trace order holds: the model's call is in the stream before anything the step emits.
    const types = (await readQueryEvents(rw.deps.redis, rw.deps.keys, queryId)).map((e) => e.type);
    expect(types[0]).toBe('llm.call');
  });

  it('refuses a write the customer has not confirmed (the confirmation policy), still without a decide job', async () => {
    const text = 'Cancel order #W7654321 now, I no longer need it.';
    replies.set(text, { calls: [{ name: 'cancel_pending_order', args: { order_id: '#W7654321', reason: 'no longer needed' } }], inputTokens: 100 });
    const queryId = await ask(text);
    const q = await stepped(queryId);
    expect(q).toMatchObject({ status: 'running', state: 'acting', turn: 0 });
    expect(await decisions(queryId)).toContain('confirmation_c0');
    // The refused call is answered up front: nothing goes to the tools, the turn's observe is next.
    expect(await rw.deps.queues.tools.getJob(jobIds.toolCall(queryId, 0, 0))).toBeUndefined();
    expect(await rw.deps.queues.control.getJob(jobIds.observe(queryId, 0))).toBeDefined();
    expect((await controlJobsOf(queryId)).sort()).toEqual(['deadline', 'observe']);
  });

  it('ends the query at the budget (the cost ledger, recorded once for the call)', async () => {
    const text = 'Show me every order I ever placed, with all details.';
    replies.set(text, { calls: [{ name: 'get_order_details', args: { order_id: '#W1111111' } }], inputTokens: 5_000 });
    const queryId = await ask(text);
    const q = await stepped(queryId);
    expect(q).toMatchObject({ status: 'failed', outcome: 'fallback', reason: 'token_budget' });
    expect(await rw.deps.queues.tools.getJob(jobIds.toolCall(queryId, 0, 0))).toBeUndefined();
    // No control job at all: the ending withdrew the query's deadline job (ADR 0018).
    expect(await controlJobsOf(queryId)).toEqual([]);
    const completed = (await readQueryEvents(rw.deps.redis, rw.deps.keys, queryId)).filter((e) => e.type === 'query.completed');
    expect(completed).toHaveLength(1);
  });

  it('lets a deadline that ended the query during the model call win: the proposal is dropped', async () => {
    const text = 'Can you check order #W3333333 for me?';
    replies.set(text, { calls: [{ name: 'get_order_details', args: { order_id: '#W3333333' } }], inputTokens: 100 });
    let queryId = '';
    const complete = rw.deps.llm.complete.bind(rw.deps.llm);
    rw.deps.llm.complete = async (req) => {
      // The controller's deadline step (its job, or the sweeper) ends the query while the model works.
      if (JSON.stringify(req.messages).includes(text)) await handleDeadline(rw.deps.steps, { type: 'deadline', queryId });
      return complete(req);
    };
    try {
      queryId = await ask(text);
      const q = await stepped(queryId);
      expect(q).toMatchObject({ status: 'failed', outcome: 'fallback', reason: 'deadline', toolCalls: 0 });
      // Let the reasoning job finish its step (it found the query ended), then look again.
      const reason = async () => (await rw.deps.queues.reasoning.getJob(jobIds.reason(queryId, 0)))?.finishedOn;
      const until = Date.now() + 10_000;
      while (!(await reason()) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      expect(await reason()).toBeGreaterThan(0);
      expect(await rw.deps.queues.tools.getJob(jobIds.toolCall(queryId, 0, 0))).toBeUndefined();
      const events = await readQueryEvents(rw.deps.redis, rw.deps.keys, queryId);
      expect(events.filter((e) => e.type === 'query.completed')).toHaveLength(1);
      expect(await rw.deps.queries.get(queryId)).toMatchObject({ status: 'failed', reason: 'deadline', toolCalls: 0 });
    } finally {
      rw.deps.llm.complete = complete;
    }
  });

  it('does nothing for a job redelivered after its step was applied (the query moved on)', async () => {
    const text = 'Is order #W2222222 shipped yet?';
    let calls = 0;
    replies.set(text, { calls: [{ name: 'get_order_details', args: { order_id: '#W2222222' } }], inputTokens: 100 });
    const complete = rw.deps.llm.complete.bind(rw.deps.llm);
    rw.deps.llm.complete = async (req) => {
      if (JSON.stringify(req.messages).includes(text)) calls++;
      return complete(req);
    };
    try {
      const queryId = await ask(text);
      await stepped(queryId);
      // The same reasoning job again (as BullMQ would redeliver it after a crash before the ack).
      const again = `${queryId}-t0-again`;
      await rw.deps.queues.add('reasoning', again, { queryId, turn: 0 });
      const until = Date.now() + 10_000;
      while (!(await rw.deps.queues.reasoning.getJob(again))?.finishedOn && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      expect((await rw.deps.queues.reasoning.getJob(again))?.finishedOn).toBeGreaterThan(0);
      expect(calls).toBe(1);
      expect(await rw.deps.queries.get(queryId)).toMatchObject({ state: 'acting', toolCalls: 1, inputTokens: 100 });
    } finally {
      rw.deps.llm.complete = complete;
    }
  });
});
