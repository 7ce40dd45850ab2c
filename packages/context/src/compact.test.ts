import { describe, it, expect } from 'vitest';
import { compactToolResult } from './compact.ts';

const record = {
  order_id: '#W2378156',
  status: 'delivered',
  description: 'A long marketing blurb '.repeat(20),
  images: ['https://cdn.example/a.jpg'],
  note: '',
  gift: null,
  items: Array.from({ length: 12 }, (_, i) => ({ item_id: String(1000000000 + i), name: `Item ${i}`, price: 10 + i, options: {} })),
  comment: 'x'.repeat(400),
};

describe('compactToolResult', () => {
  it('minifies JSON and drops verbose and empty fields', () => {
    const out = compactToolResult(JSON.stringify(record, null, 2), 'recent');
    const v = JSON.parse(out);
    expect(out).not.toContain('\n');
    expect(v.order_id).toBe('#W2378156');
    expect(v).not.toHaveProperty('description');
    expect(v).not.toHaveProperty('images');
    expect(v).not.toHaveProperty('note');
    expect(v).not.toHaveProperty('gift');
    expect(v.items).toHaveLength(12);
    expect(v.items[0]).not.toHaveProperty('options');
    expect(v.comment).toHaveLength(400);
  });

  it('compacts older results harder, with visible markers', () => {
    const recent = compactToolResult(JSON.stringify(record), 'recent');
    const older = compactToolResult(JSON.stringify(record), 'older');
    expect(older.length).toBeLessThan(recent.length);
    const v = JSON.parse(older);
    expect(v.items).toHaveLength(9);
    expect(v.items[8]).toBe('…(+4 more)');
    expect(v.comment.endsWith('…')).toBe(true);
    expect(v.order_id).toBe('#W2378156');
  });

  it('collapses whitespace of text results and leaves broken JSON as text', () => {
    expect(compactToolResult('Error:   not   found\n\n\n\nretry', 'recent')).toBe('Error: not found\n\nretry');
    expect(compactToolResult('[warn] something\n  happened', 'older')).toBe('[warn] something happened');
  });
});
