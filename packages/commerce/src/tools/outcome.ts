import type { ShopEngine } from '../engine/engine.ts';
import type { Order, User } from '../engine/types.ts';

/** What a tool implementation hands back to invoke(). */
export interface ToolOutcome {
  result: string;
  denied?: boolean;
  touched?: string[];
  identifiedUserId?: string;
}

export const ORDER_NOT_FOUND = 'Error: order not found';
export const USER_NOT_FOUND = 'Error: user not found';
export const PM_NOT_FOUND = 'Error: payment method not found';

/**
 * The order if it belongs to the verified customer. Another customer's order gets the same
 * answer as a missing one, so an order id reveals nothing about who owns it.
 */
export function ownOrder(engine: ShopEngine, orderId: string, customerId: string | null): Order | ToolOutcome {
  const order = engine.getOrder(orderId);
  if (!order) return { result: ORDER_NOT_FOUND };
  if (customerId === null || order.user_id !== customerId) return { result: ORDER_NOT_FOUND, denied: true };
  return order;
}

export function ownUser(engine: ShopEngine, userId: string, customerId: string | null): User | ToolOutcome {
  const user = engine.getUser(userId);
  if (!user) return { result: USER_NOT_FOUND };
  if (customerId === null || userId !== customerId) return { result: USER_NOT_FOUND, denied: true };
  return user;
}

export function isOutcome(v: unknown): v is ToolOutcome {
  return typeof v === 'object' && v !== null && typeof (v as ToolOutcome).result === 'string' && !('order_id' in v) && !('payment_methods' in v);
}
