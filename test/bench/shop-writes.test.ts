import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ShopEngine, writeFixtureDir, invokeTool } from '@steward/commerce';
import { readWriteLedger } from './shop-writes.ts';

const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readWriteLedger', () => {
  it('counts applied writes per order: a replay is none, a refused second key is none, a second applied write is a duplicate', () => {
    const path = join(dir, 'shop.db');
    const engine = new ShopEngine({ path });
    engine.loadDir(writeFixtureDir());
    const pending = Object.values(engine.exportAll().orders).find((o) => (o as { status: string }).status === 'pending') as {
      order_id: string;
      user_id: string;
    };
    const cancel = { order_id: pending.order_id, reason: 'no longer needed' };
    const first = invokeTool(engine, 'cancel_pending_order', cancel, { customerId: pending.user_id, idempotencyKey: 'q1:t1:c0' });
    invokeTool(engine, 'cancel_pending_order', cancel, { customerId: pending.user_id, idempotencyKey: 'q1:t1:c0' });
    expect(readWriteLedger(path)).toMatchObject({ total: 1, duplicates: 0 });
    // Another key for the same change: the shop refuses it (no longer pending), stored as an error.
    invokeTool(engine, 'cancel_pending_order', cancel, { customerId: pending.user_id, idempotencyKey: 'q2:t1:c0' });
    let ledger = readWriteLedger(path);
    expect(ledger.total).toBe(2);
    expect(ledger.perOrder.get(pending.order_id)).toBe(1);
    expect(ledger.duplicates).toBe(0);
    // What the benchmark must catch: a second successful write to the same order.
    engine.db.prepare('INSERT INTO idempotency VALUES (?, ?, ?, ?)').run('q3:t1:c0', 'cancel_pending_order', JSON.stringify(first), Date.now());
    ledger = readWriteLedger(path);
    expect(ledger.perOrder.get(pending.order_id)).toBe(2);
    expect(ledger.duplicates).toBe(1);
    engine.close();
  });
});
