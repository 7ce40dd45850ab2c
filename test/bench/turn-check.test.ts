// The token benchmark's success check judges a turn on the prompts the model received: an answer
// that states the right fact from an id that was not in its prompt is a failure (sim-llm can
// reach past its prompt; a real model cannot).
import { describe, expect, it } from 'vitest';
import type { RecordedCall } from '../../scripts/lib/prompt-recorder.ts';
import { checkTurn } from '../../scripts/lib/turn-check.ts';

const SYSTEM = 'You are steward.\nVerified customer: ana_lee_1234\n\n[Working memory: earlier tool results, latest first; use these exact ids]\n';
const read = (prompt: string): RecordedCall => ({ prompt, offered: ['get_order_details', 'return_delivered_order_items'], calls: [{ name: 'get_order_details', args: { order_id: '#W1000001' } }], text: '' });
const answer = (prompt: string, text: string): RecordedCall => ({ prompt, offered: ['get_order_details'], calls: [], text });

describe('checkTurn', () => {
  const turn = { expect: ['1Z999'], needs: ['#W1000001', '1Z999'] };

  it('passes when the answer states the fact and every id it rests on was in the answering prompt', () => {
    const prompt = `${SYSTEM}Order #W1000001 · status delivered\n  shipments: tracking 1Z999\nWhat is the tracking number of #W1000001?`;
    const v = checkTurn(turn, 'Your tracking number is 1Z999.', [read(`${SYSTEM}What is the tracking number of #W1000001?`), answer(prompt, 'Your tracking number is 1Z999.')]);
    expect(v).toEqual({ ok: true, problems: [] });
  });

  it('fails when the answer is right but the id was missing from the prompt of the call that wrote it', () => {
    const prompt = `${SYSTEM}Order #W1000001 · status delivered · 2 items\nWhat is the tracking number of #W1000001?`;
    const v = checkTurn(turn, 'Your tracking number is 1Z999.', [answer(prompt, 'Your tracking number is 1Z999.')]);
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual(['answering prompt lacks ["1Z999"]']);
  });

  it('fails when a tool call of the turn uses an id its own prompt did not show, or a tool not offered', () => {
    const prompt = `${SYSTEM}Awaiting the customer's yes: return #W1000001 item 5550001\nyes`;
    const write: RecordedCall = {
      prompt,
      offered: ['get_order_details'],
      calls: [{ name: 'return_delivered_order_items', args: { order_id: '#W1000001', item_ids: ['5550001'], payment_method_id: 'credit_card_9' } }],
      text: '',
    };
    const v = checkTurn({ expect: ['return requested'], needs: [] }, 'Done: return requested.', [write, answer(`${prompt}\ndone`, 'Done: return requested.')]);
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual(['call 0: return_delivered_order_items not offered', 'call 0: return_delivered_order_items arguments not in its prompt: payment_method_id=credit_card_9']);
  });

  it("does not require the model's own words (a search query) to be in the prompt", () => {
    const search: RecordedCall = { prompt: `${SYSTEM}Do you sell lamps?`, offered: ['search_products'], calls: [{ name: 'search_products', args: { query: 'desk lamp' } }], text: '' };
    const v = checkTurn({ expect: ['Lamp'], needs: ['777'] }, 'We have the Lamp (777).', [search, answer(`${SYSTEM}Do you sell lamps?\n{"product_id":"777","name":"Lamp"}`, 'We have the Lamp (777).')]);
    expect(v.ok).toBe(true);
  });

  it('fails an answer that lacks the fact, whatever the prompt held', () => {
    const v = checkTurn(turn, 'I could not find it.', [answer(`${SYSTEM}#W1000001 1Z999`, 'I could not find it.')]);
    expect(v.problems).toEqual(['answer lacks any of ["1Z999"]']);
  });
});
