// The conversation's working memory: the entities its tool results have shown (the verified
// customer, orders with item ids, products with variant ids, facts), the write the customer was
// asked to confirm, the writes done, and the customer's open requests. It is what lets a model
// that sees only its prompt act on a "yes" two queries after the ids were read. Persisted as
// JSON per conversation (see ConversationStore); one schema, which is also the type.
import { z } from 'zod';
import { parseKnown } from './parse-known.ts';

const Text = z.record(z.string(), z.string());

export const PaymentMethodEntry = z.object({
  id: z.string(),
  source: z.string(),
  brand: z.string().optional(),
  last_four: z.string().optional(),
  balance: z.number().optional(),
});
export type PaymentMethodEntry = z.infer<typeof PaymentMethodEntry>;

export const CustomerEntry = z.object({
  user_id: z.string(),
  name: z.string().optional(),
  email: z.string().optional(),
  address: Text.optional(),
  payment_methods: z.array(PaymentMethodEntry).optional(),
  orders: z.array(z.string()).optional(),
  ref: z.number(),
  /** Tool call that last updated it: the prompt leaves it out while that call's result is shown. */
  call: z.string().optional(),
});
export type CustomerEntry = z.infer<typeof CustomerEntry>;

export const OrderItemEntry = z.object({
  item_id: z.string(),
  product_id: z.string().optional(),
  name: z.string().optional(),
  price: z.number().optional(),
  options: Text.optional(),
});
export type OrderItemEntry = z.infer<typeof OrderItemEntry>;

export const OrderEntry = z.object({
  order_id: z.string(),
  status: z.string().optional(),
  address: Text.optional(),
  items: z.array(OrderItemEntry).optional(),
  /** "payment 120.5 via credit_card_1", "refund 20 to gift_card_2". */
  payments: z.array(z.string()).optional(),
  /** "tracking 123 items 1,2 (UPS, in transit, eta 2026-12-01)". */
  shipments: z.array(z.string()).optional(),
  /** Fields the writes add: cancel_reason, return_items, exchange_new_items, amounts paid… */
  extra: Text.optional(),
  ref: z.number(),
  call: z.string().optional(),
});
export type OrderEntry = z.infer<typeof OrderEntry>;

export const VariantEntry = z.object({
  item_id: z.string(),
  options: Text.optional(),
  price: z.number().optional(),
  available: z.boolean().optional(),
  stock: z.number().optional(),
});
export type VariantEntry = z.infer<typeof VariantEntry>;

export const ProductEntry = z.object({
  product_id: z.string(),
  name: z.string().optional(),
  /** Brand, category, price range, option values: what a compact product record says. */
  info: Text.optional(),
  variants: z.array(VariantEntry).optional(),
  /** True when `variants` is every variant (get_product_details), not a search's sample. */
  allVariants: z.boolean().optional(),
  ref: z.number(),
  call: z.string().optional(),
});
export type ProductEntry = z.infer<typeof ProductEntry>;

export const FactEntry = z.object({ key: z.string(), text: z.string(), ref: z.number(), call: z.string().optional() });
export type FactEntry = z.infer<typeof FactEntry>;

/** A write the confirmation policy held back: the exact call the customer is asked to approve. */
export const ProposalEntry = z.object({ tool: z.string(), args: z.record(z.string(), z.unknown()), ref: z.number() });
export type ProposalEntry = z.infer<typeof ProposalEntry>;

export const RequestEntry = z.object({
  /** The query that carried it. */
  id: z.string(),
  text: z.string(),
  ref: z.number(),
  resolved: z.boolean(),
});
export type RequestEntry = z.infer<typeof RequestEntry>;

export const WorkingMemory = z.object({
  v: z.literal(1),
  /** Reference clock: bumped once per recorded turn; an entity's `ref` is the tick it was last seen. */
  seq: z.number(),
  customer: CustomerEntry.optional(),
  orders: z.array(OrderEntry),
  products: z.array(ProductEntry),
  facts: z.array(FactEntry),
  pending: z.array(ProposalEntry),
  /** Writes done or refused by the shop: "cancel_pending_order #W1 → cancelled". */
  done: z.array(FactEntry),
  requests: z.array(RequestEntry),
});
export type WorkingMemory = z.infer<typeof WorkingMemory>;

export function emptyMemory(): WorkingMemory {
  return { v: 1, seq: 0, orders: [], products: [], facts: [], pending: [], done: [], requests: [] };
}

/** A stored memory, or an empty one when absent or written by an incompatible version. */
export function parseMemory(raw: string | null | undefined): WorkingMemory {
  if (!raw) return emptyMemory();
  try {
    const value: unknown = JSON.parse(raw);
    // The shape this version writes, checked field by field; zod for anything else (parse-known.ts).
    const known = parseKnown(value);
    if (known) return known;
    const r = WorkingMemory.safeParse(value);
    return r.success ? r.data : emptyMemory();
  } catch {
    return emptyMemory();
  }
}

/** Hard bounds of what is stored (the prompt renders a budgeted part of it). */
export const MEMORY_LIMITS = { orders: 24, products: 16, facts: 12, done: 12, requests: 8, variants: 80 } as const;
