import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EVENT_DATA_SCHEMAS, StewardEvent } from './events.ts';

describe('event schemas are compiled', () => {
  it('every one runs a generated parser first (and strict compile, which refuses what it cannot generate, accepts it)', () => {
    for (const [type, schema] of Object.entries({ envelope: StewardEvent, ...EVENT_DATA_SCHEMAS })) {
      // z.compile wraps the schema's run and keeps the runtime parser beside it (zod 4 compile.js).
      expect((schema._zod.run as { __originalRun?: unknown }).__originalRun, type).toBeTypeOf('function');
      expect(() => z.compile(schema as z.ZodType, { strict: true }), type).not.toThrow();
    }
  });

  it('parse as before: unknown keys stripped, a prototype key dropped from data, the same issues', () => {
    const e = { id: 'q:e1', type: 'query.accepted', ts: 1, queryId: 'q', stray: 1, data: JSON.parse('{"channel":"api","__proto__":{"x":1}}') as unknown };
    const r = StewardEvent.parse(e);
    expect(r).toEqual({ id: 'q:e1', type: 'query.accepted', ts: 1, queryId: 'q', data: { channel: 'api' } });
    expect(Object.getPrototypeOf(r.data)).toBe(Object.prototype);
    expect(StewardEvent.safeParse({ ...e, data: [] }).error?.issues).toMatchObject([{ code: 'invalid_type', expected: 'record', path: ['data'] }]);
    expect(StewardEvent.safeParse({ ...e, ts: 'x' }).error?.issues).toMatchObject([{ code: 'invalid_type', expected: 'number', path: ['ts'] }]);
    expect(EVENT_DATA_SCHEMAS['tool.call'].safeParse({ turn: 1.5 }).success).toBe(false);
  });
});
