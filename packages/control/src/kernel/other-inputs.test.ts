import { describe, expect, it } from 'vitest';
import type { ToolJob } from '@steward/core';
import { onDeadline } from './on-deadline.ts';
import { onAcceptedMessage, onMessageDuringRun, onStart } from './on-customer-message.ts';
import { onToolResult } from './on-tool-result.ts';
import { awaitsProposal } from './on-proposal.ts';
import { awaitsObservation } from './on-turn-done.ts';
import { runsTools } from './transition.ts';
import { query, T0 } from './test-fixtures.ts';

// The remaining inputs of the kernel without Redis: a tool result, the deadline, an accepted
// message, and a customer message while the conversation's query runs.

const toolJob = (index: number): ToolJob => ({ queryId: 'q_2', conversationId: 'c_1', turn: 1, index, callId: `call_${index}`, name: 'get_order_details', arguments: {} });

describe('onToolResult', () => {
  it('the turn last result commits the observe step', () => {
    expect(onToolResult({ left: 0, ready: [] }, { queryId: 'q_2', turn: 1 })).toEqual([{ queue: 'control', jobId: 'q_2:t1:observe', data: { type: 'observe', queryId: 'q_2', turn: 1 } }]);
    // With the conversation named, observe reads the query and the memory in one round trip.
    expect(onToolResult({ left: 0, ready: [] }, { queryId: 'q_2', turn: 1, conversationId: 'c_2' })[0]?.data).toEqual({ type: 'observe', queryId: 'q_2', turn: 1, conversationId: 'c_2' });
  });
  it('otherwise the dependents it freed start, with their deterministic ids', () => {
    expect(onToolResult({ left: 2, ready: [toolJob(1), toolJob(2)] }, { queryId: 'q_2', turn: 1 }).map((j) => [j.queue, j.jobId])).toEqual([
      ['tools', 'q_2:t1:c1'],
      ['tools', 'q_2:t1:c2'],
    ]);
    expect(onToolResult({ left: 2, ready: [] }, { queryId: 'q_2', turn: 1 })).toEqual([]);
  });
});

describe('onDeadline', () => {
  it.each(['reasoning', 'acting', 'observing'] as const)('ends a query %s with the deadline fallback', (state) => {
    const t = onDeadline(query({ state, turn: 3 }));
    expect(t?.to.state).toBe('failed');
    expect(t?.completion).toEqual({ outcome: 'fallback', reason: 'deadline', handsOff: false });
    expect(t?.events).toEqual([{ kind: 'limit', detail: 'deadline', turn: 3 }]);
  });
  it('does nothing for a query that ended or has not started', () => {
    expect(onDeadline(query({ status: 'completed', state: 'completed' }))).toBeNull();
    expect(onDeadline(query({ status: 'queued', state: 'idle' }))).toBeNull();
  });
});

describe('onAcceptedMessage / onStart', () => {
  const m = { queryId: 'q_2', text: 'where is my order?', nowMs: T0, deadlineMs: 30_000 };
  it('a free conversation starts the query: idle → reasoning, turn 0 committed with it, and no deadline job (the deadlines set times it)', () => {
    const a = onAcceptedMessage({ owner: 'agent', activeQueryId: null }, m);
    expect(a).toEqual({ route: 'agent', start: onStart(m) });
    const s = onStart(m);
    expect(s.to).toEqual({ state: 'reasoning', turn: 0 });
    expect(s.steps).toEqual([{ role: 'user', content: 'where is my order?' }]);
    expect(s.jobs).toEqual([
      { queue: 'reasoning', jobId: 'q_2:t0:reason', data: { queryId: 'q_2', turn: 0 } },
    ]);
  });
  it('a busy conversation queues the message behind its running query', () => {
    expect(onAcceptedMessage({ owner: 'agent', activeQueryId: 'q_1' }, m)).toEqual({ route: 'agent', queuedBehind: 'q_1' });
  });
  it('a conversation a person owns routes the message to them', () => {
    expect(onAcceptedMessage({ owner: 'person', activeQueryId: null }, m)).toEqual({ route: 'person' });
  });
});

describe('onMessageDuringRun', () => {
  it('queue mode leaves the running query alone', () => {
    expect(onMessageDuringRun(query(), 'queue')).toBeNull();
  });
  it('restart mode ends the running (or waiting) query unanswered, sending nothing even on a platform', () => {
    const t = onMessageDuringRun(query({ channel: 'telegram', recipient: '42' }), 'restart');
    expect(t?.to.state).toBe('failed');
    expect(t?.completion).toEqual({ outcome: 'fallback', reason: 'superseded', answer: '', handsOff: false });
    expect(t?.jobs).toEqual([]);
    expect(onMessageDuringRun(query({ status: 'queued', state: 'idle' }), 'restart')?.to.state).toBe('failed');
  });
  it('restart mode leaves an ended query alone', () => {
    expect(onMessageDuringRun(query({ status: 'completed', state: 'completed' }), 'restart')).toBeNull();
    expect(onMessageDuringRun(null, 'restart')).toBeNull();
  });
});

describe('which jobs a query still takes (the services ask the kernel)', () => {
  it('a reasoning job and a decide job only for the turn the query is reasoning at', () => {
    expect(awaitsProposal(query({ turn: 2 }), 2)).toBe(true);
    expect(awaitsProposal(query({ turn: 2 }), 1)).toBe(false);
    expect(awaitsProposal(query({ state: 'acting', turn: 2 }), 2)).toBe(false);
    expect(awaitsProposal(query({ status: 'failed', state: 'failed' }), 0)).toBe(false);
  });
  it('an observe job only for the turn the query is acting at', () => {
    expect(awaitsObservation(query({ state: 'acting', turn: 1 }), 1)).toBe(true);
    expect(awaitsObservation(query({ state: 'reasoning', turn: 2 }), 1)).toBe(false);
  });
  it('a tool call only while the query runs', () => {
    expect(runsTools(query())).toBe(true);
    expect(runsTools(query({ status: 'completed', state: 'completed' }))).toBe(false);
    expect(runsTools(query({ status: 'queued', state: 'idle' }))).toBe(false);
    expect(runsTools(null)).toBe(false);
  });
});
