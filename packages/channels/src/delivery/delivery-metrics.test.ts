import { describe, expect, it } from 'vitest';
import { renderDeliveryMetrics } from './delivery-records.ts';

describe('delivery metrics labels', () => {
  it('keeps built-in channels and the busiest other names, folds the rest into "other"', () => {
    const dead: Record<string, number> = { telegram: 3 };
    for (let i = 0; i < 500; i++) dead[`invented-${i}`] = i < 16 ? 100 : 1;
    const text = renderDeliveryMetrics({ sent: { whatsapp: 7 }, dead, deadListed: 0 });
    const series = text.split('\n').filter((l) => l.startsWith('steward_channel_deliveries_total{'));
    expect(series.length).toBe(1 + 1 + 16 + 1);
    expect(series).toContain('steward_channel_deliveries_total{channel="telegram",result="dead"} 3');
    expect(series).toContain('steward_channel_deliveries_total{channel="other",result="dead"} 484');
  });
});
