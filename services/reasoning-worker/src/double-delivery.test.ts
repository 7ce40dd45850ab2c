import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { jobIds, newConversationId, newQueryId, newTraceId } from '@steward/core';
import { commerceTools } from '@steward/commerce';
import { parseTextReply, type LlmCompletion, type LlmRequest } from '@steward/llm';
import { readQueryEvents } from '@steward/store';
import { handleDeadline } from '@steward/steps';
import { createLogger } from '@steward/telemetry';
import { ToolRegistry } from '@steward/tools';
import { deletePrefix, uniquePrefix } from '@steward/testing';
import { startReasoningWorker, type RunningReasoningWorker } from './service.ts';

// Adversarial checks of the step decided before the model call and applied in the call's script
// (ADR 0034), on real Redis and two real BullMQ workers: a reasoning job whose lock is lost while
// its worker is still alive and waiting for the model is taken over by the other worker (BullMQ's
// stalled check), so the same turn is asked of the model twice and both replies arrive. Exactly
// one of them may become the turn's step; the other worker's script must find the query moved.
// And a query that ended while its model call ran (the deadline) takes no step afterwards.
const url = inject('redisUrl');
const prefix = uniquePrefix('rw-double');
const log = createLogger({ service: 'double-delivery-test', level: 'silent' });
// Short locks so the take-over happens within a second; the stalled check runs from each worker's keeper thread.
const jobLocks = { lockMs: 1_000, renewMs: 250, stalledIntervalMs: 300 };

/** A model call held until the test answers it. */
interface Held {
  who: string;
  req: LlmRequest;
  answer(c: LlmCompletion): void;
}
const held: Held[] = [];
/** Every call ever held, for afterAll to answer those a failed test left waiting (a worker closes only once its job ends). */
const everHeld: Held[] = [];
const workers: Record<string, RunningReasoningWorker> = {};
/** Per worker: what BullMQ reported for each job id ('completed', 'failed: …', 'error: …'). */
const reported: Record<string, Map<string, string[]>> = {};

function heldModel(who: string) {
  return { model: 'gpt-4o-mini', complete: (req: LlmRequest) => new Promise<LlmCompletion>((resolve) => {
      let done = false;
      const h: Held = { who, req, answer: (c) => !done && ((done = true), resolve(c)) };
      held.push(h);
      everHeld.push(h);
    }) };
}

function completion(c: { text?: string; calls?: { name: string; args: Record<string, unknown> }[]; inputTokens: number }): LlmCompletion {
  const now = Date.now();
  return {
    message: c.calls
      ? { role: 'assistant', content: null, tool_calls: c.calls.map((x, i) => ({ id: `call_${i}`, type: 'function' as const, function: { name: x.name, arguments: JSON.stringify(x.args) } })) }
      : { role: 'assistant', content: c.text ?? '' },
    usage: { model: 'test-model', provider: 'test', inputTokens: c.inputTokens, outputTokens: 5, cachedInputTokens: 0, costUsd: 0, startMs: now, endMs: now, retries: 0 },
    retries: 0,
    finishReason: c.calls ? 'tool_calls' : 'stop',
    reasoningTokens: 0,
    quirks: [],
  };
}

beforeAll(async () => {
  for (const who of ['A', 'B']) {
    const rw = await startReasoningWorker({
      redisUrl: url,
      prefix,
      registry: new ToolRegistry(commerceTools),
      llm: heldModel(who),
      parseText: parseTextReply,
      log,
      concurrency: 1,
      jobLocks,
    });
    workers[who] = rw;
    const seen = (reported[who] = new Map());
    const note = (id: string | undefined, what: string) => id && seen.set(id, [...(seen.get(id) ?? []), what]);
    rw.worker.on('completed', (job) => note(job.id, 'completed'));
    rw.worker.on('failed', (job, err) => note(job?.id, `failed: ${err.message}`));
    // A finish refused for a lost lock surfaces as the worker's error (BullMQ names the job in it).
    rw.worker.on('error', (err) => {
      const id = /job ([^\s.]+)/.exec(err.message)?.[1];
      note(id, `error: ${err.message}`);
    });
  }
});

afterAll(async () => {
  for (const h of everHeld) h.answer(completion({ text: 'late', inputTokens: 1 }));
  await Promise.all(Object.values(workers).map((w) => w.close()));
  await deletePrefix(url, prefix);
});

const rw = () => workers.A!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, f: () => Promise<T | undefined> | T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function ask(text: string, deadlineMs = 60_000): Promise<{ queryId: string; conversationId: string }> {
  const queryId = newQueryId();
  const conversationId = newConversationId();
  const started = await rw().deps.queries.accept({ queryId, conversationId, customerId: undefined, channel: 'api', text, language: 'en', traceId: newTraceId(), createdMs: Date.now() }, deadlineMs);
  if (started.kind !== 'start') throw new Error(`query did not start: ${started.kind}`);
  return { queryId, conversationId };
}

/** Both deliveries of turn 0's job are in their model call: the first worker's lock was lost while it waited. */
async function takenOver(queryId: string): Promise<[Held, Held]> {
  // Tests run one at a time and each takes its held calls: the first held call is this query's.
  const first = await until('the first model call', () => held[0]);
  // The lock lapses under the live worker (a keeper cut off from Redis for longer than the lock).
  const lockKey = `${rw().deps.queues.reasoning.toKey(jobIds.reason(queryId, 0))}:lock`;
  await until('the lock to exist', async () => (await rw().deps.redis.exists(lockKey)) === 1);
  await rw().deps.redis.del(lockKey);
  const second = await until('the take-over\'s model call', () => (held.length >= 2 ? held[1] : undefined));
  expect(second.who).not.toBe(first.who);
  held.splice(0, 2);
  return [first, second];
}

/** What each worker's BullMQ reported for the job, once both did (the first may report nothing of a finish refused silently). */
async function finished(jobId: string, by: string): Promise<Record<string, string[]>> {
  await until(`worker ${by} to finish ${jobId}`, () => reported[by]!.get(jobId)?.length);
  await sleep(500);
  return Object.fromEntries(Object.entries(reported).map(([who, m]) => [who, m.get(jobId) ?? []]));
}

async function eventTypes(queryId: string): Promise<string[]> {
  return (await readQueryEvents(rw().deps.redis, rw().deps.keys, queryId)).map((e) => e.type);
}

async function toolJobsOf(queryId: string): Promise<string[]> {
  const jobs = await rw().deps.queues.tools.getJobs(['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed']);
  return jobs.filter((j) => (j.data as { queryId?: string }).queryId === queryId).map((j) => String(j.id)).sort();
}

describe('a reasoning job delivered twice (lock lost while its worker is alive)', () => {
  it('applies one tool turn when the first delivery answers first: the late one changes nothing', async () => {
    const { queryId } = await ask('Where is my order #W1000001?');
    const [first, second] = await takenOver(queryId);
    first.answer(completion({ calls: [{ name: 'get_order_details', args: { order_id: '#W1000001' } }], inputTokens: 100 }));
    await until('the first step', async () => (await rw().deps.queries.get(queryId))?.state === 'acting');
    second.answer(completion({ calls: [{ name: 'get_order_details', args: { order_id: '#W1000001' } }, { name: 'get_user_details', args: { user_id: 'someone_1' } }], inputTokens: 7 }));
    const outcome = await finished(jobIds.reason(queryId, 0), second.who);
    // The take-over completes the job; the first delivery's finish is refused (its lock is gone).
    expect(outcome[second.who]).toEqual(['completed']);
    // Seen: "Lock mismatch … moveToFinished", then the same for the retry's moveToDelayed: neither took.
    expect(outcome[first.who]!.length).toBeGreaterThan(0);
    for (const r of outcome[first.who]!) expect(r).toMatch(/^error: Lock mismatch for job/);
    const q = await rw().deps.queries.get(queryId);
    // Applied once: one call planned, the first reply's tokens counted once.
    expect(q).toMatchObject({ status: 'running', state: 'acting', turn: 0, toolCalls: 1, inputTokens: 100 });
    expect(await toolJobsOf(queryId)).toEqual([jobIds.toolCall(queryId, 0, 0)]);
    expect((await rw().deps.queries.steps(queryId)).filter((m) => m.role === 'assistant')).toHaveLength(1);
  });

  it('does not let the late delivery\'s answer end a query whose tool turn the other applied', async () => {
    // The outer compare-and-set (status, state and turn) is what stops this one: COMPLETE on its
    // own only refuses a query that already ended, and this one is running, acting on turn 0.
    const { queryId, conversationId } = await ask('Where is my order #W1000003?');
    const [first, second] = await takenOver(queryId);
    first.answer(completion({ calls: [{ name: 'get_order_details', args: { order_id: '#W1000003' } }], inputTokens: 100 }));
    await until('the tool turn', async () => (await rw().deps.queries.get(queryId))?.state === 'acting');
    second.answer(completion({ text: 'Your order has shipped.', inputTokens: 7 }));
    await finished(jobIds.reason(queryId, 0), second.who);
    expect(await rw().deps.queries.get(queryId)).toMatchObject({ status: 'running', state: 'acting', turn: 0, toolCalls: 1, inputTokens: 100 });
    expect((await eventTypes(queryId)).filter((t) => t === 'query.completed' || t === 'query.failed')).toEqual([]);
    expect((await rw().deps.conversations.get(conversationId)).messages.filter((m) => m.role === 'assistant')).toEqual([]);
    expect(await toolJobsOf(queryId)).toEqual([jobIds.toolCall(queryId, 0, 0)]);
  });

  it('answers once when the take-over answers first: the first delivery\'s answer is dropped', async () => {
    const { queryId, conversationId } = await ask('What are your opening hours?');
    const [first, second] = await takenOver(queryId);
    second.answer(completion({ text: 'We are open 9 to 5.', inputTokens: 40 }));
    await until('the answer', async () => (await rw().deps.queries.get(queryId))?.status === 'completed');
    first.answer(completion({ text: 'Open all day!', inputTokens: 50 }));
    // The first delivery's worker finishes its turn (its finish refused): give it the time to.
    await until('the first delivery to end its turn', async () => (await rw().deps.queries.get(queryId)) && reported[first.who]!.get(jobIds.reason(queryId, 0))?.length, 5_000).catch(() => undefined);
    await sleep(500);
    const q = await rw().deps.queries.get(queryId);
    expect(q).toMatchObject({ status: 'completed', outcome: 'answered', answer: 'We are open 9 to 5.', inputTokens: 40 });
    expect((await eventTypes(queryId)).filter((t) => t === 'query.completed')).toHaveLength(1);
    const said = (await rw().deps.conversations.get(conversationId)).messages.filter((m) => m.role === 'assistant').map((m) => m.content);
    expect(said).toEqual(['We are open 9 to 5.']);
  });
});

describe('a query that ended while its model call ran', () => {
  it('takes no step after the deadline ended it: no tool job, no second ending', async () => {
    const { queryId, conversationId } = await ask('Cancel order #W1000002 please.');
    const call = await until('the model call', () => held[0]);
    held.splice(0, 1);
    // The deadline poll ends the query while the model works.
    await handleDeadline(rw().deps.steps, { type: 'deadline', queryId });
    const ended = await rw().deps.queries.get(queryId);
    expect(ended).toMatchObject({ status: 'failed', outcome: 'fallback' });
    const saidAtEnd = (await rw().deps.conversations.get(conversationId)).messages;
    const typesAtEnd = await eventTypes(queryId);
    call.answer(completion({ calls: [{ name: 'get_order_details', args: { order_id: '#W1000002' } }], inputTokens: 30 }));
    await finished(jobIds.reason(queryId, 0), call.who);
    const q = await rw().deps.queries.get(queryId);
    expect(q).toMatchObject({ status: 'failed', outcome: 'fallback', toolCalls: 0, answer: ended!.answer, state: ended!.state, turn: ended!.turn });
    expect(await toolJobsOf(queryId)).toEqual([]);
    const types = await eventTypes(queryId);
    // The model's reply is still on the trace (it happened), after the ending, and nothing else is.
    expect(types).toEqual([...typesAtEnd, 'llm.call']);
    expect((await rw().deps.conversations.get(conversationId)).messages).toEqual(saidAtEnd);
  });
});
