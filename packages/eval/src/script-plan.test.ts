import { describe, expect, it } from 'vitest';
import { planScript, type ScriptStep } from './script-plan.ts';
import { readShopData } from './shop-data.ts';
import { loadTasks } from './task.ts';
import { HAS_TAUBENCH, TAUBENCH_DIR, TASKS_TRAIN } from './testing/taubench-dir.ts';

const tools = (steps: ScriptStep[]): string[] =>
  steps.map((s) =>
    s.kind === 'calls' ? s.calls.map((c) => `${c.tool}:${c.purpose}`).join('+') : s.asks ? 'ask' : 'final',
  );

describe.skipIf(!HAS_TAUBENCH)('the scripted model’s script', () => {
  const data = HAS_TAUBENCH ? readShopData(TAUBENCH_DIR) : null;

  it('adds the reads an agent needs, proposes each write, lists it, and calls it again after the yes', () => {
    const [t0, t5] = loadTasks(TASKS_TRAIN, { only: [0, 5] });
    const p0 = planScript(t0!.task, data!);
    expect(tools(p0)).toEqual([
      'find_user_id_by_name_zip:identify',
      'get_user_details:read',
      'get_order_details:read',
      'return_delivered_order_items:propose',
      'ask',
      'return_delivered_order_items:confirmed',
      'final',
    ]);
    // The listing names items and the card as a customer knows them, and lists every id of the action.
    const ask = p0[4] as Extract<ScriptStep, { kind: 'answer' }>;
    expect(ask.text).toMatch(/#W6067464/);
    expect(ask.text).toMatch(/Electric Kettle.*Wall Clock/);
    for (const id of ['9624127908', '8917609800', 'credit_card_4190576']) expect(ask.text).toContain(id);
    // Email in the instruction → identified by email; the order is read once for its two writes;
    // the new variant's product is read before the item change.
    expect(tools(planScript(t5!.task, data!))).toEqual([
      'find_user_id_by_email:identify',
      'get_user_details:read',
      'get_order_details:read',
      'modify_pending_order_payment:propose',
      'ask',
      'modify_pending_order_payment:confirmed',
      'get_product_details:read',
      'modify_pending_order_items:propose',
      'ask',
      'modify_pending_order_items:confirmed',
      'final',
    ]);
  });

  it('lists the product types before reading a product shown nowhere yet, and stops at a handoff', () => {
    const user = 'omar_anderson_3203';
    const steps = planScript(
      {
        user_id: user,
        instruction: 'Your name is Omar Anderson and your zip code is 19031.',
        actions: [
          { name: 'get_product_details', kwargs: { product_id: '6086499569' } },
          { name: 'transfer_to_human_agents', kwargs: { summary: 'wants a human' } },
          { name: 'cancel_pending_order', kwargs: { order_id: '#W1', reason: 'no longer needed' } },
        ],
        outputs: [],
      },
      data!,
    );
    expect(tools(steps)).toEqual([
      'find_user_id_by_name_zip:identify',
      'get_user_details:read',
      'list_all_product_types:read',
      'get_product_details:gold_read',
      'transfer_to_human_agents:gold_read',
    ]);
  });

  it('plans every train task: each write proposed, asked and confirmed once per gold write', () => {
    for (const { task } of loadTasks(TASKS_TRAIN)) {
      const steps = planScript(task, data!);
      const writes = task.actions.length;
      const calls = steps.flatMap((s) => (s.kind === 'calls' ? s.calls : []));
      expect(calls.filter((c) => c.purpose === 'confirmed')).toHaveLength(writes);
      expect(steps.filter((s) => s.kind === 'answer' && s.asks)).toHaveLength(writes);
      expect(steps.at(-1)).toMatchObject({ kind: 'answer', asks: false });
    }
  });
});
