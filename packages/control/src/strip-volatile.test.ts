import { describe, it, expect } from 'vitest';
import { isVolatileKey, stableFingerprint, stripVolatile } from './strip-volatile.ts';

describe('stripVolatile', () => {
  it('removes timestamps and request/trace ids at any depth', () => {
    expect(stripVolatile({ a: 1, ts: 2, created_at: 3, updatedAt: 4, nested: [{ request_id: 'r', traceId: 't', keep: true, date: 'd', time: 't' }] })).toEqual({
      a: 1,
      nested: [{ keep: true }],
    });
  });

  it('parses JSON strings and masks date-times inside text', () => {
    expect(stripVolatile('{"status":"ok","timestamp":1}')).toEqual({ status: 'ok' });
    expect(stripVolatile('as of 2026-11-24T01:02:03.456Z the order is pending')).toBe('as of <time> the order is pending');
    expect(stripVolatile('not {json')).toBe('not {json');
  });

  it('keeps ordinary keys that merely contain volatile words', () => {
    expect(isVolatileKey('status')).toBe(false);
    expect(isVolatileKey('format')).toBe(false); // ends in "at", not "_at"
    expect(isVolatileKey('delivered_at')).toBe(true);
    expect(isVolatileKey('session', new Set(['session']))).toBe(true);
  });

  it('gives equal fingerprints to results that differ only in volatile fields', () => {
    expect(stableFingerprint({ b: 1, a: { ts: 1 } })).toBe(stableFingerprint('{"a":{"ts":2},"b":1}'));
    expect(stableFingerprint({ b: 1 })).not.toBe(stableFingerprint({ b: 2 }));
  });
});
