// Finding the order a request is about and reading it.
import { orderIds } from '../intents.ts';
import { R } from '../replies.ts';
import { isError, parseOrder, parseUser, type OrderView } from '../tool-results.ts';
import { answer, call, findStep, fromCustomer, ok, stop, type Got, type PolicyContext } from './types.ts';

/** The order id the customer named, in this message or the ones it continues. */
export function namedOrderId(ctx: PolicyContext): string | undefined {
  return orderIds(ctx.focus)[0] ?? fromCustomer(ctx, (t) => orderIds(t)[0]);
}

/** The order of this request: named, the customer's only order, or ask which one. */
export function resolveOrderId(ctx: PolicyContext, userId: string | null): Got<string> {
  const named = namedOrderId(ctx);
  if (named) return ok(named);
  const uid = userId ?? ctx.verified;
  if (!uid || !ctx.tools.has('get_user_details')) return stop(answer(R.askOrderId(ctx.language), 'No order id given; ask for it.'));
  const s = findStep(ctx, 'get_user_details', { user_id: uid });
  if (!s) return stop(call('get_user_details', { user_id: uid }, 'No order id given; list the customer’s orders.'));
  if (s.result === undefined || isError(s.result)) return stop(answer(R.askOrderId(ctx.language), 'Could not list the orders; ask for the order id.'));
  const { orders } = parseUser(s.result);
  if (orders.length === 1) return ok(orders[0]!);
  return stop(answer(R.chooseOrder(ctx.language, orders), 'Several orders: ask which one.'));
}

export function loadOrder(ctx: PolicyContext, orderId: string): Got<OrderView> {
  const s = findStep(ctx, 'get_order_details', { order_id: orderId });
  if (!s) {
    if (!ctx.tools.has('get_order_details')) return stop(answer(R.toolUnavailable(ctx.language), 'Order lookup is not available.'));
    return stop(call('get_order_details', { order_id: orderId }, `Read order ${orderId}.`));
  }
  if (s.result !== undefined && isError(s.result)) return stop(answer(R.explainError(ctx.language, s.result), 'The order lookup failed; explain it.'));
  const order = s.result === undefined ? undefined : parseOrder(s.result);
  if (!order) return stop(answer(R.cannotReadOrder(ctx.language, orderId), 'The order result could not be read.'));
  return ok(order);
}
