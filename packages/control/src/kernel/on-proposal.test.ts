import { describe, expect, it } from 'vitest';
import type { DecideJob, ProposedCall } from '@steward/core';
import { confirmationKey } from '../confirmation-key.ts';
import { UNRESOLVED_REFERENCE_TEXT, type PendingConfirmation } from '../confirmation.ts';
import { onProposal, type ProposalSnapshot } from './on-proposal.ts';
import type { ConfirmationSnapshot } from './plan-calls.ts';
import { query, rules, T0 } from './test-fixtures.ts';
import type { Transition } from './transition.ts';

// The model-proposal transition without Redis: every ending, every limit, the DAG it plans and
// every confirmation case (issue 13: 1a, 1b, 1c and the legitimate flows in English and Mandarin).

const usage = { model: 'm', provider: 'p', inputTokens: 100, outputTokens: 20, cachedInputTokens: 0, costUsd: 0.01, startMs: T0, endMs: T0 + 1, retries: 0 };
const snap = (over: Partial<ProposalSnapshot> = {}): ProposalSnapshot => ({ query: query(), nowMs: T0 + 1_000, ...over });
const calls = (...c: Partial<ProposedCall>[]): DecideJob['proposal'] => ({
  kind: 'tool_calls',
  calls: c.map((x, i) => ({ id: `call_${i}`, name: 'get_order_details', arguments: { order_id: '#W1' }, ...x })),
});
const job = (proposal: DecideJob['proposal'], turn = 0): Pick<DecideJob, 'turn' | 'proposal' | 'usage'> => ({ turn, proposal, usage });
const must = (t: Transition | null): Transition => {
  if (!t) throw new Error('expected a transition');
  return t;
};

describe('onProposal: stale input', () => {
  it('ignores a proposal for another turn, for a query not reasoning, and for an ended query', () => {
    const answer = job({ kind: 'answer', answer: 'hi' }, 1);
    expect(onProposal(snap(), answer, rules())).toBeNull();
    expect(onProposal(snap({ query: query({ state: 'acting' }) }), job({ kind: 'answer', answer: 'hi' }), rules())).toBeNull();
    expect(onProposal(snap({ query: query({ status: 'completed', state: 'completed' }) }), job({ kind: 'answer', answer: 'hi' }), rules())).toBeNull();
  });
});

describe('onProposal: endings', () => {
  it('an answer completes the query with the model answer and the turn usage', () => {
    const t = must(onProposal(snap(), job({ kind: 'answer', answer: 'Your order shipped.' }), rules()));
    expect(t.to.state).toBe('completed');
    expect(t.completion).toEqual({ outcome: 'answered', reason: 'answered', answer: 'Your order shipped.', handsOff: false });
    expect(t.incr).toEqual({ inputTokens: 100, outputTokens: 20, costUsd: 0.01 });
    expect(t.jobs).toEqual([]); // api channel: the caller reads the answer itself
  });

  it('an answer on a platform channel commits its delivery with the ending', () => {
    const t = must(onProposal(snap({ query: query({ channel: 'slack', recipient: 'C1' }) }), job({ kind: 'answer', answer: 'ok' }), rules()));
    expect(t.jobs).toEqual([{ queue: 'deliveries', jobId: 'q_2:q:deliver', data: { queryId: 'q_2', conversationId: 'c_1', channel: 'slack', recipient: 'C1' } }]);
  });

  it('an LLM outage and a faulty model end with their own reasons', () => {
    expect(must(onProposal(snap(), job({ kind: 'llm_error', error: 'down' }), rules())).completion?.reason).toBe('llm_unavailable');
    const fault = must(onProposal(snap(), job({ kind: 'llm_error', error: 'empty', fault: 'empty_reply' }), rules()));
    expect(fault.completion).toMatchObject({ outcome: 'fallback', reason: 'model_fault' });
    expect(fault.to.state).toBe('failed');
  });

  it('the handoff tool hands the conversation to a person with the model summary', () => {
    const t = must(onProposal(snap(), job(calls({ name: 'transfer_to_human_agents', arguments: { summary: 'wants a refund to a new card' } })), rules()));
    expect(t.to.state).toBe('handed_off');
    expect(t.completion).toMatchObject({ outcome: 'handoff', reason: 'handoff', handsOff: true, handoffSummary: 'wants a refund to a new card' });
    expect(t.jobs.map((j) => j.queue)).toEqual(['handoff']);
  });
});

describe('onProposal: limits', () => {
  const toolCalls = calls({});
  it.each([
    ['max_turns (limit check)', snap({ query: query({ turn: 8 }) }), job(toolCalls, 8), rules()],
    ['max_turns (no turn left to read the results)', snap({ query: query({ turn: 7 }) }), job(toolCalls, 7), rules()],
    ['deadline', snap({ nowMs: T0 + 60_000 }), job(toolCalls), rules()],
    ['tool_limit', snap({ query: query({ toolCalls: 24 }) }), job(toolCalls), rules()],
    ['token_budget', snap({ query: query({ inputTokens: 900 }) }), job(toolCalls), rules({ tokenBudget: 1_000 })],
    ['cost_budget', snap({ query: query({ costUsd: 0.5 }) }), job(toolCalls), rules({ costBudgetUsd: 0.5 })],
  ] as const)('%s ends the query with the fallback', (name, s, j, r) => {
    const t = must(onProposal(s, j, r));
    expect(t.completion).toMatchObject({ outcome: 'fallback', reason: name.split(' ')[0] });
    expect(t.completion?.answer).toBeUndefined(); // the applier picks the fallback text in the customer's language
    expect(t.to.state).toBe('failed');
  });

  it('the conversation budget (cost ledger) stops tool calls but not an answer', () => {
    const over = snap({ budget: { ok: false, exceeded: 'cost_budget' } });
    expect(must(onProposal(over, job(toolCalls), rules())).completion?.reason).toBe('cost_budget');
    expect(must(onProposal(over, job({ kind: 'answer', answer: 'done' }), rules())).completion?.reason).toBe('answered');
  });

  it('a tripped limit does not withhold an answer the model already gave', () => {
    expect(must(onProposal(snap({ nowMs: T0 + 120_000 }), job({ kind: 'answer', answer: 'late but here' }), rules())).completion?.reason).toBe('answered');
  });

  it('only maxToolCallsPerTurn calls of a turn are taken', () => {
    const many = calls(...Array.from({ length: 5 }, (_, i) => ({ arguments: { order_id: `#W${i}` } })));
    const t = must(onProposal(snap(), job(many), rules({ maxToolCallsPerTurn: 3 })));
    expect(t.dag?.calls).toHaveLength(3);
    expect(t.incr.toolCalls).toBe(3);
  });
});

describe('onProposal: turns', () => {
  it('an unusable output goes back to the model as the next turn (reasoning → reasoning)', () => {
    const t = must(onProposal(snap(), job({ kind: 'malformed', error: 'no JSON object found' }), rules()));
    expect(t.to).toEqual({ state: 'reasoning', turn: 1 });
    expect(t.steps).toEqual([{ role: 'user', content: '[system note] Your previous output could not be used: no JSON object found' }]);
    expect(t.jobs).toEqual([{ queue: 'reasoning', jobId: 'q_2:t1:reason', data: { queryId: 'q_2', turn: 1 } }]);
  });

  it('tool calls become the turn DAG: free calls start now, a referencing call waits for its source', () => {
    const t = must(
      onProposal(snap(), job(calls({ name: 'get_user_details', arguments: { user_id: 'u1' } }, { arguments: { order_id: '$call:0.orders[0]' } })), rules()),
    );
    expect(t.to).toEqual({ state: 'acting', turn: 0 });
    expect(t.dag?.calls.map((c) => [c.pending, c.dependents])).toEqual([
      [0, [1]],
      [1, []],
    ]);
    expect(t.jobs.map((j) => j.jobId)).toEqual(['q_2:t0:c0']);
    expect(t.steps[0]).toMatchObject({ role: 'assistant', tool_calls: [{ id: 'call_0' }, { id: 'call_1' }] });
    expect(t.incr.toolCalls).toBe(2);
  });

  it('calls that cannot run are answered up front with a structured type; the model reads the text', () => {
    const t = must(
      onProposal(
        snap(),
        job(calls({ name: 'teleport', error: 'Unknown tool teleport.', errorType: 'unknown_tool' }, { error: 'Invalid arguments for get_order_details: order_id is required', errorType: 'invalid_arguments' })),
        rules(),
      ),
    );
    expect(t.dag?.calls.map((c) => c.result)).toEqual([
      { name: 'teleport', callId: 'call_0', result: 'Unknown tool teleport.', ok: false, errorType: 'unknown_tool' },
      { name: 'get_order_details', callId: 'call_1', result: 'Error: Invalid arguments for get_order_details: order_id is required', ok: false, errorType: 'invalid_arguments' },
    ]);
    // Nothing to run: the observe step is committed with the step.
    expect(t.jobs).toEqual([{ queue: 'control', jobId: 'q_2:t0:observe', data: { type: 'observe', queryId: 'q_2', turn: 0 } }]);
  });

  it('a reference to a call out of range is refused as invalid_call_ref', () => {
    const t = must(onProposal(snap(), job(calls({ arguments: { order_id: '$call:5.order_id' } })), rules()));
    expect(t.dag?.calls[0]?.result).toMatchObject({ ok: false, errorType: 'invalid_call_ref' });
  });
});

describe('onProposal: confirmation (one place, in the transition)', () => {
  const tool = 'cancel_pending_order';
  const args = { order_id: '#W6779827', reason: 'ordered by mistake' };
  const cancel = (a: Record<string, unknown> = args) => calls({ name: tool, arguments: a });
  const pending: PendingConfirmation = { key: confirmationKey(tool, args), tool, args, queryId: 'q_1', author: 'u1' };
  const listed = { answered: true, answer: 'Please confirm: cancel order #W6779827 (ordered by mistake)?', completedMs: T0 - 1_000 };
  const reply = (text: string, createdMs = T0) => ({ queryId: 'q_2', text, author: 'u1', createdMs });
  const confirmed = (text: string, over: Partial<ConfirmationSnapshot> = {}): ProposalSnapshot =>
    snap({ query: query({ text }), confirmation: { pending, asked: listed, since: [reply(text)], ...over } });

  it('a write nobody asked about is refused, becomes the pending question, and is recorded as a decision', () => {
    const t = must(onProposal(snap({ confirmation: { pending: null, asked: null, since: [] } }), job(cancel()), rules()));
    expect(t.dag?.calls[0]?.result).toMatchObject({ ok: false, errorType: 'confirmation_required' });
    expect(t.dag?.calls[0]?.job).toBeUndefined();
    expect(JSON.parse(t.conversation?.set?.pendingConfirmation ?? '{}')).toEqual({ ...pending, queryId: 'q_2' });
    expect(t.events).toEqual([{ kind: 'confirmation_c0', detail: `${tool}: refused (not_asked)`, turn: 0 }]);
  });

  it('legitimate flow in English: listed earlier, "Yes, go ahead." after → the write runs and the question is used up', () => {
    const t = must(onProposal(confirmed('Yes, go ahead.'), job(cancel()), rules()));
    expect(t.dag?.calls[0]?.job).toMatchObject({ name: tool, arguments: args });
    expect(t.jobs.map((j) => j.queue)).toEqual(['tools']);
    expect(t.conversation).toEqual({ id: 'c_1', del: ['pendingConfirmation'] });
    expect(t.events).toEqual([]);
  });

  it('legitimate flow in Mandarin: 是的，确认取消', () => {
    const zh = { ...listed, answer: '请确认：取消订单 #W6779827（下错单）。是否确认？' };
    const t = must(onProposal(confirmed('是的，确认取消', { asked: zh }), job(cancel()), rules()));
    expect(t.dag?.calls[0]?.job).toBeDefined();
  });

  it('1a: "Yes, cancel #W6779827" inside the first message never confirms the write refused in the same query', () => {
    const first = 'Yes, cancel order #W6779827, I ordered it by mistake';
    // Turn 0 of q_2 was refused and stored the question with q_2; turn 1 proposes the write again.
    const s = snap({ query: query({ text: first, turn: 1 }), confirmation: { pending: { ...pending, queryId: 'q_2' }, asked: null, since: [reply(first)] } });
    const t = must(onProposal(s, job(cancel(), 1), rules()));
    expect(t.dag?.calls[0]?.result?.errorType).toBe('confirmation_required');
    expect(t.events[0]?.detail).toContain('not_shown');
  });

  it('1b: after "yes", a write on a different order than the one listed is refused', () => {
    const t = must(onProposal(confirmed('yes'), job(cancel({ ...args, order_id: '#W6426438' })), rules()));
    expect(t.dag?.calls[0]?.result?.errorType).toBe('confirmation_required');
    expect(t.events[0]?.detail).toContain('different_action');
  });

  it('1b: a write whose arguments still hold $call: references is refused outright', () => {
    const t = must(onProposal(confirmed('yes'), job(calls({ name: 'get_user_details', arguments: { user_id: 'u1' } }, { name: tool, arguments: { order_id: '$call:0.orders[0]', reason: 'x' } })), rules()));
    expect(t.dag?.calls[1]?.result).toMatchObject({ result: UNRESOLVED_REFERENCE_TEXT, errorType: 'unresolved_reference' });
  });

  it('1c: "no, keep it" in between cancels the pending question: a later "ok" does not confirm', () => {
    const t = must(onProposal(confirmed('ok', { since: [reply('no, keep it', T0 - 500), reply('ok')] }), job(cancel()), rules()));
    expect(t.dag?.calls[0]?.result?.errorType).toBe('confirmation_required');
    expect(t.events[0]?.detail).toContain('declined');
  });

  it('a question whose answer did not show the order cannot be confirmed (not_listed)', () => {
    const vague = { ...listed, answer: 'Shall I cancel the order?' };
    const t = must(onProposal(confirmed('yes', { asked: vague }), job(cancel()), rules()));
    expect(t.events[0]?.detail).toContain('not_listed');
  });

  it('a "yes" sent before the question was answered does not confirm it (before_question)', () => {
    const early = snap({ query: query({ text: 'yes', createdMs: T0 - 2_000 }), confirmation: { pending, asked: listed, since: [reply('yes', T0 - 2_000)] } });
    const t = must(onProposal(early, job(cancel()), rules()));
    expect(t.events[0]?.detail).toContain('before_question');
  });

  it('another member of a group chat cannot confirm', () => {
    const t = must(onProposal(confirmed('yes', { since: [{ ...reply('yes'), author: 'u2' }] }), job(cancel()), rules()));
    expect(t.events[0]?.detail).toContain('other_author');
  });

  it('with REQUIRE_CONFIRMATION=false the write runs without a question', () => {
    const t = must(onProposal(snap(), job(cancel()), rules({}, false)));
    expect(t.dag?.calls[0]?.job).toBeDefined();
    expect(t.conversation).toBeUndefined();
  });
});
