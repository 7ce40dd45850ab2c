// The scripted model's script for one task: the gold actions, plus the reads a real agent must
// do before them (identify the customer, read the profile, read each order and the product of
// each new variant, list the product types when a product id was shown nowhere yet), each write
// proposed once (the confirmation policy refuses it), listed to the customer in words, and
// called again after the customer's "yes". The script only fixes WHAT the double does; whether
// each value it uses was in the prompt is measured at run time (see value-presence.ts).
import type { GoldAction, EvalTask } from './task.ts';
import type { ShopData, ShopPaymentMethod } from './shop-data.ts';

/** Tools that change the shop and need the customer's confirmation. */
export const WRITE_TOOLS = new Set([
  'cancel_pending_order',
  'modify_pending_order_address',
  'modify_pending_order_payment',
  'modify_pending_order_items',
  'return_delivered_order_items',
  'exchange_delivered_order_items',
  'modify_user_address',
]);

export type CallPurpose = 'identify' | 'read' | 'gold_read' | 'propose' | 'confirmed';

export interface ScriptCall {
  tool: string;
  args: Record<string, unknown>;
  purpose: CallPurpose;
}

export type ScriptStep =
  | { kind: 'calls'; calls: ScriptCall[] }
  /** `asks`: the answer lists a write and asks for a yes. `outputs`: values the answer must tell. */
  | { kind: 'answer'; text: string; asks: boolean; outputs: string[] };

export const CONFIRM_QUESTION = 'Shall I proceed? (yes/no)';

export function planScript(task: EvalTask, data: ShopData): ScriptStep[] {
  const user = data.users[task.user_id];
  if (!user) throw new Error(`task user ${task.user_id} is not in the shop's data`);
  const steps: ScriptStep[] = [];
  const readOrders = new Set<string>();
  const readProducts = new Set<string>();
  let listedTypes = false;
  const shownProductIds = (): Set<string> => {
    const s = new Set<string>();
    for (const o of readOrders) for (const it of data.orders[o]?.items ?? []) s.add(it.product_id);
    return s;
  };

  const gold = [...task.actions];
  const identifyGold = gold.findIndex(
    (a) => a.name === 'find_user_id_by_email' || a.name === 'find_user_id_by_name_zip',
  );
  const identify: GoldAction =
    identifyGold >= 0
      ? gold.splice(identifyGold, 1)[0]!
      : /\bemail\b/i.test(task.instruction)
        ? { name: 'find_user_id_by_email', kwargs: { email: user.email } }
        : {
            name: 'find_user_id_by_name_zip',
            kwargs: {
              first_name: user.name.first_name,
              last_name: user.name.last_name,
              zip: user.address.zip,
            },
          };
  steps.push({ kind: 'calls', calls: [{ tool: identify.name, args: identify.kwargs, purpose: 'identify' }] });
  steps.push({
    kind: 'calls',
    calls: [{ tool: 'get_user_details', args: { user_id: task.user_id }, purpose: 'read' }],
  });
  let lastWasConfirmedWrite = false;

  for (const a of gold) {
    if (a.name === 'get_user_details' && a.kwargs.user_id === task.user_id) continue;
    const orderId = typeof a.kwargs.order_id === 'string' ? a.kwargs.order_id : undefined;
    if (orderId && !readOrders.has(orderId) && a.name !== 'get_order_details') {
      steps.push({
        kind: 'calls',
        calls: [{ tool: 'get_order_details', args: { order_id: orderId }, purpose: 'read' }],
      });
    }
    if (orderId) readOrders.add(orderId);
    const newItems = Array.isArray(a.kwargs.new_item_ids) ? (a.kwargs.new_item_ids as string[]) : [];
    const products = [
      ...new Set(newItems.map((i) => data.productOfItem.get(i)).filter((p): p is string => p !== undefined)),
    ].filter((p) => !readProducts.has(p));
    if (
      a.name === 'get_product_details' &&
      typeof a.kwargs.product_id === 'string' &&
      !shownProductIds().has(a.kwargs.product_id) &&
      !listedTypes
    ) {
      steps.push({ kind: 'calls', calls: [{ tool: 'list_all_product_types', args: {}, purpose: 'read' }] });
      listedTypes = true;
    }
    if (products.length > 0) {
      const shown = shownProductIds();
      if (!listedTypes && products.some((p) => !shown.has(p))) {
        steps.push({ kind: 'calls', calls: [{ tool: 'list_all_product_types', args: {}, purpose: 'read' }] });
        listedTypes = true;
      }
      steps.push({
        kind: 'calls',
        calls: products.map((p) => ({
          tool: 'get_product_details',
          args: { product_id: p },
          purpose: 'read' as const,
        })),
      });
      for (const p of products) readProducts.add(p);
    }
    if (a.name === 'get_product_details' && typeof a.kwargs.product_id === 'string')
      readProducts.add(a.kwargs.product_id);
    if (a.name === 'list_all_product_types') listedTypes = true;

    if (WRITE_TOOLS.has(a.name)) {
      steps.push({ kind: 'calls', calls: [{ tool: a.name, args: a.kwargs, purpose: 'propose' }] });
      steps.push({
        kind: 'answer',
        text: `To confirm, I will ${describeWrite(a, task, data)}. ${CONFIRM_QUESTION}`,
        asks: true,
        outputs: [],
      });
      steps.push({ kind: 'calls', calls: [{ tool: a.name, args: a.kwargs, purpose: 'confirmed' }] });
      lastWasConfirmedWrite = true;
    } else {
      steps.push({ kind: 'calls', calls: [{ tool: a.name, args: a.kwargs, purpose: 'gold_read' }] });
      lastWasConfirmedWrite = false;
      // A handoff ends the conversation: nothing after it reaches the customer.
      if (a.name === 'transfer_to_human_agents') return steps;
    }
  }
  const done = lastWasConfirmedWrite ? 'It is done.' : 'Here is what I found.';
  steps.push({
    kind: 'answer',
    text: `${done} Thank you for contacting us.`,
    asks: false,
    outputs: task.outputs,
  });
  return steps;
}

function pmLabel(pm: ShopPaymentMethod | undefined, id: unknown): string {
  if (!pm) return `payment method ${String(id)}`;
  if (pm.source === 'gift_card') return `your gift card (${String(id)})`;
  if (pm.source === 'credit_card')
    return `your ${pm.brand ?? ''} credit card ending in ${pm.last_four ?? '?'} (${String(id)})`.replace('  ', ' ');
  if (pm.source === 'paypal') return `your PayPal account (${String(id)})`;
  return `your ${pm.source} (${String(id)})`;
}

const opts = (o: Record<string, string> | undefined): string => (o ? Object.values(o).join(', ') : '?');

/**
 * The write as an agent lists it to the customer: names and options a customer recognises, and
 * every identifier of the action (order, items, payment method) — the confirmation rule runs a
 * write only when the agent's message listed its exact arguments (packages/control
 * confirmation.ts). What the working memory must still carry are the values read in earlier
 * queries before the listing (profiles, variants, other orders).
 */
export function describeWrite(a: GoldAction, task: EvalTask, data: ShopData): string {
  const k = a.kwargs;
  const order = typeof k.order_id === 'string' ? data.orders[k.order_id] : undefined;
  const pm = pmLabel(
    data.users[task.user_id]?.payment_methods[String(k.payment_method_id)],
    k.payment_method_id,
  );
  const itemName = (id: string): string => {
    const it = order?.items.find((i) => i.item_id === id);
    return it ? `the ${it.name} (${opts(it.options)}; item ${id})` : `item ${id}`;
  };
  const variant = (id: string): string => {
    const p = data.products[data.productOfItem.get(id) ?? ''];
    return p ? `(${opts(p.variants[id]?.options)}; item ${id})` : `item ${id}`;
  };
  const pairs = (): string =>
    ((k.item_ids as string[] | undefined) ?? [])
      .map(
        (id, i) =>
          `${itemName(id)} for ${variant(((k.new_item_ids as string[] | undefined) ?? [])[i] ?? '')}`,
      )
      .join('; ');
  const address = (): string =>
    [k.address1, k.address2, k.city, k.state, k.zip, k.country]
      .filter((x) => typeof x === 'string' && x !== '')
      .join(', ');
  switch (a.name) {
    case 'cancel_pending_order':
      return `cancel order ${String(k.order_id)} because it is ${String(k.reason)}`;
    case 'modify_pending_order_address':
      return `change the shipping address of order ${String(k.order_id)} to ${address()}`;
    case 'modify_user_address':
      return `change your default address to ${address()}`;
    case 'modify_pending_order_payment':
      return `pay order ${String(k.order_id)} with ${pm} instead`;
    case 'modify_pending_order_items':
      return `change, in order ${String(k.order_id)}, ${pairs()}, settling the price difference with ${pm}`;
    case 'exchange_delivered_order_items':
      return `exchange, in order ${String(k.order_id)}, ${pairs()}, settling the price difference with ${pm}`;
    case 'return_delivered_order_items':
      return `return ${((k.item_ids as string[] | undefined) ?? []).map(itemName).join(', ')} from order ${String(k.order_id)}, refunded to ${pm}`;
    default:
      return `${a.name.replaceAll('_', ' ')}`;
  }
}
