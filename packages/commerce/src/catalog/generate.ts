// The demo catalog: deterministic from a seed, in the τ-bench layout plus our extensions.
import type { Extensions, Order, Product, User } from '../engine/types.ts';
import { generateOrders } from './generate-orders.ts';
import { generateUsers } from './generate-people.ts';
import { generateProducts } from './generate-products.ts';
import { Rng } from './rng.ts';

export interface GenerateOptions {
  seed?: number;
  products?: number;
  users?: number;
  orders?: number;
  /** Called now and then with the phase and how far it got. */
  onProgress?: (phase: 'products' | 'users' | 'orders', done: number, total: number) => void;
}

export interface GeneratedCatalog {
  users: Record<string, User>;
  orders: Record<string, Order>;
  products: Record<string, Product>;
  extensions: Pick<Extensions, 'products'>;
}

export const CATALOG_DEFAULTS = { seed: 42, products: 2_000, users: 5_000, orders: 20_000 } as const;

export function generateCatalog(opts: GenerateOptions = {}): GeneratedCatalog {
  const o = { ...CATALOG_DEFAULTS, ...opts };
  const rng = new Rng(o.seed);
  const used = new Set<string>();
  const unique = (prefix: string, digits: number): string => {
    let id = '';
    do id = prefix + rng.digits(digits);
    while (used.has(id));
    used.add(id);
    return id;
  };
  // Product and item ids start at 5: ids below 2^32 would be reordered by JS objects.
  const numericId = (): string => {
    let id = '';
    do id = rng.digits(10, '56789');
    while (used.has(id));
    used.add(id);
    return id;
  };
  const every = (phase: 'products' | 'users' | 'orders', total: number) => (i: number): void => {
    if (o.onProgress && ((i + 1) % 500 === 0 || i + 1 === total)) o.onProgress(phase, i + 1, total);
  };
  const generated = generateProducts(rng, o.products, numericId, every('products', o.products));
  const users = generateUsers(rng, o.users, unique, every('users', o.users));
  const productList = generated.map((g) => g.product);
  const orders = generateOrders(rng, o.orders, productList, users, unique, every('orders', o.orders));
  return {
    users: Object.fromEntries(users),
    orders: Object.fromEntries(orders.map((x) => [x.order_id, x])),
    products: Object.fromEntries(productList.map((p) => [p.product_id, p])),
    extensions: { products: Object.fromEntries(generated.map((g) => [g.product.product_id, g.ext])) },
  };
}

/** The label a database loaded from generateCatalog carries, so a server can tell whether to reuse it. */
export function generatedSource(opts: Pick<GenerateOptions, 'seed' | 'products' | 'users' | 'orders'> = {}): string {
  const o = { ...CATALOG_DEFAULTS, ...opts };
  return `generated:seed=${o.seed}:products=${o.products}:users=${o.users}:orders=${o.orders}`;
}
