// Every tool's extractor on results produced by the real commerce tool layer: from the τ-bench
// retail data in ../shared/taubench (skipped with a note when absent) and from the generated
// demo catalog (runs everywhere). A result counts as remembered when the ids a later write
// would need are in the rendered memory.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  COMMERCE_TOOL_NAMES,
  generateCatalog,
  invokeTool,
  ShopEngine,
  type Order,
  type Product,
  type User,
} from '@steward/commerce';
import { EXTRACTORS, type ObservedCall } from './extractors.ts';
import { recordToolCalls } from './record.ts';
import { renderMemory } from './render.ts';
import { emptyMemory, type WorkingMemory } from './working-memory.ts';

const model = 'gpt-4o';
const TAU = process.env.TAUBENCH_DIR ?? join(import.meta.dirname, '../../../../../shared/taubench');
const tauPresent = existsSync(join(TAU, 'orders.json'));
if (!tauPresent)
  console.warn(
    `[context] τ-bench data not found at ${TAU}: the real-data extractor tests are skipped (the demo-catalog ones still run)`,
  );

interface Shop {
  engine: ShopEngine;
  user: User & { user_id: string };
  delivered: Order;
  pending: Order;
  /** A product of the delivered order, with another available variant to exchange to. */
  productId: string;
  otherItemId: string;
}

/** A customer with a delivered and a pending order, picked from whatever data is loaded. */
interface Data {
  users: Record<string, User>;
  orders: Record<string, Order>;
  products: Record<string, Product>;
}
const exported = (engine: ShopEngine): Data => engine.exportAll() as unknown as Data;

function pickShop(engine: ShopEngine): Shop {
  const data = exported(engine);
  for (const [userId, u] of Object.entries(data.users)) {
    const orders = u.orders.map((id) => data.orders[id]).filter((o): o is Order => o !== undefined);
    const delivered = orders.find((o) => o.status === 'delivered');
    const pending = orders.find((o) => o.status === 'pending');
    if (!delivered || !pending) continue;
    for (const item of delivered.items) {
      const product = data.products[item.product_id];
      const other =
        product && Object.values(product.variants).find((v) => v.item_id !== item.item_id && v.available);
      if (other)
        return {
          engine,
          user: { ...u, user_id: userId },
          delivered,
          pending,
          productId: item.product_id,
          otherItemId: other.item_id,
        };
    }
  }
  throw new Error('no customer with a delivered and a pending order in this data');
}

let seq = 0;
function run(
  s: Shop,
  m: WorkingMemory,
  name: string,
  args: Record<string, unknown>,
  customerId: string | null = s.user.user_id,
): { m: WorkingMemory; call: ObservedCall } {
  const result = invokeTool(s.engine, name, args, { customerId, idempotencyKey: `k${seq++}` }).result;
  const call = { callId: `c${seq++}`, name, arguments: args, result };
  return { m: recordToolCalls(m, [call]), call };
}

// Every entity counted as referenced now, so each is rendered with all it keeps (what is under test here is the extraction).
const text = (m: WorkingMemory): string => renderMemory(m, { model, maxTokens: 100_000, recentTicks: m.seq }).text;

function suite(label: string, open: () => ShopEngine, extras: boolean) {
  let s: Shop;
  const shop = (): Shop => (s ??= pickShop(open()));

  it(`${label}: identification tools remember the verified user id`, () => {
    const u = shop().user;
    const byEmail = run(shop(), emptyMemory(), 'find_user_id_by_email', { email: u.email }, null);
    expect(byEmail.call.result).toBe(u.user_id);
    expect(byEmail.m.customer?.user_id).toBe(u.user_id);
    const byZip = run(
      shop(),
      emptyMemory(),
      'find_user_id_by_name_zip',
      { first_name: u.name.first_name, last_name: u.name.last_name, zip: u.address.zip },
      null,
    );
    expect(text(byZip.m)).toContain(`user_id=${u.user_id}`);
  });

  it(`${label}: get_user_details keeps address fields, payment method ids with kind and balance, order ids`, () => {
    const { m } = run(shop(), emptyMemory(), 'get_user_details', { user_id: shop().user.user_id });
    const t = text(m);
    for (const v of Object.values(shop().user.address)) expect(t).toContain(String(v));
    for (const pm of Object.values(shop().user.payment_methods)) {
      expect(t).toContain(pm.id);
      expect(t).toContain(pm.source);
      if ('balance' in pm) expect(t).toContain(`balance ${Number(pm.balance)}`);
    }
    for (const o of shop().user.orders) expect(t).toContain(o);
  });

  it(`${label}: get_order_details keeps status, item ids, product ids, options, prices, payment method`, () => {
    const o = shop().delivered;
    const { m } = run(shop(), emptyMemory(), 'get_order_details', { order_id: o.order_id });
    const t = text(m);
    expect(t).toContain(`Order ${o.order_id} · status delivered`);
    for (const i of o.items) {
      expect(t).toContain(`item ${i.item_id}:`);
      expect(t).toContain(`product ${i.product_id}`);
      for (const v of Object.values(i.options)) expect(t).toContain(String(v));
    }
    expect(t).toContain(o.payment_history[0]!.payment_method_id);
    for (const f of o.fulfillments) for (const tid of f.tracking_id) expect(t).toContain(String(tid));
  });

  it(`${label}: get_product_details keeps every variant id with options, price and availability`, () => {
    const { m } = run(shop(), emptyMemory(), 'get_product_details', { product_id: shop().productId }, null);
    const product = exported(shop().engine).products[shop().productId]!;
    const t = text(m);
    for (const v of Object.values(product.variants)) {
      expect(t).toContain(`  ${v.item_id}: ${Object.values(v.options).join(', ')} $${Number(v.price)}${v.available ? '' : ' unavailable'}`);
    }
    expect(t).toContain(`  ${shop().otherItemId}: `);
  });

  it(`${label}: list_all_product_types, calculate, think and transfer`, () => {
    let { m } = run(shop(), emptyMemory(), 'list_all_product_types', {}, null);
    const product = exported(shop().engine).products[shop().productId]!;
    expect(text(m)).toContain(`${product.name}=${product.product_id}`);
    ({ m } = run(shop(), m, 'calculate', { expression: '100 - 12.5' }, null));
    expect(text(m)).toContain('calculate(100 - 12.5) = 87.5');
    const before = text(m);
    ({ m } = run(shop(), m, 'think', { thought: 'nothing to remember' }, null));
    ({ m } = run(shop(), m, 'transfer_to_human_agents', { summary: 'x' }, null));
    expect(text(m)).toBe(before);
  });

  it(`${label}: a write held for confirmation is remembered with its exact arguments, then done`, () => {
    const sh = shop();
    const o = sh.pending;
    const args = { order_id: o.order_id, reason: 'no longer needed' };
    // What the confirmation policy answers instead of running the write.
    let m = recordToolCalls(emptyMemory(), [
      {
        callId: 'p1',
        name: 'cancel_pending_order',
        arguments: args,
        result: 'Confirmation required: list the details and ask for a yes.',
      },
    ]);
    expect(text(m)).toContain(
      `Awaiting the customer's yes (proposed, not done): cancel_pending_order ${JSON.stringify(args)}`,
    );
    ({ m } = run(sh, m, 'cancel_pending_order', args));
    const t = text(m);
    expect(t).not.toContain('Awaiting');
    expect(t).toContain(`Order ${o.order_id} · status cancelled · cancel_reason=no longer needed`);
    expect(t).toContain(`Done: cancel_pending_order ${o.order_id} done → status cancelled`);
  });

  it(`${label}: every order write updates the order; a refusal is remembered as refused`, () => {
    const sh = pickShop(open());
    const item = sh.delivered.items.find((i) => i.product_id === sh.productId)!;
    const addr = {
      address1: '1 New Road',
      address2: '',
      city: 'Austin',
      state: 'TX',
      country: 'USA',
      zip: '78701',
    };
    let m = emptyMemory();
    ({ m } = run(sh, m, 'modify_pending_order_address', { order_id: sh.pending.order_id, ...addr }));
    expect(text(m)).toContain('ship to: 1 New Road, Austin, TX, USA, 78701');
    ({ m } = run(sh, m, 'modify_pending_order_payment', {
      order_id: sh.pending.order_id,
      payment_method_id: 'no_such_pm',
    }));
    expect(text(m)).toContain(
      `modify_pending_order_payment ${sh.pending.order_id} refused: Error: payment method not found`,
    );
    const pending = sh.pending.items[0]!;
    const product = exported(sh.engine).products[pending.product_id]!;
    const swap = Object.values(product.variants).find((v) => v.item_id !== pending.item_id && v.available);
    if (swap) {
      ({ m } = run(sh, m, 'modify_pending_order_items', {
        order_id: sh.pending.order_id,
        item_ids: [pending.item_id],
        new_item_ids: [swap.item_id],
        payment_method_id: sh.pending.payment_history[0]!.payment_method_id,
      }));
      expect(text(m)).toContain(`item ${swap.item_id}:`);
      expect(text(m)).toContain('status pending (item modified)');
    }
    ({ m } = run(sh, m, 'exchange_delivered_order_items', {
      order_id: sh.delivered.order_id,
      item_ids: [item.item_id],
      new_item_ids: [sh.otherItemId],
      payment_method_id: sh.delivered.payment_history[0]!.payment_method_id,
    }));
    const t = text(m);
    expect(t).toContain('status exchange requested');
    expect(t).toContain(`exchange_new_items=${sh.otherItemId}`);
    ({ m } = run(sh, m, 'modify_user_address', { user_id: sh.user.user_id, ...addr }));
    expect(text(m)).toContain('default address: 1 New Road, Austin, TX, USA, 78701');
    // A fresh load for the return (the exchange changed the status).
    const sh2 = pickShop(open());
    ({ m } = run(sh2, emptyMemory(), 'return_delivered_order_items', {
      order_id: sh2.delivered.order_id,
      item_ids: [sh2.delivered.items[0]!.item_id],
      payment_method_id: sh2.delivered.payment_history[0]!.payment_method_id,
    }));
    expect(text(m)).toContain(`return_items=${sh2.delivered.items[0]!.item_id}`);
  });

  // Only data with warehouses and stock (the generated catalog) has these tools' answers; on the
  // τ-bench data the case is not registered rather than skipped.
  if (extras)
    it(`${label}: the extra tools (search, info, inventory, shipping, status, return)`, () => {
      const sh = pickShop(open());
      const product = exported(sh.engine).products[sh.productId]!;
      let { m } = run(sh, emptyMemory(), 'search_products', { query: product.name }, null);
      expect(text(m)).toContain(`Product product_id ${sh.productId}`);
      ({ m } = run(sh, emptyMemory(), 'get_product_info', { product_id: sh.productId }, null));
      expect(text(m)).toMatch(new RegExp(`Product product_id ${sh.productId} .*price_range=`));
      ({ m } = run(sh, emptyMemory(), 'check_inventory', { item_id: sh.otherItemId }, null));
      expect(text(m)).toContain(`  ${sh.otherItemId}: `);
      ({ m } = run(
        sh,
        emptyMemory(),
        'calculate_shipping',
        { item_ids: [sh.otherItemId], zip: '10001' },
        null,
      ));
      expect(text(m)).toContain(`shipping items ${sh.otherItemId} to 10001 USA:`);
      ({ m } = run(sh, emptyMemory(), 'get_shipping_info', { order_id: sh.delivered.order_id }));
      const tid = sh.delivered.fulfillments[0]!.tracking_id[0]!;
      expect(text(m)).toContain(`tracking ${tid}`);
      ({ m } = run(sh, emptyMemory(), 'check_order_status', { order_id: sh.delivered.order_id }));
      expect(text(m)).toContain(`Order ${sh.delivered.order_id} · status delivered`);
      ({ m } = run(sh, emptyMemory(), 'process_return', {
        order_id: sh.delivered.order_id,
        item_ids: [sh.delivered.items[0]!.item_id],
      }));
      expect(text(m)).toContain('status return requested');
    });
}

describe('an extractor for every commerce tool', () => {
  it('covers every tool of the commerce pack', () => {
    expect(COMMERCE_TOOL_NAMES.filter((n) => !(n in EXTRACTORS))).toEqual([]);
  });
});

describe('extractors on the generated demo catalog', () => {
  const catalog = generateCatalog({ seed: 7, products: 40, users: 40, orders: 160 });
  suite(
    'demo',
    () => {
      const e = new ShopEngine();
      e.loadData(catalog);
      return e;
    },
    true,
  );
});

describe.skipIf(!tauPresent)('extractors on the τ-bench retail data', () => {
  let base: ShopEngine | undefined;
  suite(
    'τ-bench',
    () => {
      if (!base) {
        base = new ShopEngine();
        base.loadDir(TAU);
      } else base.reset();
      return base;
    },
    false,
  );
});
