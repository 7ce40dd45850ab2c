import { describe, it, expect } from 'vitest';
import { detectLoop } from './detect-loop.ts';
import type { LoopCall, LoopTurn } from './loop-types.ts';

const call = (name: string, args: Record<string, unknown>, result?: unknown): LoopCall => ({ name, args, result });
const turn = (...calls: LoopCall[]): LoopTurn => ({ calls });
const order = (ts: string, requestId: string) =>
  JSON.stringify({ order_id: '#W1', status: 'pending', fetched_at: ts, request_id: requestId, meta: { ts, traceId: requestId } });

describe('detectLoop: no progress', () => {
  it('warns on the second identical call+result, ignoring volatile fields, and ends on the third', () => {
    const a = turn(call('get_order_details', { order_id: '#W1' }, order('2026-01-01T00:00:00Z', 'r1')));
    const b = turn(call('get_order_details', { order_id: '#W1' }, order('2026-01-01T00:00:05Z', 'r2')));
    const c = turn(call('get_order_details', { order_id: '#W1' }, order('2026-01-01T00:00:09Z', 'r3')));
    expect(detectLoop([a]).level).toBe('none');
    const w = detectLoop([a, b]);
    expect(w.level).toBe('warning');
    expect(w.findings).toEqual([{ detector: 'no_progress', level: 'warning', message: 'get_order_details called 2 times with the same arguments and the same result' }]);
    expect(w.nudge).toContain('get_order_details({"order_id":"#W1"}) →');
    expect(w.nudge).toContain('"status":"pending"');
    const crit = detectLoop([a, b, c]);
    expect(crit.level).toBe('critical');
    expect(crit.nudge).toBeUndefined();
  });

  it('does not fire when the result changed (e.g. after a write)', () => {
    const h = [
      turn(call('get_order_details', { order_id: '#W1' }, '{"status":"pending"}')),
      turn(call('cancel_pending_order', { order_id: '#W1', reason: 'no longer needed' }, '{"ok":true}')),
      turn(call('get_order_details', { order_id: '#W1' }, '{"status":"cancelled"}')),
    ];
    expect(detectLoop(h).level).toBe('none');
  });

  it('treats argument key order and volatile argument fields as the same call', () => {
    const h = [
      turn(call('search', { q: 'lamp', limit: 5, request_id: 'a' }, 'r')),
      turn(call('search', { limit: 5, q: 'lamp', request_id: 'b' }, 'r')),
    ];
    expect(detectLoop(h).findings.map((f) => f.detector)).toContain('no_progress');
  });

  it('counts repeated identical failures too', () => {
    const bad: LoopCall = { name: 'get_order_details', args: { order_id: 'W1' }, error: 'order not found' };
    expect(detectLoop([turn(bad), turn(bad)]).findings[0]).toMatchObject({ detector: 'no_progress', level: 'warning' });
  });

  it('reports only what the latest turn repeated', () => {
    const same = call('get_order_details', { order_id: '#W1' }, 'x');
    const h = [turn(same), turn(same), turn(call('get_product_details', { product_id: 'p' }, 'y'))];
    expect(detectLoop(h).level).toBe('none');
  });

  it('ignores pending calls', () => {
    const h = [turn(call('get_order_details', { order_id: '#W1' }, 'x')), turn(call('get_order_details', { order_id: '#W1' }))];
    expect(detectLoop(h).level).toBe('none');
  });
});

describe('detectLoop: same tool in a row', () => {
  const lookup = (i: number) => turn(call('get_product_details', { product_id: `p${i}` }, `product ${i}`));

  it('warns at 3 consecutive turns and ends at 5, whatever the arguments', () => {
    expect(detectLoop([lookup(1), lookup(2)]).level).toBe('none');
    const w = detectLoop([lookup(1), lookup(2), lookup(3)]);
    expect(w.findings).toEqual([{ detector: 'same_tool', level: 'warning', message: 'get_product_details called in 3 consecutive turns' }]);
    expect(detectLoop([lookup(1), lookup(2), lookup(3), lookup(4)]).level).toBe('warning');
    expect(detectLoop([1, 2, 3, 4, 5].map(lookup))).toMatchObject({ level: 'critical', findings: [{ detector: 'same_tool', level: 'critical' }] });
  });

  it('counts parallel calls of one turn as one decision', () => {
    const parallel = turn(...[1, 2, 3, 4].map((i) => call('get_product_details', { product_id: `p${i}` }, `product ${i}`)));
    expect(detectLoop([parallel]).level).toBe('none');
  });

  it('is broken by a different tool', () => {
    const other = turn(call('get_order_details', { order_id: '#W1' }, 'o'));
    expect(detectLoop([lookup(1), lookup(2), other, lookup(3)]).level).toBe('none');
  });

  it('takes thresholds from options', () => {
    expect(detectLoop([lookup(1), lookup(2)], { thresholds: { sameToolWarn: 2 } }).level).toBe('warning');
  });
});

describe('detectLoop: ping-pong', () => {
  // Different arguments each time, same results: no exact repeat, but nothing new either.
  const a = (i: number) => turn(call('get_order_details', { order_id: `#W${i}` }, 'order not found'));
  const b = (i: number) => turn(call('find_user_id_by_email', { email: `x${i}@example.com` }, 'user not found'));

  it('warns after two A-B cycles and ends after three', () => {
    expect(detectLoop([a(1), b(1), a(2)]).level).toBe('none');
    expect(detectLoop([a(1), b(1), a(2), b(2)]).findings).toEqual([
      { detector: 'ping_pong', level: 'warning', message: 'get_order_details and find_user_id_by_email alternated 2 times with no new results' },
    ]);
    expect(detectLoop([a(1), b(1), a(2), b(2), a(3), b(3)]).level).toBe('critical');
  });

  it('does not fire when either side returns something new', () => {
    const a2 = turn(call('get_order_details', { order_id: '#W2' }, '{"order_id":"#W2","status":"delivered"}'));
    expect(detectLoop([a(1), b(1), a2, b(2)]).level).toBe('none');
  });
});

describe('detectLoop: unknown tools', () => {
  const unknown = (name: string): LoopTurn => ({ unknownTools: [name] });

  it('warns on the second unknown-tool call of the query and ends on the third', () => {
    expect(detectLoop([unknown('refund')]).level).toBe('none');
    const w = detectLoop([unknown('refund'), unknown('refund_order')]);
    expect(w).toMatchObject({ level: 'warning', findings: [{ detector: 'unknown_tool', message: '2 calls to unknown tools in this query' }] });
    expect(w.nudge).toContain('Tools that do not exist (do not call them again): refund, refund_order.');
    expect(detectLoop([unknown('refund'), turn(call('get_order_details', { order_id: '#W1' }, 'x')), unknown('refund'), unknown('x')]).level).toBe('critical');
  });
});

describe('detectLoop: repeated answer', () => {
  it('ends the query when the same answer is proposed again', () => {
    const first: LoopTurn = { answer: 'Your order  #W1 is on its way.' };
    const again: LoopTurn = { answer: 'your order #W1 is on its way. ' };
    expect(detectLoop([first]).level).toBe('none');
    expect(detectLoop([first, again]).findings).toEqual([{ detector: 'repeated_answer', level: 'critical', message: 'the same answer was proposed 2 times' }]);
    expect(detectLoop([first, { answer: 'Something else.' }]).level).toBe('none');
  });
});

describe('detectLoop: tool-call circuit breaker', () => {
  const many = (n: number, from = 0) => turn(...Array.from({ length: n }, (_, i) => call('get_product_details', { product_id: `p${from + i}` }, `r${from + i}`)));

  it('warns near the budget and ends past it, pending calls included', () => {
    expect(detectLoop([many(5)], { maxToolCalls: 10 }).level).toBe('none');
    expect(detectLoop([many(5), turn(call('get_order_details', { order_id: '#W1' }, 'o')), many(2, 5)], { maxToolCalls: 10 }).findings).toEqual([
      { detector: 'tool_budget', level: 'warning', message: '8 of 10 tool calls used' },
    ]);
    const pending = turn(call('get_order_details', { order_id: '#W9' }));
    expect(detectLoop([many(10), pending], { maxToolCalls: 10 })).toMatchObject({ level: 'critical', findings: [{ detector: 'tool_budget', level: 'critical' }] });
  });
});

describe('detectLoop: normal conversations', () => {
  it('finds nothing in lookup order → product details → return → answer', () => {
    const h: LoopTurn[] = [
      turn(call('find_user_id_by_email', { email: 'ann@example.com' }, 'ann_1234')),
      turn(call('get_order_details', { order_id: '#W1' }, JSON.stringify({ order_id: '#W1', status: 'delivered', items: [{ item_id: 'i1', product_id: 'p1' }, { item_id: 'i2', product_id: 'p2' }], updated_at: 'x' }))),
      turn(call('get_product_details', { product_id: 'p1' }, '{"name":"Lamp"}'), call('get_product_details', { product_id: 'p2' }, '{"name":"Mug"}')),
      turn(call('return_delivered_order_items', { order_id: '#W1', item_ids: ['i1'], payment_method_id: 'pm_1' }, '{"status":"return requested"}')),
      { answer: 'Your return for the lamp is requested.' },
    ];
    for (let i = 1; i <= h.length; i++) expect(detectLoop(h.slice(0, i))).toEqual({ level: 'none', findings: [] });
  });

  it('handles an empty history', () => {
    expect(detectLoop([])).toEqual({ level: 'none', findings: [] });
  });
});

describe('detectLoop: remembered fingerprints', () => {
  // Fingerprints are remembered by content across calls: the same history with other volatile
  // keys, or an error with the text of a result, must not reuse a remembered answer.
  it('gives the same verdict whatever was detected before (volatile keys, error vs result)', () => {
    const withSession = (s: string) => turn(call('get_user', { id: 'u1' }, JSON.stringify({ name: 'Ann', session: s })));
    const h = [withSession('s1'), withSession('s2')];
    for (let round = 0; round < 2; round++) {
      expect(detectLoop(h).level).toBe('none');
      expect(detectLoop(h, { volatileKeys: ['session'] }).level).toBe('warning');
    }
    const failed: LoopTurn = { calls: [{ name: 'get_user', args: { id: 'u1' }, error: 'x' }] };
    const answered = turn(call('get_user', { id: 'u1' }, 'x'));
    expect(detectLoop([failed, answered]).level).toBe('none');
    expect(detectLoop([answered, answered]).level).toBe('warning');
    expect(detectLoop([failed, failed]).level).toBe('warning');
  });
});

describe('detectLoop: fingerprints taken only for calls of the same tool', () => {
  // Calls of different tools never share a fingerprint (the name is hashed with the rest), so
  // they are not compared: unless `name` itself is declared volatile, when they can.
  it('treats calls of different tools as alike once their name is volatile', () => {
    const same = (name: string) => turn(call(name, { id: 'u1' }, '{"ok":true}'));
    expect(detectLoop([same('get_user'), same('find_user')]).level).toBe('none');
    const v = detectLoop([same('get_user'), same('find_user')], { volatileKeys: ['name'] });
    expect(v.findings).toEqual([{ detector: 'no_progress', level: 'warning', message: 'find_user called 2 times with the same arguments and the same result' }]);
  });

  it('finds the same no-progress and ping-pong loops among calls of other tools', () => {
    const a = call('get_order_details', { order_id: '#W1' }, order('2026-01-01T00:00:00Z', 'r1'));
    const b = call('get_product_details', { product_id: 'p1' }, '{"product_id":"p1"}');
    const other = (i: number) => call(`tool_${i}`, { i }, '{"ok":true}');
    const h = [turn(a, other(1)), turn(b, other(2)), turn(other(3), a), turn(other(4), b)];
    expect(detectLoop(h).findings).toEqual([{ detector: 'no_progress', level: 'warning', message: 'get_product_details called 2 times with the same arguments and the same result' }]);
    const pp = [turn(a), turn(b), turn(a), turn(b), turn(a)];
    expect(detectLoop(pp).findings.map((f) => `${f.detector}:${f.level}`)).toEqual(['no_progress:critical', 'ping_pong:warning']);
  });
});
