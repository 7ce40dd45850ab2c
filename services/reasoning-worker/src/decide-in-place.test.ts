import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { jobIds, newConversationId, newQueryId, newTraceId } from '@steward/core';
import { commerceTools } from '@steward/commerce';
import { parseTextReply, type LlmCompletion, type LlmRequest } from '@steward/llm';
import { Outbox, readQueryEvents } from '@steward/store';
import { decideWhereProposed, handleDeadline, handleObserve, type StepDeps } from '@steward/steps';
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
/**
 * Per query text: the scripted model's reply (tool calls, and the tokens it reports); `answer`:
 * the reply once the turn's tool results are in the prompt (the next turn), else the same calls.
 */
const replies = new Map<string, { calls: { name: string; args: Record<string, unknown> }[]; inputTokens: number; answer?: string }>();
let rw: RunningReasoningWorker;

function reply(req: LlmRequest): LlmCompletion {
  const asked = JSON.stringify(req.messages);
  const r = [...replies].find(([text]) => asked.includes(text))?.[1];
  if (!r) throw new Error('no scripted reply for this request');
  const now = Date.now();
  const answering = r.answer !== undefined && req.messages.at(-1)?.role === 'tool';
  return {
    message: answering
      ? { role: 'assistant', content: r.answer ?? '' }
      : {
          role: 'assistant',
          content: null,
          tool_calls: r.calls.map((c, i) => ({ id: `call_${i}`, type: 'function' as const, function: { name: c.name, arguments: JSON.stringify(c.args) } })),
        },
    usage: { model: 'test-model', provider: 'test', inputTokens: r.inputTokens, outputTokens: 5, cachedInputTokens: 0, costUsd: 0, startMs: now, endMs: now, retries: 0 },
    retries: 0,
    finishReason: answering ? 'stop' : 'tool_calls',
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
    // Nothing on the control queue at all: no decide job, and the deadline is no job (ADR 0027).
    expect(await controlJobsOf(queryId)).toEqual([]);
    // The trace order holds: the model's call is in the stream before anything the step emits.
    const types = (await readQueryEvents(rw.deps.redis, rw.deps.keys, queryId)).map((e) => e.type);
    expect(types[0]).toBe('llm.call');
  });

  it('refuses a write the customer has not confirmed (the confirmation policy), observes the turn in place and answers', async () => {
    const text = 'Cancel order #W7654321 now, I no longer need it.';
    const answer = 'Please confirm: cancel order #W7654321 (no longer needed)? Reply yes to proceed.';
    replies.set(text, { calls: [{ name: 'cancel_pending_order', args: { order_id: '#W7654321', reason: 'no longer needed' } }], inputTokens: 100, answer });
    const queryId = await ask(text);
    // No controller runs here: the refused turn's observe step is taken in the reasoning-worker
    // right after the decision, so the next turn's reasoning job runs and the customer is answered.
    const until = Date.now() + 10_000;
    let q = await rw.deps.queries.get(queryId);
    while (q?.status === 'running' && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 10));
      q = await rw.deps.queries.get(queryId);
    }
    expect(q).toMatchObject({ status: 'completed', outcome: 'answered', turn: 1, toolCalls: 1, answer });
    expect(await decisions(queryId)).toContain('confirmation_c0');
    // The refused call was answered up front: nothing went to the tools, and the turn's observe
    // job never reached the control queue, nor stays in the outbox (the ending withdrew the deadline job).
    expect(await rw.deps.queues.tools.getJob(jobIds.toolCall(queryId, 0, 0))).toBeUndefined();
    expect(await rw.deps.queues.reasoning.getJob(jobIds.reason(queryId, 1))).toBeDefined();
    expect(await rw.deps.queues.control.getJob(jobIds.observe(queryId, 0))).toBeUndefined();
    expect(await controlJobsOf(queryId)).toEqual([]);
    expect((await rw.deps.redis.zrange(rw.deps.keys.outbox, '0', '-1')).filter((m) => m.includes(queryId))).toEqual([]);
    // The refusal is the call's result the model read on the next turn.
    const { results } = await rw.deps.steps.dags.results(queryId, 0);
    expect(results[0]).toMatchObject({ ok: false, errorType: 'confirmation_required' });
  });

  it('leaves a refused turn observed by the controller when the step in place dies after the decision (the held observe job)', async () => {
    const text = 'Cancel order #W5555555, please.';
    const answer = 'I need your explicit yes before cancelling order #W5555555.';
    replies.set(text, { calls: [], inputTokens: 10, answer });
    const queryId = newQueryId();
    // Its turn-0 reasoning job (added by the accept script, ADR 0040) is taken out while the queue
    // is paused, before the worker can fetch it: the test takes that turn's decision itself.
    await rw.deps.queues.reasoning.pause();
    try {
      const started = await rw.deps.queries.accept(
        { queryId, conversationId: newConversationId(), customerId: undefined, channel: 'api', text, language: 'en', traceId: newTraceId(), createdMs: Date.now() },
        60_000,
      );
      if (started.kind !== 'start') throw new Error(`query did not start: ${started.kind}`);
      await rw.deps.queues.reasoning.remove(jobIds.reason(queryId, 0));
    } finally {
      await rw.deps.queues.reasoning.resume();
    }
    const known = await rw.deps.queries.get(queryId);
    if (!known) throw new Error('query not stored');
    // The process "dies" in the observe step after the decision's commit: the conversation's
    // memory read fails, and the relay on failure is lost with the process.
    const conversations = Object.create(rw.deps.steps.conversations) as StepDeps['conversations'];
    conversations.memory = () => Promise.reject(new Error('killed'));
    const outbox = Object.create(rw.deps.steps.outbox) as StepDeps['outbox'];
    outbox.relay = () => Promise.resolve();
    const dying: StepDeps = { ...rw.deps.steps, conversations, outbox };
    const proposal = { kind: 'tool_calls' as const, calls: [{ id: 'call_0', name: 'cancel_pending_order', arguments: { order_id: '#W5555555', reason: 'no longer needed' } }] };
    await expect(decideWhereProposed(dying, known, { queryId, turn: 0, proposal })).rejects.toThrow('killed');
    expect(await rw.deps.queries.get(queryId)).toMatchObject({ status: 'running', state: 'acting', turn: 0 });
    expect(await decisions(queryId)).toContain('confirmation_c0');
    // The observe job was committed with the decision and held back from the relay: still there.
    const held = (await rw.deps.redis.zrange(rw.deps.keys.outbox, '0', '-1')).filter((m) => m.includes(queryId));
    expect(held).toHaveLength(1);
    expect(JSON.parse(held[0]!)).toMatchObject({ queue: 'control', jobId: jobIds.observe(queryId, 0), data: { type: 'observe', turn: 0 } });
    // The sweeper's pass relays it; the controller's handler takes the step (once: a second run changes nothing).
    await new Outbox(rw.deps.redis, rw.deps.keys, rw.deps.queues).relayStale(0);
    const job = await rw.deps.queues.control.getJob(jobIds.observe(queryId, 0));
    expect(job?.data).toMatchObject({ type: 'observe', queryId, turn: 0 });
    await handleObserve(rw.deps.steps, { type: 'observe', queryId, turn: 0 });
    await handleObserve(rw.deps.steps, { type: 'observe', queryId, turn: 0 });
    const until = Date.now() + 10_000;
    let q = await rw.deps.queries.get(queryId);
    while (q?.status === 'running' && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 10));
      q = await rw.deps.queries.get(queryId);
    }
    expect(q).toMatchObject({ status: 'completed', outcome: 'answered', turn: 1, answer });
    const events = await readQueryEvents(rw.deps.redis, rw.deps.keys, queryId);
    expect(events.filter((e) => e.type === 'query.completed')).toHaveLength(1);
    expect((await rw.deps.redis.zrange(rw.deps.keys.outbox, '0', '-1')).filter((m) => m.includes(queryId))).toEqual([]);
    await job?.remove();
  });

  it('leaves a turn an older worker sent as a decide job to the controller: the model is not asked', async () => {
    const text = 'Has my refund for order #W2222222 arrived?';
    replies.set(text, { calls: [{ name: 'get_order_details', args: { order_id: '#W2222222' } }], inputTokens: 10 });
    const queryId = newQueryId();
    const started = await rw.deps.queries.accept(
      { queryId, conversationId: newConversationId(), customerId: undefined, channel: 'api', text, language: 'en', traceId: newTraceId(), createdMs: Date.now() },
      60_000,
    );
    if (started.kind !== 'start') throw new Error(`query did not start: ${started.kind}`);
    // The turn's decide job, as a reasoning-worker of the previous release added it (no controller runs here).
    const proposal = { kind: 'answer' as const, answer: 'decided by the controller' };
    await rw.deps.queues.add('control', jobIds.decide(queryId, 0), { type: 'decide', queryId, turn: 0, proposal }, { delay: 60_000 });
    const reason = await rw.deps.queues.reasoning.getJob(jobIds.reason(queryId, 0));
    const until = Date.now() + 10_000;
    while (!(await reason?.isCompleted()) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(await reason?.isCompleted()).toBe(true);
    // The job did nothing: no model call in the trace, the query still waits at turn 0's proposal.
    expect((await readQueryEvents(rw.deps.redis, rw.deps.keys, queryId)).map((e) => e.type)).not.toContain('llm.call');
    expect(await rw.deps.queries.get(queryId)).toMatchObject({ status: 'running', state: 'reasoning', turn: 0 });
    await (await rw.deps.queues.control.getJob(jobIds.decide(queryId, 0)))?.remove();
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
