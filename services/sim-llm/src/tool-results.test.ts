import { describe, expect, it } from 'vitest';
import { parseOrder, parseSearch, parseStock, parseUserId } from './tool-results.ts';

const ORDER = {
  order_id: '#W2611340',
  user_id: 'james_li_5688',
  items: [
    { name: 'Water Bottle', product_id: '8310926033', item_id: '6469567736', price: 47.84, options: { capacity: '1000ml', color: 'blue' } },
    { name: 'Office Chair', product_id: '4794339885', item_id: '8426249116', price: 488.81, options: { color: 'black' } },
  ],
  fulfillments: [{ tracking_id: ['357962501027'], item_ids: ['6469567736', '8426249116'] }],
  status: 'processed',
  payment_history: [{ transaction_type: 'payment', amount: 536.65, payment_method_id: 'gift_card_1725971' }],
};

describe('tool results', () => {
  it('reads an order from JSON', () => {
    const o = parseOrder(JSON.stringify(ORDER))!;
    expect(o.status).toBe('processed');
    expect(o.items.map((i) => i.itemId)).toEqual(['6469567736', '8426249116']);
    expect(o.trackingIds).toEqual(['357962501027']);
    expect(o.paymentMethodId).toBe('gift_card_1725971');
  });

  it('reads an order cut in the middle, in any key order', () => {
    const json = JSON.stringify(ORDER, null, 1);
    const cut = `${json.slice(0, 420)}\n…[truncated 120 tokens]…\n${json.slice(-330)}`;
    const o = parseOrder(cut)!;
    expect(o.status).toBe('processed');
    expect(o.orderId).toBe('#W2611340');
    expect(o.items[0]).toMatchObject({ name: 'Water Bottle', itemId: '6469567736', options: { capacity: '1000ml', color: 'blue' } });
    expect(o.paymentMethodId).toBe('gift_card_1725971');
    const reordered = '{"status":"delivered","items":[{"item_id":"1","options":{"a":"b"},"name":"Lamp","product_id":"9"}]';
    expect(parseOrder(reordered)).toMatchObject({ status: 'delivered', items: [{ itemId: '1', name: 'Lamp', productId: '9', options: { a: 'b' } }] });
  });

  it('refuses what is not an order', () => {
    expect(parseOrder('Error: order not found')).toBeUndefined();
  });

  it('reads user ids bare or quoted, and not errors', () => {
    expect(parseUserId('james_li_5688')).toBe('james_li_5688');
    expect(parseUserId('"james_li_5688"')).toBe('james_li_5688');
    expect(parseUserId('Error: user not found')).toBeUndefined();
  });

  it('reads search results in several shapes', () => {
    const variants = JSON.stringify([{ name: 'Electric Kettle', product_id: '1', variants: { a: { price: 137.17 }, b: { price: 164.46 } } }]);
    expect(parseSearch(variants)).toEqual([{ name: 'Electric Kettle', productId: '1', min: 137.17, max: 164.46 }]);
    const ranged = JSON.stringify({ results: [{ name: 'Tea Kettle', product_id: '2', min_price: 20, max_price: 30 }] });
    expect(parseSearch(ranged)).toEqual([{ name: 'Tea Kettle', productId: '2', min: 20, max: 30 }]);
    const cut = '{"results":[{"name":"Tea Kettle","product_id":"2","min_price":20,"max_price":30},{"name":"Grill","pri…';
    expect(parseSearch(cut).map((h) => h.name)).toEqual(['Tea Kettle', 'Grill']);
  });

  it('reads the shop search shape with Mandarin names', () => {
    const shop = JSON.stringify({ query: '耳机', total_products: 1, products: [{ product_id: '7', name: 'Headphones', name_zh: '耳机', variants: [{ item_id: '1', price: 99.5 }, { item_id: '2', price: 120 }] }] });
    expect(parseSearch(shop)).toEqual([{ name: 'Headphones', nameZh: '耳机', productId: '7', min: 99.5, max: 120 }]);
  });

  it('reads stock answers', () => {
    expect(parseStock('{"item_id":"1","available":true,"total_quantity":9,"warehouses":[{"warehouse_id":"a","quantity":4}]}')).toEqual({ available: true, quantity: 9 });
    expect(parseStock('{"item_id":"1","available":true,"quantity":4}')).toEqual({ available: true, quantity: 4 });
    expect(parseStock('{"item_id":"1","stock":0}')).toEqual({ available: false, quantity: 0 });
  });
});
