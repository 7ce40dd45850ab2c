// parseMemory reads the shape this version writes without zod (parse-known.ts): on memories the
// real commerce tools fill, and on every kind of damage to them, it must return exactly what the
// zod schema returns (the same value, the same JSON, keys in the same order).
import { describe, expect, it } from 'vitest';
import { generateCatalog, invokeTool, ShopEngine } from '@steward/commerce';
import { recordRequest, recordToolCalls } from './record.ts';
import { KNOWN_SHAPES, parseKnown } from './parse-known.ts';
import {
  CustomerEntry,
  emptyMemory,
  FactEntry,
  OrderEntry,
  OrderItemEntry,
  parseMemory,
  PaymentMethodEntry,
  ProductEntry,
  ProposalEntry,
  RequestEntry,
  VariantEntry,
  WorkingMemory,
} from './working-memory.ts';

/** What parseMemory returned when it always asked zod. */
function byZod(raw: string): WorkingMemory {
  const r = WorkingMemory.safeParse(JSON.parse(raw));
  return r.success ? r.data : emptyMemory();
}

interface Data {
  users: Record<string, { orders: string[] }>;
  orders: Record<string, { items: { product_id: string }[] }>;
}

/** Memories as the workers build them: identification, orders, products, a held write, a done write, requests. */
function memories(): string[] {
  const engine = new ShopEngine();
  engine.loadData(generateCatalog({ seed: 11, products: 30, users: 12, orders: 40 }));
  const data = engine.exportAll() as unknown as Data;
  const out: string[] = [];
  let k = 0;
  for (const [userId, u] of Object.entries(data.users).slice(0, 8)) {
    const call = (name: string, args: Record<string, unknown>) => ({
      callId: `c${k++}`,
      name,
      arguments: args,
      result: invokeTool(engine, name, args, { customerId: userId, idempotencyKey: `k${k++}` }).result,
    });
    let m = recordRequest(
      emptyMemory(),
      'q1',
      `I want to return something from ${u.orders[0] ?? 'my order'} please`,
    );
    m = recordToolCalls(m, [call('get_user_details', { user_id: userId })]);
    out.push(JSON.stringify(m));
    for (const orderId of u.orders) {
      m = recordToolCalls(m, [call('get_order_details', { order_id: orderId })]);
      const productId = data.orders[orderId]?.items[0]?.product_id;
      if (productId) m = recordToolCalls(m, [call('get_product_details', { product_id: productId })]);
      out.push(JSON.stringify(m));
    }
    m = recordToolCalls(m, [call('list_all_product_types', {}), call('calculate', { expression: '2 + 2' })]);
    const first = u.orders[0];
    if (first) {
      // Held for a yes, then refused or done: pending and done entries with their arguments.
      m = recordToolCalls(m, [
        {
          callId: `c${k++}`,
          name: 'cancel_pending_order',
          arguments: { order_id: first, reason: 'no longer needed' },
          result: 'Confirmation required: …',
        },
      ]);
      out.push(JSON.stringify(m));
      m = recordToolCalls(m, [call('cancel_pending_order', { order_id: first, reason: 'no longer needed' })]);
    }
    m = recordRequest(m, 'q2', 'And how much is the cheapest lamp? 还有地址');
    out.push(JSON.stringify(m));
  }
  return out;
}

const corpus = memories();

describe('parseMemory without zod', () => {
  it('checks exactly the fields of the schema, in its order, requiring what it requires', () => {
    const schemas = {
      memory: WorkingMemory,
      customer: CustomerEntry,
      paymentMethod: PaymentMethodEntry,
      order: OrderEntry,
      orderItem: OrderItemEntry,
      product: ProductEntry,
      variant: VariantEntry,
      fact: FactEntry,
      proposal: ProposalEntry,
      request: RequestEntry,
    };
    expect(Object.keys(KNOWN_SHAPES).sort()).toEqual(Object.keys(schemas).sort());
    for (const [name, schema] of Object.entries(schemas)) {
      const keys = Object.keys(schema.shape);
      const shape = schema.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>;
      expect(KNOWN_SHAPES[name]!.fields, name).toEqual(keys);
      expect([...KNOWN_SHAPES[name]!.required].sort(), name).toEqual(
        keys.filter((k) => !shape[k]!.safeParse(undefined).success).sort(),
      );
    }
  });

  it('the corpus has every kind of entry', () => {
    const all = corpus.map((raw) => JSON.parse(raw) as WorkingMemory);
    expect(all.some((m) => m.customer?.payment_methods?.length)).toBe(true);
    expect(all.some((m) => m.orders.some((o) => o.items?.some((i) => i.options)))).toBe(true);
    expect(all.some((m) => m.products.some((p) => p.variants?.length))).toBe(true);
    expect(all.some((m) => m.pending.length > 0)).toBe(true);
    expect(all.some((m) => m.done.length > 0 && m.facts.length > 0)).toBe(true);
    expect(all.some((m) => m.requests.some((r) => r.resolved) || m.requests.length > 1)).toBe(true);
  });

  it('reads what the workers write as zod does, without asking zod', () => {
    for (const raw of corpus) {
      const known = parseKnown(JSON.parse(raw));
      expect(known).toBeDefined();
      expect(known).toStrictEqual(byZod(raw));
      expect(JSON.stringify(known)).toBe(JSON.stringify(byZod(raw)));
    }
  });

  it('orders the keys of every object as the schema does (zod rebuilds them in its order)', () => {
    const reversed = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reversed)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(
              Object.entries(v)
                .reverse()
                .map(([k, x]) => [k, reversed(x)]),
            )
          : v;
    for (const raw of corpus) {
      const shuffled = JSON.stringify(reversed(JSON.parse(raw)));
      expect(shuffled).not.toBe(raw);
      expect(JSON.stringify(parseMemory(shuffled))).toBe(JSON.stringify(byZod(shuffled)));
    }
  });

  it('leaves to zod, and answers as zod, whatever is not the known shape', () => {
    const base = JSON.parse(corpus[corpus.length - 1]!) as Record<string, unknown> & WorkingMemory;
    const order = base.orders[0] as unknown as Record<string, unknown>;
    const damaged: [string, (m: Record<string, unknown> & WorkingMemory) => void][] = [
      ['unknown top field', (m) => void (m.extraField = 1)],
      [
        'unknown entry field',
        (m) => void ((m.orders[0] as unknown as Record<string, unknown>).colour = 'red'),
      ],
      ['missing required', (m) => void delete (m as Partial<WorkingMemory>).seq],
      ['missing required in an entry', (m) => void delete (m.orders[0] as Partial<typeof order>).ref],
      ['wrong version', (m) => void (m.v = 2 as 1)],
      ['null optional', (m) => void ((m.orders[0] as unknown as Record<string, unknown>).status = null)],
      ['number as string', (m) => void ((m.orders[0] as unknown as Record<string, unknown>).ref = '3')],
      [
        'record value not a string',
        (m) => void ((m.orders[0]!.items![0]! as unknown as Record<string, unknown>).options = { size: 9 }),
      ],
      ['array as object', (m) => void ((m as Record<string, unknown>).facts = { 0: m.facts[0] })],
      ['object as array', (m) => void ((m as Record<string, unknown>).customer = [])],
    ];
    expect(order).toBeDefined();
    for (const [what, damage] of damaged) {
      const m = structuredClone(base);
      damage(m);
      const raw = JSON.stringify(m);
      expect(parseKnown(JSON.parse(raw)), what).toBeUndefined();
      expect(parseMemory(raw), what).toStrictEqual(byZod(raw));
      expect(JSON.stringify(parseMemory(raw)), what).toBe(JSON.stringify(byZod(raw)));
    }
    // A `__proto__` key in a record: zod leaves it out; so does the reading, through zod.
    const raw = JSON.stringify(base).replace('"options":{', '"options":{"__proto__":"x",');
    expect(raw).toContain('__proto__');
    expect(parseKnown(JSON.parse(raw))).toBeUndefined();
    expect(JSON.stringify(parseMemory(raw))).toBe(JSON.stringify(byZod(raw)));
  });

  it('returns values nobody else holds: the observe step folds into them in place', () => {
    const raw = corpus[corpus.length - 1]!;
    const a = parseMemory(raw);
    const b = parseMemory(raw);
    expect(a).not.toBe(b);
    expect(a.orders[0]).not.toBe(b.orders[0]);
    a.orders[0]!.ref = -1;
    expect(b.orders[0]!.ref).not.toBe(-1);
  });
});
