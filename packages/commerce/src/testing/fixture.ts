// A tiny hand-made shop in the τ-bench layout, for tests here and in other packages. Its text
// keeps what plain JSON loses: integral floats (`10.0`), int balances, and numeric keys below
// 2^32 out of order (a JS object would sort them first).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShopEngine } from '../engine/engine.ts';

const addr = (a1: string, city: string, state: string, zip: string): string =>
  `{"address1": "${a1}", "address2": "Suite 1", "city": "${city}", "country": "USA", "state": "${state}", "zip": "${zip}"}`;

export const FIXTURE_USERS = `{
  "alice_smith_1001": {
    "name": {"first_name": "Alice", "last_name": "Smith"},
    "address": ${addr('1 Main Street', 'New York', 'NY', '10001')},
    "email": "Alice.Smith@example.com",
    "payment_methods": {
      "credit_card_1000001": {"source": "credit_card", "brand": "visa", "last_four": "4242", "id": "credit_card_1000001"},
      "gift_card_1000001": {"source": "gift_card", "balance": 100, "id": "gift_card_1000001"},
      "paypal_1000001": {"source": "paypal", "id": "paypal_1000001"}
    },
    "orders": ["#W1000001", "#W1000002", "#W1000003", "#W1000004", "#W1000005"]
  },
  "bob_jones_2002": {
    "name": {"first_name": "Bob", "last_name": "Jones"},
    "address": ${addr('2 Oak Road', 'San Francisco', 'CA', '94105')},
    "email": "bob.jones@example.com",
    "payment_methods": {
      "gift_card_2000002": {"source": "gift_card", "balance": 10.5, "id": "gift_card_2000002"},
      "credit_card_2000002": {"source": "credit_card", "brand": "amex", "last_four": "0005", "id": "credit_card_2000002"}
    },
    "orders": ["#W2000001", "#W2000002"]
  }
}`;

export const FIXTURE_PRODUCTS = `{
  "1000000001": {
    "name": "Mug",
    "product_id": "1000000001",
    "variants": {
      "2000000002": {"item_id": "2000000002", "options": {"color": "white", "size": "small"}, "available": true, "price": 10.0},
      "9000000001": {"item_id": "9000000001", "options": {"color": "black", "size": "small"}, "available": true, "price": 12.5},
      "2000000001": {"item_id": "2000000001", "options": {"color": "red", "size": "large"}, "available": false, "price": 11.25},
      "9000000002": {"item_id": "9000000002", "options": {"color": "blue", "size": "large"}, "available": true, "price": 200.0}
    }
  },
  "8000000001": {
    "name": "Lamp",
    "product_id": "8000000001",
    "variants": {
      "8100000001": {"item_id": "8100000001", "options": {"color": "white"}, "available": true, "price": 30.99},
      "8100000002": {"item_id": "8100000002", "options": {"color": "black"}, "available": true, "price": 45.01}
    }
  }
}`;

const mugWhite = `{"name": "Mug", "product_id": "1000000001", "item_id": "2000000002", "price": 10.0, "options": {"color": "white", "size": "small"}}`;
const mugBlack = `{"name": "Mug", "product_id": "1000000001", "item_id": "9000000001", "price": 12.5, "options": {"color": "black", "size": "small"}}`;
const lampWhite = `{"name": "Lamp", "product_id": "8000000001", "item_id": "8100000001", "price": 30.99, "options": {"color": "white"}}`;
const lampBlack = `{"name": "Lamp", "product_id": "8000000001", "item_id": "8100000002", "price": 45.01, "options": {"color": "black"}}`;
const pay = (amount: string, pm: string): string => `{"transaction_type": "payment", "amount": ${amount}, "payment_method_id": "${pm}"}`;
const order = (id: string, user: string, items: string[], status: string, payments: string[], fulfilled: boolean, zip = '10001'): string =>
  `"${id}": {"order_id": "${id}", "user_id": "${user}", "address": ${addr('1 Main Street', 'New York', 'NY', zip)}, "items": [${items.join(', ')}], ` +
  `"fulfillments": [${fulfilled ? `{"tracking_id": ["${id.slice(2)}00001"], "item_ids": [${items.map((i) => JSON.stringify(JSON.parse(i).item_id)).join(', ')}]}` : ''}], ` +
  `"status": "${status}", "payment_history": [${payments.join(', ')}]}`;

export const FIXTURE_ORDERS = `{
  ${order('#W1000001', 'alice_smith_1001', [mugWhite, mugWhite, lampWhite], 'pending', [pay('50.99', 'gift_card_1000001')], false)},
  ${order('#W1000002', 'alice_smith_1001', [mugBlack, lampWhite, mugWhite], 'delivered', [pay('53.49', 'credit_card_1000001')], true)},
  ${order('#W1000003', 'alice_smith_1001', [lampWhite], 'processed', [pay('30.99', 'paypal_1000001')], true)},
  ${order('#W1000004', 'alice_smith_1001', [mugWhite], 'pending', [pay('10.0', 'credit_card_1000001')], false)},
  ${order('#W1000005', 'alice_smith_1001', [mugWhite], 'pending', [pay('10.0', 'credit_card_1000001'), '{"transaction_type": "refund", "amount": 10.0, "payment_method_id": "credit_card_1000001"}'], false)},
  ${order('#W2000001', 'bob_jones_2002', [lampWhite], 'pending', [pay('30.99', 'gift_card_2000002')], false, '94105')},
  ${order('#W2000002', 'bob_jones_2002', [lampBlack], 'pending', [pay('45.01', 'credit_card_2000002')], false, '94105')}
}`;

/** Writes the fixture as a τ-bench layout directory and returns its path. */
export function writeFixtureDir(dir = mkdtempSync(join(tmpdir(), 'steward-fixture-'))): string {
  writeFileSync(join(dir, 'users.json'), FIXTURE_USERS);
  writeFileSync(join(dir, 'orders.json'), FIXTURE_ORDERS);
  writeFileSync(join(dir, 'products.json'), FIXTURE_PRODUCTS);
  return dir;
}

/** An in-memory engine loaded with the fixture. */
export function createFixtureEngine(): ShopEngine {
  const engine = new ShopEngine();
  engine.loadDir(writeFixtureDir());
  return engine;
}
