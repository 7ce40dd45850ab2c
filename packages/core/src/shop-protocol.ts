// The contract between the tool-worker and the commerce backend (services/shop).
// The tool-worker is trusted to state the verified customer; the model never is.
import { z } from 'zod';

export const SHOP_TOOL_PATH = '/v1/tools/:name';

export const ShopToolRequest = z.object({
  arguments: z.record(z.string(), z.unknown()),
  /** The conversation's verified customer (user_id); null before identification. */
  customerId: z.string().nullable(),
  /** Present on writes: the same key twice returns the stored result and changes nothing. */
  idempotencyKey: z.string().optional(),
});
export type ShopToolRequest = z.infer<typeof ShopToolRequest>;

export const ShopToolResponse = z.object({
  /** The tool's result string, exactly as τ-bench defines it (JSON, plain value or `Error: …`). */
  result: z.string(),
  /** Set by identification tools: the user id the customer proved to be. */
  identifiedUserId: z.string().optional(),
  /** The call touched data of another customer and was refused (for the audit event). */
  denied: z.boolean().optional(),
  /** Entities changed by a write, for cache invalidation: e.g. ["order:#W123", "user:u1"]. */
  touched: z.array(z.string()).optional(),
  /** True when the result was replayed from the idempotency store. */
  replayed: z.boolean().optional(),
});
export type ShopToolResponse = z.infer<typeof ShopToolResponse>;
