// Tools with known behaviour for control-plane tests and the DAG benchmark: latencies, failures
// and execution counts are under the test's control, so ordering and overlap can be asserted.
import { z } from 'zod';
import type { Redis } from 'ioredis';
import type { ToolSpec } from '@steward/tools';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Executions are counted in Redis so a test sees them across processes (killed workers). */
export function testTools(redis: Redis, counterKey: string): ToolSpec[] {
  const count = (label: string) => redis.hincrby(counterKey, label, 1);
  return [
    {
      name: 'work',
      description: 'Sleep for ms, then return done:<label>. `after` lists "$call:<i>" references (DAG edges).',
      parameters: z.object({ label: z.string(), ms: z.number().int().nonnegative(), after: z.array(z.unknown()).optional(), fail: z.boolean().optional() }),
      readOnly: true,
      run: async (args) => {
        await count(String(args.label));
        await sleep(Number(args.ms));
        if (args.fail) return `Error: ${String(args.label)} failed on purpose`;
        return `done:${String(args.label)}`;
      },
    },
    {
      name: 'get_product_info',
      description: 'Product info (test double, 20 ms).',
      parameters: z.object({ product_id: z.string() }),
      readOnly: true,
      run: async (args) => {
        await count('get_product_info');
        await sleep(20);
        return JSON.stringify({ product_id: args.product_id, name: 'Test product' });
      },
    },
    {
      name: 'check_inventory',
      description: 'Stock of a product (test double, 50 ms).',
      parameters: z.object({ product_id: z.string() }),
      dependsOn: ['get_product_info'],
      readOnly: true,
      run: async () => {
        await count('check_inventory');
        await sleep(50);
        return JSON.stringify({ in_stock: 12 });
      },
    },
    {
      name: 'calculate_shipping',
      description: 'Shipping cost (test double, 80 ms).',
      parameters: z.object({ product_id: z.string(), zip: z.string() }),
      dependsOn: ['get_product_info'],
      readOnly: true,
      run: async () => {
        await count('calculate_shipping');
        await sleep(80);
        return JSON.stringify({ cost: 5.99, days: 3 });
      },
    },
    {
      name: 'capped',
      description: 'A slow read with at most one call running at a time, fleet-wide.',
      parameters: z.object({ label: z.string() }),
      readOnly: true,
      maxConcurrency: 1,
      run: async (args) => {
        await count(`capped:${String(args.label)}`);
        await sleep(60);
        return `capped:${String(args.label)}`;
      },
    },
    {
      name: 'lookup',
      description: 'A cacheable read of an item (100 ms).',
      parameters: z.object({ key: z.string() }),
      readOnly: true,
      cacheTtlSec: 60,
      cacheTags: (args) => [`item:${String(args.key)}`],
      run: async (args) => {
        const n = await count(`lookup:${String(args.key)}`);
        await sleep(100);
        return `value of ${String(args.key)} (read #${n})`;
      },
    },
    {
      name: 'update',
      description: 'A write to an item: invalidates cached reads of it.',
      parameters: z.object({ key: z.string() }),
      readOnly: false,
      sequential: true,
      requiresConfirmation: true,
      cacheTags: (args) => [`item:${String(args.key)}`],
      run: async (args) => {
        await count(`update:${String(args.key)}`);
        return `updated ${String(args.key)}`;
      },
    },
  ];
}
