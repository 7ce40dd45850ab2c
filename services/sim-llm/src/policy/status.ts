// "Where is my order?": identify, find the order, read it, answer with its real status.
import { R } from '../replies.ts';
import { identify } from './identify.ts';
import { loadOrder, resolveOrderId } from './orders.ts';
import { trackingDetails } from './shipping.ts';
import { answer, type Decision, type PolicyContext } from './types.ts';

export function statusFlow(ctx: PolicyContext): Decision {
  const user = identify(ctx);
  if (!user.ok) return user.decision;
  const id = resolveOrderId(ctx, user.value);
  if (!id.ok) return id.decision;
  const order = loadOrder(ctx, id.value);
  if (!order.ok) return order.decision;
  const tracking = trackingDetails(ctx, id.value, order.value);
  if (!tracking.ok) return tracking.decision;
  return answer(R.orderStatus(ctx.language, id.value, order.value) + tracking.value, `Report the status of ${id.value}.`);
}
