import { describe, it, expect } from 'vitest';
import { parseAutoclaimReply, parseReadReply } from './stream-entries.ts';

const event = { id: 'q_1:e0', type: 'query.started', ts: 1, queryId: 'q_1', data: {} };
const entry = (id: string, json: string) => [id, ['e', json]];

describe('stream replies', () => {
  it('reads XREADGROUP replies in RESP2 and RESP3 shapes', () => {
    const entries = [entry('1-0', JSON.stringify(event))];
    expect(parseReadReply([['s', entries]])).toEqual([{ entryId: '1-0', event }]);
    expect(parseReadReply(['s', entries])).toEqual([{ entryId: '1-0', event }]);
    expect(parseReadReply(null)).toEqual([]);
  });

  it('keeps unreadable entries with the reason, so they can be acked instead of retried forever', () => {
    const r = parseReadReply([
      's',
      [entry('1-0', '{oops'), ['2-0', ['x', '1']], ['3-0', null], entry('4-0', JSON.stringify({ ...event, type: 'nope' }))],
    ]);
    expect(r.map((e) => [e.entryId, e.event === undefined, typeof e.invalid])).toEqual([
      ['1-0', true, 'string'],
      ['2-0', true, 'string'],
      ['3-0', true, 'string'],
      ['4-0', true, 'string'],
    ]);
  });

  it('reads XAUTOCLAIM replies with their cursor', () => {
    expect(parseAutoclaimReply(['5-0', [entry('1-0', JSON.stringify(event))], []])).toEqual({
      cursor: '5-0',
      entries: [{ entryId: '1-0', event }],
    });
    expect(parseAutoclaimReply(undefined)).toEqual({ cursor: '0-0', entries: [] });
  });
});
