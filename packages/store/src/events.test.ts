import { describe, expect, it } from 'vitest';
import { StewardEvent } from '@steward/core';
import { InvalidEventError, toEvent } from './events.ts';

describe('toEvent (typed event writers)', () => {
  it('writes the JSON the envelope schema would, without parsing it again', () => {
    const input = { id: 'q:t1:tool', type: 'audit.denied', traceId: 't', queryId: 'q', data: { tool: 'x', customerId: null, turn: 1 }, ts: 7 } as const;
    const extra = { ...input, stray: 'dropped' } as typeof input;
    expect(JSON.stringify(toEvent(extra))).toBe(JSON.stringify(StewardEvent.parse(input)));
    expect(JSON.stringify(toEvent({ ...input, traceId: undefined }))).toBe(JSON.stringify(StewardEvent.parse({ ...input, traceId: undefined })));
    expect(() => toEvent({ ...input, id: '' })).toThrow(InvalidEventError);
    expect(() => toEvent({ ...input, ts: Number.NaN })).toThrow(InvalidEventError);
  });

  it('checks the data of a typed event when it is written', () => {
    const ok = toEvent({ id: 'q:t0:loop', type: 'control.decision', queryId: 'q', data: { kind: 'loop_warning', detail: 'same_tool', turn: 0 }, ts: 5 });
    expect(ok).toMatchObject({ type: 'control.decision', ts: 5 });
    // @ts-expect-error -- detail and turn are missing
    expect(() => toEvent({ id: 'q:t0:x', type: 'control.decision', data: { kind: 'loop_warning' } })).toThrow(InvalidEventError);
    // @ts-expect-error -- most of the completion is missing
    expect(() => toEvent({ id: 'q:completed', type: 'query.completed', data: { outcome: 'answered' } })).toThrow(/invalid query.completed event data: reason/);
  });

  it('is not retried: a malformed event is a bug in its writer', () => {
    try {
      // @ts-expect-error -- a malformed llm.call
      toEvent({ id: 'q:t0:llm', type: 'llm.call', data: { turn: 'zero' } });
      expect.unreachable();
    } catch (e) {
      expect((e as InvalidEventError).retryable).toBe(false);
    }
  });

  it('checks every event type: each has a data schema', () => {
    expect(toEvent({ id: 'h', type: 'handoff.created', data: { reason: 'handoff', handoffId: 'q1' } }).data).toEqual({ reason: 'handoff', handoffId: 'q1' });
    // @ts-expect-error -- the writer's type is checked at compile time too: handoffId is required
    expect(() => toEvent({ id: 'h', type: 'handoff.created', data: { reason: 'handoff' } })).toThrow(/invalid handoff.created event data: handoffId/);
    expect(() => toEvent({ id: 'd', type: 'delivery.dead', data: { channel: 'slack', code: 'x', error: 'y', attempts: 'eight' as unknown as number } })).toThrow(InvalidEventError);
    expect(() => toEvent({ id: 'a', type: 'audit.denied', data: { tool: 'cancel_pending_order', customerId: null, turn: 0 } })).not.toThrow();
  });
});
