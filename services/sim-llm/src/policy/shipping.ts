// Parcels and shipping costs: tracking details for an order the customer asks "where" about,
// and a quote for items to a zip code.
import { findZip, itemIds, TRACKING_QUESTION } from '../intents.ts';
import { R } from '../replies.ts';
import { isError, parseShipments, parseShippingOptions, type OrderView } from '../tool-results.ts';
import { answer, call, findStep, ok, stop, type Decision, type Got, type PolicyContext } from './types.ts';

/** Tracking sentences for a shipped order when the customer asks where it is ('' otherwise). */
export function trackingDetails(ctx: PolicyContext, orderId: string, order: OrderView): Got<string> {
  if (!TRACKING_QUESTION.test(ctx.focus)) return ok('');
  // A tracking lookup already made is used even when the order record was later shortened in
  // the prompt (an older tool result may be cut before its fulfillments).
  const done = findStep(ctx, 'get_shipping_info', { order_id: orderId });
  if (done?.result !== undefined && !isError(done.result)) return ok(R.shipments(ctx.language, parseShipments(done.result)));
  if (order.trackingIds.length === 0 || !ctx.tools.has('get_shipping_info')) return ok('');
  const s = done;
  if (!s) return stop(call('get_shipping_info', { order_id: orderId }, `Order ${orderId} has shipped: read where the parcels are.`));
  // A failed tracking lookup still leaves the order status to answer with.
  if (s.result === undefined || isError(s.result)) return ok('');
  return ok(R.shipments(ctx.language, parseShipments(s.result)));
}

export function quoteFlow(ctx: PolicyContext): Decision {
  const items = itemIds(ctx.focus);
  const zip = findZip(ctx.focus);
  if (!items.length || !zip) return answer(R.askQuote(ctx.language), 'A quote needs item ids and a zip code.');
  if (!ctx.tools.has('calculate_shipping')) return answer(R.toolUnavailable(ctx.language), 'No shipping calculator offered.');
  const s = findStep(ctx, 'calculate_shipping', { item_ids: items, zip });
  if (!s) return call('calculate_shipping', { item_ids: items, zip }, `Quote shipping of ${items.join(', ')} to ${zip}.`);
  if (s.result === undefined || isError(s.result)) return answer(R.explainError(ctx.language, s.result ?? 'Error: no result'), 'The quote failed; explain it.');
  const options = parseShippingOptions(s.result);
  if (!options.length) return answer(R.cannotComplete(ctx.language), 'The quote had no options.');
  return answer(R.quote(ctx.language, zip, options), 'Give the cheapest shipping options.');
}
