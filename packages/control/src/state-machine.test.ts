import { describe, it, expect } from 'vitest';
import { EndReason, QueryState } from '@steward/core';
import { QUERY_EVENTS, IllegalTransitionError, allowedEvents, endEventFor, follow, isTerminal, transition, type QueryEvent } from './state-machine.ts';

// The full table: every (state, event) pair not listed here must be refused.
const LEGAL: Record<QueryState, Partial<Record<QueryEvent, QueryState>>> = {
  idle: { start: 'reasoning', limit: 'failed', handoff: 'handed_off', fail: 'failed' },
  reasoning: {
    propose_answer: 'completed',
    propose_tools: 'acting',
    reject_output: 'reasoning',
    loop_critical: 'loop_detected',
    limit: 'failed',
    handoff: 'handed_off',
    fail: 'failed',
  },
  acting: { tools_done: 'observing', limit: 'failed', handoff: 'handed_off', fail: 'failed' },
  observing: { start: 'reasoning', loop_critical: 'loop_detected', limit: 'failed', handoff: 'handed_off', fail: 'failed' },
  completed: {},
  failed: {},
  loop_detected: {},
  handed_off: {},
};

const pairs = QueryState.options.flatMap((s) => QUERY_EVENTS.map((e) => [s, e] as const));

describe('query state machine', () => {
  it.each(pairs.filter(([s, e]) => LEGAL[s][e] !== undefined))('%s --%s--> allowed', (s, e) => {
    expect(transition(s, e)).toEqual({ ok: true, to: LEGAL[s][e] });
  });

  it.each(pairs.filter(([s, e]) => LEGAL[s][e] === undefined))('%s --%s--> refused', (s, e) => {
    const r = transition(s, e);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(e);
  });

  it('covers every state and event of the contract', () => {
    expect(Object.keys(LEGAL).sort()).toEqual([...QueryState.options].sort());
    expect(pairs).toHaveLength(QueryState.options.length * QUERY_EVENTS.length);
  });

  it('says a terminal state has ended, and accepts nothing there', () => {
    for (const s of ['completed', 'failed', 'loop_detected', 'handed_off'] as const) {
      expect(isTerminal(s)).toBe(true);
      expect(allowedEvents(s)).toEqual([]);
      const r = transition(s, 'start');
      expect(r.ok === false && r.error).toMatch(/already ended/);
    }
    expect(isTerminal('observing')).toBe(false);
  });

  it('runs a full multi-turn query', () => {
    const events: QueryEvent[] = ['start', 'propose_tools', 'tools_done', 'start', 'propose_tools', 'tools_done', 'start', 'propose_answer'];
    let state: QueryState = 'idle';
    for (const e of events) {
      const r = transition(state, e);
      if (!r.ok) throw new Error(r.error);
      state = r.to;
    }
    expect(state).toBe('completed');
  });

  it('maps every end reason to an event that ends the query from reasoning', () => {
    for (const reason of EndReason.options) {
      const r = transition('reasoning', endEventFor(reason));
      expect(r.ok && isTerminal(r.to)).toBe(true);
    }
    expect(endEventFor('deadline')).toBe('limit');
    expect(endEventFor('loop_detected')).toBe('loop_critical');
    expect(endEventFor('llm_unavailable')).toBe('fail');
  });

  it('follows a path of events and throws on an illegal step', () => {
    expect(follow('acting', 'tools_done', 'start')).toBe('reasoning');
    expect(follow('reasoning', 'reject_output')).toBe('reasoning');
    expect(() => follow('acting', 'start')).toThrow(IllegalTransitionError);
    expect(() => follow('completed', 'propose_answer')).toThrow(/already ended/);
  });
});
