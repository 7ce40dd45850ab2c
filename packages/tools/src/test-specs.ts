// Tool specs shaped like a retail pack, shared by this package's tests.
import { z } from 'zod';
import type { ToolSpec } from './tool-spec.ts';

const read = (name: string, parameters: z.ZodObject, extra: Partial<ToolSpec> = {}): ToolSpec => ({
  name,
  description: `${name} (test)`,
  parameters,
  readOnly: true,
  run: 'shop',
  ...extra,
});

export const orderId = z.string().describe('Order id, e.g. #W0000000');

export const testSpecs: ToolSpec[] = [
  read('find_user_id_by_email', z.object({ email: z.string() })),
  read('get_user_details', z.object({ user_id: z.string() }), { cacheTtlSec: 30 }),
  read('get_order_details', z.object({ order_id: orderId }), { cacheTtlSec: 10 }),
  read('get_product_details', z.object({ product_id: z.string() }), { cacheTtlSec: 60 }),
  read(
    'search_products',
    z.object({
      query: z.string(),
      limit: z.number().int().min(1).max(50).optional(),
      in_stock: z.boolean().default(false),
      categories: z.array(z.string()).optional(),
    }),
  ),
  {
    name: 'cancel_pending_order',
    description: 'Cancel a pending order (test)',
    parameters: z.object({ order_id: orderId, reason: z.enum(['no longer needed', 'ordered by mistake']) }),
    readOnly: false,
    requiresConfirmation: true,
    dependsOn: ['get_order_details'],
    run: 'shop',
  },
  {
    name: 'return_delivered_order_items',
    description: 'Return items of a delivered order (test)',
    parameters: z.object({ order_id: orderId, item_ids: z.array(z.string()).min(1), payment_method_id: z.string() }),
    readOnly: false,
    requiresConfirmation: true,
    dependsOn: ['get_order_details'],
    run: 'shop',
  },
  {
    name: 'transfer_to_human_agents',
    description: 'Hand the conversation to a person (test)',
    parameters: z.object({ summary: z.string() }),
    readOnly: false,
    sequential: false,
    effect: 'handoff',
    run: () => 'transferred',
  },
];
