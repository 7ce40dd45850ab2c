import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TurnResults } from './turn-results.ts';

const res = (i: number) => ({ name: 't', callId: `c${i}`, result: `r${i}`, ok: true });
const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
const started = (results: string[]) => ({ results, proposal: undefined, history: [], memory: '{"m":1}' });

describe('TurnResults', () => {
  it('knows the results read at the start and those recorded since; a call is last only when every other is known', () => {
    const t = new TurnResults(started(['', JSON.stringify(res(1)), '']));
    expect(t.lastIs(0)).toBe(false);
    t.know(2, res(2));
    expect(t.lastIs(0)).toBe(true);
    expect(t.lastIs(2)).toBe(false);
    t.know(0, res(0));
    expect(t.all()).toEqual([res(0), res(1), res(2)]);
  });

  it("hashes each other call's JSON as stored (read at the start, or serialised as its record sends it) and the memory, not the call being recorded", () => {
    const t = new TurnResults(started([JSON.stringify(res(0)), '']));
    t.know(1, res(1));
    expect(t.shas(1)).toEqual({ resultShas: [sha1(JSON.stringify(res(0))), ''], memorySha: sha1('{"m":1}') });
    expect(t.shas(0).resultShas).toEqual(['', sha1(JSON.stringify(res(1)))]);
  });

  it('a turn with no calls has no last call', () => {
    expect(new TurnResults(started([])).lastIs(0)).toBe(false);
  });
});
