import { describe, expect, it } from 'vitest';
import { cancelReason, detectIntent, findEmail, findNameZip, isAffirmative, isNegative, itemIds, orderIds, priceRange, searchKeywords } from './intents.ts';

describe('intents', () => {
  it.each([
    ['Can I talk to a human?', 'human'],
    ['转人工', 'human'],
    ['Please cancel order #W1234567', 'cancel'],
    ['我想取消订单', 'cancel'],
    ['I want to exchange my bottle for a red one', 'exchange'],
    ['我要换货', 'exchange'],
    ['I need a refund for #W1234567', 'return'],
    ['我要退货', 'return'],
    ['Where is my order?', 'status'],
    ['我的快递到哪了', 'status'],
    ['Is item 1240311797 in stock?', 'stock'],
    ['这个有货吗', 'stock'],
    ['How much is the electric kettle?', 'product'],
    ['推荐一款耳机', 'product'],
    ['查一下订单', 'status'],
    ['hello there', 'none'],
  ])('%s → %s', (text, intent) => {
    expect(detectIntent(text)).toBe(intent);
  });

  it('finds ids, emails and name + zip without mixing them up', () => {
    const t = 'Order #W2611340, item 6469567736, I am James Li, zip 10083, james.li@example.com';
    expect(orderIds(t)).toEqual(['#W2611340']);
    expect(itemIds(t)).toEqual(['6469567736']);
    expect(findEmail(t)).toBe('james.li@example.com');
    expect(findNameZip(t)).toEqual({ first_name: 'James', last_name: 'Li', zip: '10083' });
    expect(findNameZip('我叫 James Li，邮编 10083')).toEqual({ first_name: 'James', last_name: 'Li', zip: '10083' });
    expect(findNameZip('order #W2611340')).toBeUndefined();
  });

  it('tells yes from no in both languages', () => {
    for (const y of ['yes', 'Yes please', 'ok', 'confirm', '是', '是的', '确认', '好的']) expect(isAffirmative(y)).toBe(true);
    for (const q of ['是什么意思', '可以吗']) expect(isAffirmative(q)).toBe(false);
    for (const n of ['no', "don't", '否', '不要', '不是']) {
      expect(isAffirmative(n)).toBe(false);
      expect(isNegative(n)).toBe(true);
    }
  });

  it('reads price limits and key words', () => {
    expect(priceRange('headphones under $200')).toEqual({ max_price: 200 });
    expect(priceRange('between 50 and 80 dollars')).toEqual({ min_price: 50, max_price: 80 });
    expect(priceRange('200元以下的耳机')).toEqual({ max_price: 200 });
    expect(priceRange('不超过300的台灯')).toEqual({ max_price: 300 });
    expect(searchKeywords('Do you have any headphones under $200?')).toBe('headphones');
    expect(searchKeywords('你们有没有水瓶？多少钱')).toBe('水瓶');
    expect(searchKeywords('Tell me about the electric kettle')).toBe('electric kettle');
  });

  it('picks the cancel reason from the words used', () => {
    expect(cancelReason('I ordered it by mistake')).toBe('ordered by mistake');
    expect(cancelReason('下错单了')).toBe('ordered by mistake');
    expect(cancelReason('I do not need it anymore')).toBe('no longer needed');
  });
});
