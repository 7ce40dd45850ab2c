// Argument schemas of every commerce tool. The model sees them (z.toJSONSchema), the
// tool-worker validates with them, and the shop validates again with the same objects.
import { z } from 'zod';

const orderId = z.string().describe("The order id, starting with '#', e.g. '#W0000000'. Ask the customer for it, never guess.");
const userId = z.string().describe("The user id, e.g. 'sara_doe_496', as returned by an identification tool.");
const productId = z.string().describe("The product id (a number as text, e.g. '6086499569'); not an item id.");
const itemIds = (what: string): z.ZodArray<z.ZodString> =>
  z.array(z.string()).describe(`${what} Item (variant) ids, e.g. ['1008292230']; list an id twice to act on two units of it.`);
const paymentMethodId = z
  .string()
  .describe("A payment method id of this customer from get_user_details, e.g. 'gift_card_0000000' or 'credit_card_0000000'.");
const addressFields = {
  address1: z.string().describe("First address line, e.g. '123 Main St'."),
  address2: z.string().describe("Second address line, e.g. 'Apt 1'; an empty string when none."),
  city: z.string().describe("City, e.g. 'San Francisco'."),
  state: z.string().describe("State, e.g. 'CA'."),
  country: z.string().describe("Country, e.g. 'USA'."),
  zip: z.string().describe("Zip code, e.g. '12345'."),
};

export const P = {
  find_user_id_by_email: z.object({ email: z.string().describe("The customer's email, e.g. 'something@example.com'.") }),
  find_user_id_by_name_zip: z.object({
    first_name: z.string().describe("The customer's first name, e.g. 'John'."),
    last_name: z.string().describe("The customer's last name, e.g. 'Doe'."),
    zip: z.string().describe("The zip code of the customer's address, e.g. '12345'."),
  }),
  get_user_details: z.object({ user_id: userId }),
  get_order_details: z.object({ order_id: orderId }),
  get_product_details: z.object({ product_id: productId }),
  list_all_product_types: z.object({}),
  calculate: z.object({
    expression: z.string().describe("An arithmetic expression with numbers, + - * / ( ) and spaces, e.g. '2 * (3.5 + 4)'."),
  }),
  think: z.object({ thought: z.string().describe('A thought to write down; it changes nothing and fetches nothing.') }),
  transfer_to_human_agents: z.object({
    summary: z.string().describe("A short summary of the customer's issue for the human agent."),
  }),
  cancel_pending_order: z.object({
    order_id: orderId,
    reason: z.string().describe("Either 'no longer needed' or 'ordered by mistake'."),
  }),
  modify_pending_order_address: z.object({ order_id: orderId, ...addressFields }),
  modify_pending_order_payment: z.object({ order_id: orderId, payment_method_id: paymentMethodId }),
  modify_pending_order_items: z.object({
    order_id: orderId,
    item_ids: itemIds('Items of the order to modify.'),
    new_item_ids: itemIds('Replacement variants of the same products, in the same positions as item_ids.'),
    payment_method_id: paymentMethodId.describe('Pays or receives the price difference; a gift card must cover it.'),
  }),
  return_delivered_order_items: z.object({
    order_id: orderId,
    item_ids: itemIds('Items of the delivered order to return.'),
    payment_method_id: paymentMethodId.describe('Receives the refund: the original payment method or a gift card.'),
  }),
  exchange_delivered_order_items: z.object({
    order_id: orderId,
    item_ids: itemIds('Items of the delivered order to exchange.'),
    new_item_ids: itemIds('New variants of the same products, in the same positions as item_ids.'),
    payment_method_id: paymentMethodId.describe('Pays or receives the price difference.'),
  }),
  modify_user_address: z.object({ user_id: userId, ...addressFields }),
  search_products: z.object({
    query: z.string().describe("What the customer is looking for, in English or Chinese, e.g. 'red running shoes' or '蓝牙耳机'."),
    min_price: z.number().nonnegative().optional().describe('Lowest variant price in USD.'),
    max_price: z.number().nonnegative().optional().describe('Highest variant price in USD.'),
    options: z.record(z.string(), z.string()).optional().describe("Variant options that must match, e.g. {\"color\": \"red\", \"size\": \"M\"}."),
    in_stock_only: z.boolean().optional().describe('Only variants that are available and in stock.'),
    limit: z.number().int().min(1).max(20).optional().describe('Products to return (default 5, at most 20).'),
  }),
  get_product_info: z.object({ product_id: productId }),
  check_inventory: z.object({ item_id: z.string().describe("An item (variant) id, e.g. '1008292230'.") }),
  calculate_shipping: z.object({
    item_ids: itemIds('Items to ship.'),
    zip: z.string().describe("Destination zip code, e.g. '10001'."),
    country: z.string().optional().describe("Destination country (default 'USA')."),
  }),
  get_shipping_info: z.object({ order_id: orderId }),
  check_order_status: z.object({ order_id: orderId }),
  process_return: z.object({
    order_id: orderId,
    item_ids: itemIds('Items of the delivered order to return.'),
    payment_method_id: paymentMethodId.optional().describe('Receives the refund; defaults to the original payment method.'),
  }),
} as const;

export type ToolName = keyof typeof P;
export type Args<N extends ToolName> = z.infer<(typeof P)[N]>;
