// Record shapes of the τ-bench retail layout. Numbers are PyNum so an integral float read from
// the data (`247.0`) is written back the same way (see py-json.ts).
import type { PyNum } from '../py-json.ts';

export interface Address {
  address1: string;
  address2: string;
  city: string;
  country: string;
  state: string;
  zip: string;
}

export interface PaymentMethod {
  source: string;
  id: string;
  brand?: string;
  last_four?: string;
  balance?: PyNum;
}

export interface User {
  name: { first_name: string; last_name: string };
  address: Address;
  email: string;
  payment_methods: Record<string, PaymentMethod>;
  orders: string[];
}

export interface OrderItem {
  name: string;
  product_id: string;
  item_id: string;
  price: PyNum;
  options: Record<string, string>;
}

export interface Payment {
  transaction_type: string;
  amount: PyNum;
  payment_method_id: string;
}

export interface Fulfillment {
  tracking_id: string[];
  item_ids: string[];
}

export interface Order {
  order_id: string;
  user_id: string;
  address: Address;
  items: OrderItem[];
  fulfillments: Fulfillment[];
  status: string;
  payment_history: Payment[];
  [extra: string]: unknown;
}

export interface Variant {
  item_id: string;
  options: Record<string, string>;
  available: boolean;
  price: PyNum;
}

export interface Product {
  name: string;
  product_id: string;
  variants: Record<string, Variant>;
}

/** Our extensions, kept beside the τ-bench record so an export stays exactly τ-bench. */
export interface ProductExt {
  name_zh: string;
  description: string;
  description_zh: string;
  brand: string;
  category: string;
  /** Per variant: weight and Chinese option values. */
  variants: Record<string, { weight_kg: number; options_zh: Record<string, string> }>;
}

export interface Warehouse {
  warehouse_id: string;
  name: string;
  city: string;
  state: string;
  zip: string;
  country: string;
}

export interface ShippingRule {
  carrier: string;
  service: string;
  /** 'domestic-<zip first digit distance 0..9>' or 'intl'. */
  zone: string;
  base_cost: number;
  per_kg: number;
  days_min: number;
  days_max: number;
}

export interface TrackingInfo {
  tracking_id: string;
  order_id: string;
  carrier: string;
  service: string;
  status: string;
  shipped_at: string;
  estimated_delivery: string;
  delivered_at: string | null;
  events: Array<{ at: string; status: string; location: string }>;
}

export interface Extensions {
  products: Record<string, ProductExt>;
  warehouses: Warehouse[];
  /** item_id → warehouse_id → units on hand. */
  inventory: Record<string, Record<string, number>>;
  shippingRules: ShippingRule[];
  tracking: Record<string, TrackingInfo>;
}

/** A τ-bench layout as JS objects. */
export interface RetailData {
  users: Record<string, unknown>;
  orders: Record<string, unknown>;
  products: Record<string, unknown>;
}
