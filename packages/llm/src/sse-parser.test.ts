import { describe, it, expect } from 'vitest';
import { SseParser, type SseEvent } from './sse-parser.ts';

function parse(pieces: readonly string[], end = true): SseEvent[] {
  const out: SseEvent[] = [];
  const p = new SseParser((e) => out.push(e));
  for (const piece of pieces) p.push(piece);
  if (end) p.end();
  return out;
}

// Every rule the parser must follow in one stream: LF, CRLF and lone CR line endings, comments,
// a multi-line event, a named event, `id`/`retry` fields ignored, a field without a space after
// its colon, a field without a colon, an event with no data (not delivered).
const STREAM =
  ': keep-alive\r\n\r\n' +
  'data: {"n":1}\n\n' +
  'data: {"n":\r\ndata: 2}\r\n\r\n' +
  'id: 7\rretry: 100\rdata:{"n":3}\r\r' +
  'event: error\ndata: {"error":{"message":"boom"}}\n\n' +
  'event: ping\nid: 8\n\n' +
  'data\n\n' +
  'data: 你好，訂單 #W1 已發貨\n\n' +
  'data: [DONE]\n\n';

const EXPECTED: SseEvent[] = [
  { event: 'message', data: '{"n":1}' },
  { event: 'message', data: '{"n":\n2}' },
  { event: 'message', data: '{"n":3}' },
  { event: 'error', data: '{"error":{"message":"boom"}}' },
  // `data` without a colon is a data field with an empty value: an event with empty data (the spec delivers it).
  { event: 'message', data: '' },
  { event: 'message', data: '你好，訂單 #W1 已發貨' },
  { event: 'message', data: '[DONE]' },
];

describe('SseParser', () => {
  it('reads LF, CRLF and CR line endings, comments, multi-line and named events', () => {
    expect(parse([STREAM])).toEqual(EXPECTED);
  });

  it('gives the same events whatever the split: at every position', () => {
    for (let i = 1; i < STREAM.length; i++) expect(parse([STREAM.slice(0, i), STREAM.slice(i)]), `split at ${i}`).toEqual(EXPECTED);
  });

  it('gives the same events at every pair of split positions and one character at a time', () => {
    for (let i = 1; i < STREAM.length; i += 3) {
      for (let j = i + 1; j < STREAM.length; j += 2) {
        expect(parse([STREAM.slice(0, i), STREAM.slice(i, j), STREAM.slice(j)]), `split at ${i}, ${j}`).toEqual(EXPECTED);
      }
    }
    expect(parse([...STREAM])).toEqual(EXPECTED);
  });

  it('a CR at the end of one chunk and a LF at the start of the next are one line ending', () => {
    expect(parse(['data: a\r', '\n\r', '\ndata: b\r', '\r'])).toEqual([
      { event: 'message', data: 'a' },
      { event: 'message', data: 'b' },
    ]);
  });

  it('delivers a last event that lacks its blank line when the stream ends, and nothing before', () => {
    expect(parse(['data: {"n":1}\ndata: x'], false)).toEqual([]);
    expect(parse(['data: {"n":1}\ndata: x'])).toEqual([{ event: 'message', data: '{"n":1}\nx' }]);
  });
});
