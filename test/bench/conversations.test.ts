// The load's conversations: concurrent conversations are distinct customers (as in production:
// a shared customer puts two conversations in one per-customer bucket, which refuses), with the
// same scenario mix, and every order a conversation names is its customer's.
import { describe, expect, it } from 'vitest';
import { generateCatalog } from '@steward/commerce';
import { buildScripts, type Script, type ShopExport } from './conversations.ts';

const data = generateCatalog({ seed: 42, users: 60, orders: 300, products: 40 }) as unknown as ShopExport;
// Customers who have an order (a conversation is about one).
const users = new Set(Object.values(data.orders).map((o) => o.user_id)).size;

const mixOf = (scripts: Script[]) => {
  const mix: Record<string, number> = {};
  for (const s of scripts) mix[s.scenario] = (mix[s.scenario] ?? 0) + 1;
  return mix;
};

describe('buildScripts', () => {
  it('gives every conversation its own customer while the catalog has customers left', () => {
    const scripts = buildScripts(data, 50, 3, 'r1');
    expect(new Set(scripts.map((s) => s.customerId)).size).toBe(50);
    // The round-robin mix: only a write with no fresh order left becomes a status question.
    const mix = mixOf(scripts);
    expect(mix.product).toBe(10);
    expect(mix.multi).toBe(10);
    expect((mix.status ?? 0) + (mix.return ?? 0) + (mix.exchange ?? 0)).toBe(30);
  });

  it('shares customers only once every customer has a conversation', () => {
    const scripts = buildScripts(data, users + 15, 1, 'r2');
    expect(new Set(scripts.map((s) => s.customerId)).size).toBe(users);
  });

  it('takes no customer a write conversation needs: read-only ones take theirs after the writes', () => {
    // The crash test's catalog and count: fewer customers than conversations.
    const small = generateCatalog({ seed: 7, products: 120, users: 60, orders: 400 }) as unknown as ShopExport;
    const scripts = buildScripts(small, 120, 2, 'r4');
    const writes = scripts.filter((s) => s.writeOrder);
    // 24 return and 24 exchange slots; the writes the catalog can carry are all kept (as before reads took customers).
    expect(scripts.filter((s) => s.scenario === 'return').length).toBeGreaterThanOrEqual(15);
    expect(new Set(writes.map((s) => s.customerId)).size).toBe(writes.length);
    const reads = scripts.filter((s) => !s.writeOrder);
    const writers = new Set(writes.map((s) => s.customerId));
    const freshReads = reads.filter((s) => !writers.has(s.customerId));
    // Every customer the writes left has a read-only conversation before any is shared.
    const customers = new Set(Object.values(small.orders).map((o) => o.user_id));
    expect(new Set(freshReads.map((s) => s.customerId)).size).toBe(customers.size - writers.size);
  });

  it('asks each customer only about their own orders', () => {
    let checked = 0;
    for (const s of buildScripts(data, 50, 3, 'r3')) {
      const named = s.messages.flatMap((m) => m.match(/#W\d+/g) ?? []);
      for (const o of named) expect(data.orders[o]?.user_id, `${s.conversationId} (${s.scenario}) names ${o}`).toBe(s.customerId);
      checked += named.length;
    }
    expect(checked).toBeGreaterThan(50);
  });
});
