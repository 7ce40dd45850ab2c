import { describe, expect, it } from 'vitest';
import { decideConfirmation, listedValues, type ConfirmationInput, type CustomerMessage, type PendingConfirmation } from './confirmation.ts';
import { confirmationKey } from './confirmation-key.ts';

const tool = 'cancel_pending_order';
const args = { order_id: '#W6779827', reason: 'ordered by mistake' };
const asking: CustomerMessage = { queryId: 'q1', text: 'cancel my order #W6779827 please', author: 'u1', createdMs: 1_000 };
const pending: PendingConfirmation = { key: confirmationKey(tool, args), tool, args, queryId: 'q1', author: 'u1' };
const listed = { answered: true, answer: 'Please confirm: cancel order #W6779827 (reason: ordered by mistake). Yes or no?', completedMs: 2_000 };
const reply = (text: string, queryId = 'q2', createdMs = 3_000, author = 'u1'): CustomerMessage => ({ queryId, text, author, createdMs });

function input(over: Partial<ConfirmationInput> = {}): ConfirmationInput {
  const query = over.query ?? reply('yes');
  return { call: { name: tool, args }, requiresConfirmation: true, unresolvedRefs: false, query, pending, asked: listed, since: [query], ...over };
}

describe('decideConfirmation', () => {
  it('lets tools without the policy through', () => {
    expect(decideConfirmation(input({ requiresConfirmation: false, pending: null }))).toEqual({ allowed: true, consumes: null });
  });

  it('refuses the first call and asks for exactly this action', () => {
    const d = decideConfirmation(input({ pending: null, asked: null, query: asking, since: [] }));
    expect(d).toEqual({ allowed: false, reason: 'not_asked', ask: { ...pending } });
  });

  it('legitimate flow in English: listed, then "Yes, please go ahead." in a later message', () => {
    expect(decideConfirmation(input({ query: reply('Yes, please go ahead.') }))).toEqual({ allowed: true, consumes: pending });
  });

  it('legitimate flow in Mandarin: listed, then 是的，确认取消', () => {
    const zhListed = { ...listed, answer: '在继续之前，请确认以下操作：取消订单 #W6779827。是否确认？' };
    expect(decideConfirmation(input({ asked: zhListed, query: reply('是的，确认取消') })).allowed).toBe(true);
    expect(decideConfirmation(input({ asked: zhListed, query: reply('确认') })).allowed).toBe(true);
  });

  it('1a: a "yes" inside the first message never confirms the action refused in the same query', () => {
    const first = { ...asking, text: 'Yes, cancel order #W6779827, I ordered it by mistake' };
    // Turn 0 was refused and stored the pending action with q1; turn 1 of q1 proposes it again.
    const d = decideConfirmation(input({ query: first, since: [first], asked: null }));
    expect(d).toMatchObject({ allowed: false, reason: 'not_shown' });
    // Even if the asking query had somehow ended, the same query is never its own confirmation.
    expect(decideConfirmation(input({ query: first, since: [first] }))).toMatchObject({ allowed: false, reason: 'not_shown' });
  });

  it('1b: a write with unresolved references is refused and stores nothing', () => {
    const d = decideConfirmation(input({ call: { name: tool, args: { order_id: '$call:0.orders.1', reason: 'x' } }, unresolvedRefs: true }));
    expect(d).toEqual({ allowed: false, reason: 'unresolved_reference', ask: null });
  });

  it('1b: after "yes", another order than the listed one is refused and becomes the new question', () => {
    const other = { order_id: '#W6426438', reason: 'ordered by mistake' };
    const d = decideConfirmation(input({ call: { name: tool, args: other } }));
    expect(d).toMatchObject({ allowed: false, reason: 'different_action', ask: { key: confirmationKey(tool, other), queryId: 'q2' } });
  });

  it('1c: "no, keep it" cancels the pending action: a later "ok" does not run it', () => {
    const no = reply('no, keep it', 'q2', 3_000);
    const ok = reply('ok', 'q3', 4_000);
    expect(decideConfirmation(input({ query: no, since: [no] }))).toMatchObject({ allowed: false, reason: 'declined' });
    expect(decideConfirmation(input({ query: ok, since: [no, ok] }))).toMatchObject({ allowed: false, reason: 'declined' });
    // A different subject in between cancels it too (it is not a yes).
    const other = reply('what is my balance', 'q2', 3_000);
    expect(decideConfirmation(input({ query: ok, since: [other, ok] }))).toMatchObject({ allowed: false, reason: 'declined' });
  });

  it('refuses a yes that is not affirmative, a question, or a hedge', () => {
    for (const t of ['yes?', 'yes but change the reason', '不要', '确认吗？']) {
      expect(decideConfirmation(input({ query: reply(t) })).allowed).toBe(false);
    }
  });

  it('refuses a yes from another platform user of a group chat', () => {
    expect(decideConfirmation(input({ query: reply('yes', 'q2', 3_000, 'u2') }))).toMatchObject({ allowed: false, reason: 'other_author' });
  });

  it('refuses a yes that arrived before the question was answered (double texting)', () => {
    expect(decideConfirmation(input({ query: reply('yes', 'q2', 1_500) }))).toMatchObject({ allowed: false, reason: 'before_question' });
  });

  it('refuses when the agent message did not list the arguments, or the asking query did not answer', () => {
    expect(decideConfirmation(input({ asked: { ...listed, answer: 'Shall I cancel it?' } }))).toMatchObject({ reason: 'not_listed' });
    expect(decideConfirmation(input({ asked: { ...listed, answered: false } }))).toMatchObject({ reason: 'not_shown' });
  });

  it('compares item lists as multisets: the listed items in another order are the same action', () => {
    const ret = { order_id: '#W1', item_ids: ['i1', 'i2'], payment_method_id: 'pm_1' };
    const p = { key: confirmationKey('return_delivered_order_items', ret), tool: 'return_delivered_order_items', args: ret, queryId: 'q1', author: 'u1' };
    const shown = { answered: true, answer: 'Return i1 and i2 from #W1 to pm_1?', completedMs: 2_000 };
    const d = decideConfirmation(input({ call: { name: p.tool, args: { ...ret, item_ids: ['i2', 'i1'] } }, pending: p, asked: shown }));
    expect(d.allowed).toBe(true);
  });

  it('lists the identifiers an agent message must show', () => {
    expect(listedValues({ order_id: '#W1', item_ids: ['a', 'b'], new_item_ids: ['c'], payment_method_id: 'pm', reason: 'x' })).toEqual(['#W1', 'a', 'b', 'c', 'pm']);
  });
});
