// The shop's data as the scripted model's script and the reports read it (τ-bench layout).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ShopItem {
  name: string;
  product_id: string;
  item_id: string;
  price: number;
  options: Record<string, string>;
}
export interface ShopOrder {
  order_id: string;
  user_id: string;
  items: ShopItem[];
  status: string;
}
export interface ShopPaymentMethod {
  source: string;
  id: string;
  brand?: string;
  last_four?: string;
  balance?: number;
}
export interface ShopUser {
  name: { first_name: string; last_name: string };
  address: { zip: string };
  email: string;
  payment_methods: Record<string, ShopPaymentMethod>;
  orders: string[];
}
export interface ShopVariant {
  item_id: string;
  options: Record<string, string>;
  available: boolean;
  price: number;
}
export interface ShopProduct {
  name: string;
  product_id: string;
  variants: Record<string, ShopVariant>;
}

export interface ShopData {
  users: Record<string, ShopUser>;
  orders: Record<string, ShopOrder>;
  products: Record<string, ShopProduct>;
  /** item (variant) id → its product id. */
  productOfItem: Map<string, string>;
}

export function readShopData(dir: string): ShopData {
  const read = <T>(f: string): T => JSON.parse(readFileSync(join(dir, f), 'utf8')) as T;
  const products = read<Record<string, ShopProduct>>('products.json');
  const productOfItem = new Map<string, string>();
  for (const p of Object.values(products))
    for (const v of Object.keys(p.variants)) productOfItem.set(v, p.product_id);
  return { users: read('users.json'), orders: read('orders.json'), products, productOfItem };
}
