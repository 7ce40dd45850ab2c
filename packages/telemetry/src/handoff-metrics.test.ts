import { describe, expect, it } from 'vitest';
import { eventObservations } from './event-metrics.ts';

describe('handoff metrics', () => {
  const ev = (type: 'handoff.updated' | 'handoff.sla_breached', data: Record<string, unknown>) => ({ id: 'x', type, ts: 1, data });
  it('counts SLA breaches and observes wait (claim) and handling (close) times in seconds', () => {
    expect(eventObservations(ev('handoff.sla_breached', { waitMs: 400_000 }))).toEqual([{ name: 'steward_handoff_sla_breaches_total', labels: {}, value: 1 }]);
    expect(eventObservations(ev('handoff.updated', { action: 'claim', waitMs: 90_000 }))).toEqual([{ name: 'steward_handoff_wait_seconds', labels: {}, value: 90 }]);
    expect(eventObservations(ev('handoff.updated', { action: 'resolve', handlingMs: 600_000 }))).toEqual([{ name: 'steward_handoff_handling_seconds', labels: {}, value: 600 }]);
    expect(eventObservations(ev('handoff.updated', { action: 'transfer' }))).toEqual([]);
  });
});
