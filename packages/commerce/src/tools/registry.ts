// Which implementation serves each tool, whether it writes, and who may call it.
import type { z } from 'zod';
import type { ShopEngine } from '../engine/engine.ts';
import * as X from './extra-tools.ts';
import { P, type ToolName } from './params.ts';
import type { ToolOutcome } from './outcome.ts';
import * as R from './taubench-reads.ts';
import * as W from './taubench-writes.ts';

export interface ToolImpl {
  params: z.ZodObject;
  /** Changes data: runs in a transaction and honours idempotency keys. */
  write: boolean;
  /** Callable before the customer is identified (catalog, identification, local helpers). */
  anonymous: boolean;
  run(engine: ShopEngine, args: never, ctx: { customerId: string | null }): ToolOutcome;
}

const read = (anonymous: boolean, run: ToolImpl['run']): Omit<ToolImpl, 'params'> => ({ write: false, anonymous, run });
const write = (run: ToolImpl['run']): Omit<ToolImpl, 'params'> => ({ write: true, anonymous: false, run });

const IMPLS: Record<ToolName, Omit<ToolImpl, 'params'>> = {
  find_user_id_by_email: read(true, R.findUserIdByEmail),
  find_user_id_by_name_zip: read(true, R.findUserIdByNameZip),
  get_user_details: read(false, R.getUserDetails),
  get_order_details: read(false, R.getOrderDetails),
  get_product_details: read(true, R.getProductDetails),
  list_all_product_types: read(true, R.listAllProductTypes),
  calculate: read(true, (_e, a: { expression: string }) => R.calculateTool(a)),
  think: read(true, R.think),
  transfer_to_human_agents: read(true, R.transferToHumanAgents),
  cancel_pending_order: write(W.cancelPendingOrder),
  modify_pending_order_address: write(W.modifyPendingOrderAddress),
  modify_pending_order_payment: write(W.modifyPendingOrderPayment),
  modify_pending_order_items: write(W.modifyPendingOrderItems),
  return_delivered_order_items: write(W.returnDeliveredOrderItems),
  exchange_delivered_order_items: write(W.exchangeDeliveredOrderItems),
  modify_user_address: write(W.modifyUserAddress),
  search_products: read(true, X.searchProducts),
  get_product_info: read(true, X.getProductInfo),
  check_inventory: read(true, X.checkInventory),
  calculate_shipping: read(true, X.calculateShipping),
  get_shipping_info: read(false, X.getShippingInfo),
  check_order_status: read(false, X.checkOrderStatus),
  process_return: write(X.processReturn),
};

export const TOOL_IMPLS: ReadonlyMap<string, ToolImpl> = new Map(
  (Object.keys(IMPLS) as ToolName[]).map((n) => [n, { ...IMPLS[n], params: P[n] as z.ZodObject }]),
);

export const COMMERCE_TOOL_NAMES = Object.keys(IMPLS) as ToolName[];
