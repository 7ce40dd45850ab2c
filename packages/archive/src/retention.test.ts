import { describe, expect, it } from 'vitest';
import { parseRetention } from './retention.ts';

describe('parseRetention', () => {
  it('reads a retention per table in days, hours, minutes or seconds', () => {
    expect(parseRetention('conversations=400d, steps=90d,events=12h,writes=30m,messages=10s')).toEqual({
      conversations: 400 * 86_400_000,
      steps: 90 * 86_400_000,
      events: 12 * 3_600_000,
      writes: 30 * 60_000,
      messages: 10_000,
    });
    expect(parseRetention('')).toEqual({});
  });

  it('refuses unknown tables and units, naming the setting', () => {
    expect(() => parseRetention('customers=30d')).toThrow(/ARCHIVE_RETENTION: unknown table "customers"/);
    expect(() => parseRetention('steps=30w')).toThrow(/ARCHIVE_RETENTION: cannot read "steps=30w"/);
  });
});
