// The commerce tool pack as the model and the control plane see it. Data tools run in the shop
// (`run: 'shop'`); think/calculate/transfer run in the tool-worker. Writes are sequential and
// need the customer's explicit confirmation; reads are cached and tagged by the entities they
// show, so a write's `touched` tags invalidate exactly those entries.
import type { ToolSpec } from '@steward/tools';
import { calculate } from './calculate.ts';
import { P, type ToolName } from './tools/params.ts';
import { COMMERCE_TOOL_NAMES } from './tools/registry.ts';

/** Cache lifetimes: catalog data changes rarely, customer data may change under a human agent. */
const TTL = { catalog: 300, customer: 30 } as const;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const orderTag = (a: Record<string, unknown>): string[] => [`order:${str(a.order_id)}`];
const userTag = (a: Record<string, unknown>): string[] => [`user:${str(a.user_id)}`];
const productTag = (a: Record<string, unknown>): string[] => [`product:${str(a.product_id)}`];
const itemTags = (a: Record<string, unknown>): string[] =>
  (Array.isArray(a.item_ids) ? a.item_ids : [a.item_id]).map((i) => `item:${str(i)}`);

type Meta = Omit<ToolSpec, 'name' | 'parameters'>;

const WRITE = { readOnly: false, sequential: true, requiresConfirmation: true, run: 'shop' } as const;

const META: Record<ToolName, Meta> = {
  find_user_id_by_email: {
    description: 'Find the user id of a customer by email. Use it to authenticate the customer before anything else.',
    readOnly: true,
    run: 'shop',
    effect: 'identify',
  },
  find_user_id_by_name_zip: {
    description: 'Find the user id of a customer by first name, last name and zip code. Use it to authenticate the customer when the email is not known.',
    readOnly: true,
    run: 'shop',
    effect: 'identify',
  },
  get_user_details: {
    description: "Get the authenticated customer's profile: name, default address, email, payment methods (with gift card balances) and order ids.",
    readOnly: true,
    run: 'shop',
    cacheTtlSec: TTL.customer,
    cacheTags: userTag,
  },
  get_order_details: {
    description: "Get an order of the authenticated customer: status, items (item ids, prices, options), fulfillments and payment history.",
    readOnly: true,
    run: 'shop',
    cacheTtlSec: TTL.customer,
    cacheTags: orderTag,
  },
  get_product_details: {
    description: 'Get a product type with all its variants (item id, options, availability, price).',
    readOnly: true,
    run: 'shop',
    cacheTtlSec: TTL.catalog,
    cacheTags: productTag,
  },
  list_all_product_types: {
    description: 'List every product type in the store as {product name: product id}.',
    readOnly: true,
    run: 'shop',
    cacheTtlSec: TTL.catalog,
    cacheTags: () => ['catalog'],
  },
  calculate: {
    description: 'Evaluate an arithmetic expression (numbers, + - * / parentheses); the result is rounded to 2 decimals.',
    readOnly: true,
    run: (args) => calculate(str(args.expression)),
  },
  think: {
    description: 'Write down a thought to reason about the next step. It changes nothing and fetches nothing.',
    readOnly: true,
    run: () => '',
  },
  transfer_to_human_agents: {
    description: "Hand the conversation to a human agent, with a summary of the issue. Only when the request cannot be handled with the other tools, or the customer explicitly asks for a human.",
    readOnly: true,
    run: () => 'Transfer successful',
    effect: 'handoff',
  },
  cancel_pending_order: {
    ...WRITE,
    description: "Cancel a pending order. Reason is 'no longer needed' or 'ordered by mistake'. Payments are refunded (gift cards at once, others in 5-7 business days). Needs the customer's explicit confirmation.",
    cacheTags: orderTag,
  },
  modify_pending_order_address: {
    ...WRITE,
    description: "Change the shipping address of a pending order. Needs the customer's explicit confirmation.",
    cacheTags: orderTag,
  },
  modify_pending_order_payment: {
    ...WRITE,
    description: "Pay a pending order with another payment method of the customer; the old one is refunded. Needs the customer's explicit confirmation.",
    cacheTags: orderTag,
  },
  modify_pending_order_items: {
    ...WRITE,
    description: "Swap items of a pending order for other variants of the same products. Can be done only once per order: collect every item first. Needs the customer's explicit confirmation.",
    cacheTags: orderTag,
    dependsOn: ['get_product_details'],
  },
  return_delivered_order_items: {
    ...WRITE,
    description: "Request a return of items of a delivered order; the refund goes to the original payment method or a gift card. Needs the customer's explicit confirmation.",
    cacheTags: orderTag,
  },
  exchange_delivered_order_items: {
    ...WRITE,
    description: "Request an exchange of items of a delivered order for other variants of the same products. Collect every item first. Needs the customer's explicit confirmation.",
    cacheTags: orderTag,
    dependsOn: ['get_product_details'],
  },
  modify_user_address: {
    ...WRITE,
    description: "Change the customer's default address. Needs the customer's explicit confirmation.",
    cacheTags: userTag,
  },
  search_products: {
    description: 'Search the catalog in English or Chinese, with optional price range, option filter (e.g. color, size) and in-stock filter. Returns matching products and variants.',
    readOnly: true,
    run: 'shop',
    cacheTtlSec: TTL.catalog,
    cacheTags: () => ['catalog'],
  },
  get_product_info: {
    description: 'Compact bilingual information on a product: names, brand, category, description, price range and option values.',
    readOnly: true,
    run: 'shop',
    cacheTtlSec: TTL.catalog,
    cacheTags: productTag,
  },
  check_inventory: {
    description: 'Units in stock of one item (variant) per warehouse.',
    readOnly: true,
    run: 'shop',
    cacheTtlSec: 60,
    cacheTags: itemTags,
    dependsOn: ['get_product_info'],
  },
  calculate_shipping: {
    description: 'Shipping cost, delivery days and carrier options for items to a destination zip and country.',
    readOnly: true,
    run: 'shop',
    cacheTtlSec: TTL.catalog,
    cacheTags: itemTags,
    dependsOn: ['get_product_info'],
  },
  get_shipping_info: {
    description: "Tracking of an order of the authenticated customer: carrier, status, dates and events of each shipment.",
    readOnly: true,
    run: 'shop',
    cacheTtlSec: TTL.customer,
    cacheTags: orderTag,
  },
  check_order_status: {
    description: 'Short status summary of an order of the authenticated customer: status, items, shipments, amounts paid and refunded.',
    readOnly: true,
    run: 'shop',
    cacheTtlSec: TTL.customer,
    cacheTags: orderTag,
  },
  process_return: {
    ...WRITE,
    description: "Request a return of items of a delivered order, refunded to the original payment method unless another (a gift card) is given. Needs the customer's explicit confirmation.",
    cacheTags: orderTag,
  },
};

export const commerceTools: ToolSpec[] = COMMERCE_TOOL_NAMES.map((name) => ({ name, parameters: P[name], ...META[name] }));

export { COMMERCE_TOOL_NAMES };
