import { describe, expect, it } from 'vitest';
import { InvalidEventError, toEvent } from './events.ts';

describe('toEvent (typed event writers)', () => {
  it('checks the data of a typed event when it is written', () => {
    const ok = toEvent({ id: 'q:t0:loop', type: 'control.decision', queryId: 'q', data: { kind: 'loop_warning', detail: 'same_tool', turn: 0 }, ts: 5 });
    expect(ok).toMatchObject({ type: 'control.decision', ts: 5 });
    expect(() => toEvent({ id: 'q:t0:x', type: 'control.decision', data: { kind: 'loop_warning' } })).toThrow(InvalidEventError);
    expect(() => toEvent({ id: 'q:completed', type: 'query.completed', data: { outcome: 'answered' } })).toThrow(/invalid query.completed event data: reason/);
  });

  it('is not retried: a malformed event is a bug in its writer', () => {
    try {
      toEvent({ id: 'q:t0:llm', type: 'llm.call', data: { turn: 'zero' } });
      expect.unreachable();
    } catch (e) {
      expect((e as InvalidEventError).retryable).toBe(false);
    }
  });

  it('leaves types without a data schema free-form', () => {
    expect(toEvent({ id: 'h', type: 'handoff.created', data: { reason: 'handoff' } }).data).toEqual({ reason: 'handoff' });
  });
});
