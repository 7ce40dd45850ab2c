// Cancel, return and exchange: read the order, check it allows the change, propose the write,
// relay the backend's confirmation request, and after the customer's "yes" re-propose it.
import { cancelReason, itemIds } from '../intents.ts';
import { PRODUCT_ZH } from '../lexicon.ts';
import { R, type WriteKind } from '../replies.ts';
import { isConfirmationRequired, isError, parseOrder, parseProductVariants, type OrderItem, type OrderView } from '../tool-results.ts';
import { confirmationRequest, WRITE_TOOLS, type WriteDetails } from './confirmation.ts';
import { identify } from './identify.ts';
import { loadOrder, resolveOrderId } from './orders.ts';
import { answer, argText, findStep, type Decision, type PlannedCall, type PolicyContext } from './types.ts';
import { chooseVariant, optionsLabel } from './variants.ts';

const REQUIRED_STATUS: Record<WriteKind, string> = { cancel: 'pending', return: 'delivered', exchange: 'delivered' };

export function writeFlow(ctx: PolicyContext, kind: WriteKind): Decision {
  const user = identify(ctx);
  if (!user.ok) return user.decision;
  const id = resolveOrderId(ctx, user.value);
  if (!id.ok) return id.decision;
  const orderId = id.value;
  const got = loadOrder(ctx, orderId);
  if (!got.ok) return got.decision;
  const order = got.value;
  if (order.status !== REQUIRED_STATUS[kind]) {
    return answer(R.cannotChange(ctx.language, kind, orderId, order.status), `Order ${orderId} is ${order.status}; it cannot be changed this way.`);
  }
  if (kind === 'cancel') {
    const c: PlannedCall = { name: 'cancel_pending_order', args: { order_id: orderId, reason: cancelReason(ctx.focus) } };
    return runWrite(ctx, c, { kind, orderId, items: order.items });
  }
  const payment = order.paymentMethodId;
  if (!payment) return answer(R.noPaymentMethod(ctx.language, orderId), 'No payment method found in the order.');
  const named = namedItems(ctx.focus, order);
  if (kind === 'return') {
    const items = named.length ? named : order.items;
    const c: PlannedCall = { name: 'return_delivered_order_items', args: { order_id: orderId, item_ids: items.map((i) => i.itemId), payment_method_id: payment } };
    return runWrite(ctx, c, { kind, orderId, items });
  }
  return exchange(ctx, order, orderId, named.length ? named : order.items.length === 1 ? order.items : [], payment);
}

function exchange(ctx: PolicyContext, order: OrderView, orderId: string, items: OrderItem[], payment: string): Decision {
  // Already proposed in this request: carry on with exactly that call. The product records it
  // was chosen from may since have been shortened in the prompt.
  const proposed = findStep(ctx, 'exchange_delivered_order_items', { order_id: orderId });
  if (proposed) {
    const ids = Array.isArray(proposed.args.item_ids) ? proposed.args.item_ids.map(String) : [];
    const newIds = Array.isArray(proposed.args.new_item_ids) ? proposed.args.new_item_ids.map(String) : [];
    const named = ids.map((itemId) => order.items.find((i) => i.itemId === itemId) ?? { itemId, name: itemId, productId: '', price: undefined, options: {} });
    return runWrite(ctx, { name: 'exchange_delivered_order_items', args: proposed.args }, {
      kind: 'exchange',
      orderId,
      items: named,
      newItems: newIds.map((itemId) => ({ itemId, label: variantLabel(ctx, itemId) })),
    });
  }
  if (items.length === 0) return answer(R.askWhichItem(ctx.language, order.items), 'Several items and none named: ask which.');
  const missing = [...new Set(items.map((i) => i.productId))].filter((p) => !findStep(ctx, 'get_product_details', { product_id: p }));
  if (missing.length) {
    if (!ctx.tools.has('get_product_details')) return answer(R.toolUnavailable(ctx.language), 'Cannot read the product variants.');
    return { kind: 'call', calls: missing.map((p) => ({ name: 'get_product_details', args: { product_id: p } })), thought: 'Read the variants the items can be exchanged for.' };
  }
  const newItems: { itemId: string; label: string }[] = [];
  for (const item of items) {
    const s = findStep(ctx, 'get_product_details', { product_id: item.productId });
    if (s?.result !== undefined && isError(s.result)) return answer(R.explainError(ctx.language, s.result), 'Product lookup failed.');
    const choice = chooseVariant(item, parseProductVariants(s?.result ?? ''), ctx.focus);
    if (choice.kind === 'ask') return answer(R.askVariant(ctx.language, item, choice.choices), 'The customer did not say which variant they want.');
    if (choice.kind === 'none') return answer(R.noVariant(ctx.language, item), 'No available variant matches the request.');
    newItems.push({ itemId: choice.variant.itemId, label: optionsLabel(choice.variant.options) });
  }
  const c: PlannedCall = {
    name: 'exchange_delivered_order_items',
    args: { order_id: orderId, item_ids: items.map((i) => i.itemId), new_item_ids: newItems.map((n) => n.itemId), payment_method_id: payment },
  };
  return runWrite(ctx, c, { kind: 'exchange', orderId, items, newItems });
}

/** The options of a variant, from any product record read in this request (empty when cut away). */
function variantLabel(ctx: PolicyContext, itemId: string): string {
  for (const st of ctx.steps) {
    if (st.name !== 'get_product_details' || st.result === undefined) continue;
    const v = parseProductVariants(st.result).find((x) => x.itemId === itemId);
    if (v) return optionsLabel(v.options);
  }
  return '';
}

/** Items of the order the customer named by item id or by a word of the product name. */
export function namedItems(text: string, order: OrderView): OrderItem[] {
  const ids = new Set(itemIds(text));
  const lower = text.toLowerCase();
  const byWord = (name: string): boolean =>
    name
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .some((w) => w.length >= 3 && new RegExp(`\\b${w}s?\\b`).test(lower)) || (!!PRODUCT_ZH[name] && text.includes(PRODUCT_ZH[name]));
  const byId = order.items.filter((i) => ids.has(i.itemId));
  if (byId.length) return byId;
  // A full product name wins over shared words ("Heritage Shampoo" names several products).
  const byName = order.items.filter((i) => {
    const zh = PRODUCT_ZH[i.name];
    return lower.includes(i.name.toLowerCase()) || (zh !== undefined && text.includes(zh));
  });
  return byName.length ? byName : order.items.filter((i) => byWord(i.name));
}

/** Propose the write, or read what came back from it. */
export function runWrite(ctx: PolicyContext, c: PlannedCall, details: WriteDetails): Decision {
  const s = findStep(ctx, c.name);
  if (!s) {
    if (!ctx.tools.has(c.name)) return answer(R.toolUnavailable(ctx.language), `${c.name} is not available.`);
    return { kind: 'call', calls: [c], thought: `Propose ${c.name} for ${details.orderId}; the customer must confirm the details.` };
  }
  const result = s.result ?? '';
  if (isConfirmationRequired(result)) {
    // Ask about exactly the call that was proposed: the confirmation is bound to it.
    const proposed: PlannedCall = { name: c.name, args: s.args };
    const ids = Array.isArray(s.args.item_ids) ? s.args.item_ids.map(String) : [];
    const named = ids.map((itemId) => details.items.find((i) => i.itemId === itemId) ?? { itemId, name: itemId });
    return answer(
      confirmationRequest(ctx.language, proposed, { ...details, items: named }),
      'The backend asks for explicit confirmation: list the exact details and ask yes/no.',
    );
  }
  if (isError(result)) return answer(R.explainError(ctx.language, result), `${c.name} failed; explain it.`);
  const status = parseOrder(result)?.status;
  if (!status) return answer(R.cannotComplete(ctx.language), `${c.name} returned something unreadable.`);
  return answer(R.writeDone(ctx.language, details.kind, details.orderId, status), `${c.name} succeeded; report the new status.`);
}

/** The customer said yes to our confirmation request: make exactly that call again. */
export function confirmedWrite(ctx: PolicyContext, c: PlannedCall): Decision {
  const kind = WRITE_TOOLS[c.name] ?? 'return';
  const orderId = argText(c.args.order_id);
  // Names for a repeated confirmation request come from an order read in this request, if any.
  const read = findStep(ctx, 'get_order_details', { order_id: orderId })?.result;
  const known = read ? (parseOrder(read)?.items ?? []) : [];
  const ids = Array.isArray(c.args.item_ids) ? c.args.item_ids.map(String) : [];
  const items = ids.map((itemId) => ({ itemId, name: known.find((k) => k.itemId === itemId)?.name ?? itemId }));
  const newIds = Array.isArray(c.args.new_item_ids) ? c.args.new_item_ids.map(String) : [];
  return runWrite(ctx, c, { kind, orderId, items, newItems: newIds.map((itemId) => ({ itemId, label: '' })) });
}
