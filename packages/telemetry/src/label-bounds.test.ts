import { describe, expect, it } from 'vitest';
import { eventObservations } from './event-metrics.ts';
import { channelLabel, tokenLabel } from './label-bounds.ts';

const ev = (type: string, data: Record<string, unknown>) =>
  ({ id: `${type}-1`, type, ts: 1, queryId: 'q_1', conversationId: 'c_1', data }) as Parameters<typeof eventObservations>[0];

describe('metric label bounds', () => {
  it('keeps known channels and folds caller-chosen ones into "other"', () => {
    expect(channelLabel('telegram')).toBe('telegram');
    expect(channelLabel('attacker-chosen-1')).toBe('other');
    expect(channelLabel(undefined)).toBe('unknown');
  });

  it('a thousand caller-chosen channel names make one series', () => {
    const series = new Set<string>();
    for (let i = 0; i < 1_000; i++) {
      for (const o of eventObservations(ev('query.accepted', { channel: `c${i}` }))) series.add(JSON.stringify(o.labels));
    }
    expect([...series]).toEqual(['{"channel":"other"}']);
  });

  it('an unknown tool the model invented is counted as unknown_tool, not by its name', () => {
    const call = { turn: 0, index: 0, callId: 'c', spanId: 's', startMs: 0, endMs: 1, cacheHit: false };
    const labels = (name: string, errorType?: string) =>
      eventObservations(ev('tool.call', { ...call, name, ok: errorType === undefined, ...(errorType ? { errorType } : {}) })).map((o) => o.labels.tool);
    expect(new Set(labels('get_order_details'))).toEqual(new Set(['get_order_details']));
    expect(new Set(labels('delete_all_orders_now', 'unknown_tool'))).toEqual(new Set(['unknown_tool']));
  });

  it('free text never becomes a label value', () => {
    expect(tokenLabel('gpt-4o-mini')).toBe('gpt-4o-mini');
    expect(tokenLabel('429 Too Many Requests for order #W1', '_OTHER')).toBe('_OTHER');
  });
});
