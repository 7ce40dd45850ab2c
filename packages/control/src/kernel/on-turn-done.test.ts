import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '../state-machine.ts';
import type { LoopTurn } from '../loop-types.ts';
import type { CallResult } from './call-result.ts';
import { endWith } from './end-with.ts';
import { onTurnDone, type TurnSnapshot } from './on-turn-done.ts';
import { query, rules } from './test-fixtures.ts';

// The all-calls-done transition without Redis: the next turn, the loop detectors through it
// (warning → nudge, critical → the loop ending), the last turn, stale input.

const ok = (name: string, result: string, i = 0): CallResult => ({ name, callId: `call_${i}`, result, ok: true });
const acting = (over: Partial<TurnSnapshot> = {}): TurnSnapshot => ({
  query: query({ state: 'acting', turn: 2 }),
  results: [ok('get_order_details', '{"status":"pending"}')],
  left: 0,
  proposedArgs: [{ order_id: '#W1' }],
  history: [],
  ...over,
});
const sameCall: LoopTurn = { calls: [{ name: 'get_order_details', args: { order_id: '#W1' }, result: '{"status":"pending"}' }] };

describe('onTurnDone', () => {
  it('records the observations and starts the next turn (acting → observing → reasoning)', () => {
    const t = onTurnDone(acting(), { turn: 2 }, rules());
    expect(t).toMatchObject({ from: { state: 'acting', turn: 2 }, to: { state: 'reasoning', turn: 3 }, set: { nudge: '' }, events: [] });
    expect(t?.steps).toEqual([{ role: 'tool', tool_call_id: 'call_0', content: '{"status":"pending"}' }]);
    expect(t?.history).toEqual([sameCall]);
    expect(t?.jobs).toEqual([{ queue: 'reasoning', jobId: 'q_2:t3:reason', data: { queryId: 'q_2', turn: 3 } }]);
    expect(t?.completion).toBeUndefined();
  });

  it('ignores a redelivered observe (query moved on or ended) and a turn that has not ended', () => {
    expect(onTurnDone(acting({ query: query({ state: 'reasoning', turn: 3 }) }), { turn: 2 }, rules())).toBeNull();
    expect(onTurnDone(acting({ query: query({ state: 'failed', status: 'failed', turn: 2 }) }), { turn: 2 }, rules())).toBeNull();
    expect(onTurnDone(acting({ left: 1 }), { turn: 2 }, rules())).toBeNull();
    expect(onTurnDone(acting({ results: [undefined] }), { turn: 2 }, rules())).toBeNull();
  });

  it('ends with max_turns when no turn is left to read the results', () => {
    const t = onTurnDone(acting({ query: query({ state: 'acting', turn: 7 }) }), { turn: 7 }, rules());
    expect(t?.completion).toMatchObject({ outcome: 'fallback', reason: 'max_turns' });
    expect(t?.to.state).toBe('failed');
  });

  it('no_progress warning: the same call with the same result again → a nudge for the next prompt', () => {
    const t = onTurnDone(acting({ history: [sameCall] }), { turn: 2 }, rules());
    expect(t?.to.state).toBe('reasoning');
    expect(t?.set?.nudge).toContain('Loop warning');
    expect(t?.events).toEqual([{ kind: 'loop_warning', detail: expect.stringContaining('no_progress') as string, turn: 2 }]);
  });

  it('no_progress critical: the observations are recorded at observing, then the loop ends the query and hands it off', () => {
    const t = onTurnDone(acting({ history: [sameCall, sameCall] }), { turn: 2 }, rules());
    expect(t?.recordAt).toEqual({ state: 'observing', turn: 2 });
    expect(t?.to.state).toBe('loop_detected');
    expect(t?.completion).toMatchObject({ outcome: 'fallback', reason: 'loop_detected', handsOff: true });
    expect(t?.steps).toHaveLength(1);
    expect(t?.jobs.map((j) => j.queue)).toEqual(['handoff']);
    expect(t?.events[0]).toMatchObject({ kind: 'loop_critical' });
  });

  it.each([
    ['same_tool', Array.from({ length: 4 }, (_, i): LoopTurn => ({ calls: [{ name: 'get_order_details', args: { order_id: `#W${i + 10}` }, result: `r${i}` }] }))],
    ['unknown_tool', [{ calls: [], unknownTools: ['teleport'] }, { calls: [], unknownTools: ['teleport'] }] as LoopTurn[]],
  ])('%s critical ends the query as a loop', (detector, history) => {
    const results: CallResult[] =
      detector === 'unknown_tool' ? [{ name: 'teleport', callId: 'call_0', result: 'Unknown tool teleport.', ok: false, errorType: 'unknown_tool' }] : [ok('get_order_details', 'r-new')];
    const t = onTurnDone(acting({ history, results, proposedArgs: [{ order_id: '#W99' }] }), { turn: 2 }, rules());
    expect(t?.completion?.reason).toBe('loop_detected');
    expect(t?.events[0]?.detail).toContain(detector);
  });

  it('ping_pong: two tools alternating with no new results → a warning, then the loop ending', () => {
    const a: LoopTurn = { calls: [{ name: 'get_order_details', args: { order_id: '#W1' }, result: 'A' }] };
    const b: LoopTurn = { calls: [{ name: 'get_user_details', args: { user_id: 'u1' }, result: 'B' }] };
    const lastB = { results: [ok('get_user_details', 'B')], proposedArgs: [{ user_id: 'u1' }] };
    const warn = onTurnDone(acting({ history: [a, b, a], ...lastB }), { turn: 2 }, rules());
    expect(warn?.events.map((e) => e.detail).join()).toContain('ping_pong');
    const crit = onTurnDone(acting({ history: [a, b, a, b, a], ...lastB }), { turn: 2 }, rules());
    expect(crit?.completion?.reason).toBe('loop_detected');
    expect(crit?.events[0]?.detail).toContain('ping_pong');
  });

  it('tool_budget: past the per-query tool calls the loop breaker ends the query', () => {
    const history: LoopTurn[] = [{ calls: Array.from({ length: 4 }, (_, i) => ({ name: 'get_user_details', args: { user_id: `u${i}` }, result: `r${i}` })) }];
    const t = onTurnDone(acting({ history }), { turn: 2 }, rules({ maxToolCallsPerQuery: 4 }));
    expect(t?.completion?.reason).toBe('loop_detected');
    expect(t?.events[0]?.detail).toContain('tool_budget');
  });

  it('a failed call is recorded as an error in the loop history; an unknown tool by its structured type', () => {
    const results: CallResult[] = [
      { name: 'teleport', callId: 'call_0', result: 'Unknown tool teleport.', ok: false, errorType: 'unknown_tool' },
      { name: 'get_order_details', callId: 'call_1', result: 'Error: order not found', ok: false, errorType: 'tool_error' },
    ];
    const t = onTurnDone(acting({ results, proposedArgs: [{}, { order_id: '#W0' }] }), { turn: 2 }, rules());
    expect(t?.history?.[0]).toMatchObject({ unknownTools: ['teleport'], calls: [{ error: 'Unknown tool teleport.' }, { error: 'Error: order not found' }] });
  });
});

describe('the table is obeyed', () => {
  it('an ending from a state the table does not allow is an error, not a log line', () => {
    expect(() => endWith(query({ state: 'completed' }), { outcome: 'fallback', reason: 'deadline' })).toThrow(IllegalTransitionError);
    expect(() => endWith(query({ state: 'acting' }), { outcome: 'fallback', reason: 'loop_detected' })).toThrow(IllegalTransitionError);
  });
});
