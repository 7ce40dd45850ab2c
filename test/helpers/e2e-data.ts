// The shop data an end-to-end test runs on, and the customers and orders it talks about. With
// ../shared/taubench present the tests run on the reference data; on a user's clone (no ../shared)
// they run on the generated demo catalog (deterministic seed) written out in the same layout.
// Either way the tests pick their customer and orders from the data by what they need (a
// processed order, a delivered order with an item to return, another customer's order) and assert
// what the data says — the order's real status — never a value written into the test.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCatalog } from '@steward/commerce';
import { HAS_TAUBENCH, TAUBENCH_DIR } from './shared-data.ts';

interface Item { name: string; item_id: string }
interface Order { order_id: string; user_id: string; status: string; items: Item[] }
interface User { name: { first_name: string; last_name: string }; email: string; address: { address1: string; city: string; zip: string }; orders: string[] }

export interface E2eOrder {
  id: string;
  /** The status the shop holds for it when the data is loaded. */
  status: string;
}

export interface E2eData {
  source: 'taubench' | 'generated';
  /** A directory in the τ-bench layout for startSystem's shopData. */
  shopData: string;
  customer: string;
  /** The customer's email, for identifying in an unverified chat. */
  customerEmail: string;
  /** The customer's first and last name, as the data holds them. */
  customerName: string;
  /** Two orders of the customer, both readable, the first 'processed'. */
  statusOrder: E2eOrder;
  secondOrder: E2eOrder;
  /** A delivered order of the customer and the name of an item in it (unique in the order). */
  returnOrder: E2eOrder & { itemName: string };
  /** Another customer's order, and words of that customer that must never leak. */
  foreignOrder: E2eOrder & { ownerWords: string[] };
  /** The customer that foreign order belongs to. */
  foreignOwner: string;
}

let cached: E2eData | undefined;

export function e2eData(): E2eData {
  cached ??= HAS_TAUBENCH ? fromDir(TAUBENCH_DIR, 'taubench') : fromDir(writeGenerated(), 'generated');
  return cached;
}

function writeGenerated(): string {
  // Small enough to generate in well under a second, large enough to hold every case below.
  const cat = generateCatalog({ seed: 7, products: 120, users: 60, orders: 400 });
  const dir = mkdtempSync(join(tmpdir(), 'steward-e2e-catalog-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'users.json'), JSON.stringify(cat.users));
  writeFileSync(join(dir, 'orders.json'), JSON.stringify(cat.orders));
  writeFileSync(join(dir, 'products.json'), JSON.stringify(cat.products));
  writeFileSync(join(dir, 'extensions.json'), JSON.stringify(cat.extensions));
  return dir;
}

function fromDir(dir: string, source: E2eData['source']): E2eData {
  const read = <T>(f: string): Record<string, T> => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, T>;
  const users = read<User>('users.json');
  const orders = read<Order>('orders.json');
  const ordersOf = (u: string): Order[] => (users[u]?.orders ?? []).map((id) => orders[id]).filter((o): o is Order => o !== undefined);
  // An item whose name no other item of the order shares, so "return the X" names one item.
  const returnable = (o: Order): Item | undefined =>
    o.status === 'delivered' ? o.items.find((i) => o.items.filter((j) => j.name === i.name).length === 1) : undefined;
  // The reference data's long-standing example customer first, so τ-bench runs stay comparable.
  const candidates = [...(users.james_li_5688 ? ['james_li_5688'] : []), ...Object.keys(users).sort()];
  for (const customer of candidates) {
    const mine = ordersOf(customer);
    const processed = mine.filter((o) => o.status === 'processed');
    const first = processed[0];
    const second = processed[1] ?? mine.find((o) => o !== first && o.status !== 'delivered');
    const delivered = mine.find((o) => returnable(o) !== undefined);
    if (!first || !second || !delivered) continue;
    const foreign = Object.values(orders).find((o) => o.user_id !== customer && o.status === 'delivered');
    if (!foreign) continue;
    const owner = users[foreign.user_id]!;
    return {
      source,
      shopData: dir,
      customer,
      customerEmail: users[customer]!.email,
      customerName: `${users[customer]!.name.first_name} ${users[customer]!.name.last_name}`,
      statusOrder: { id: first.order_id, status: first.status },
      secondOrder: { id: second.order_id, status: second.status },
      returnOrder: { id: delivered.order_id, status: delivered.status, itemName: returnable(delivered)!.name },
      foreignOwner: foreign.user_id,
      foreignOrder: {
        id: foreign.order_id,
        status: foreign.status,
        ownerWords: [owner.name.first_name, owner.name.last_name, owner.address.city, owner.address.zip],
      },
    };
  }
  throw new Error(`no customer in ${dir} has a processed order, a second order and a delivered order`);
}
