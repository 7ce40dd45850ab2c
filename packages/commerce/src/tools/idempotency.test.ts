// Exactly-once writes: the result is stored under the key in the write's own transaction.
import { describe, expect, it } from 'vitest';
import { createFixtureEngine } from '../testing/fixture.ts';
import { invokeTool } from './invoke.ts';

const ALICE = 'alice_smith_1001';
const cancel = { order_id: '#W1000001', reason: 'no longer needed' };

describe('idempotency keys', () => {
  it('the same write twice with one key has one effect and replays the first answer', () => {
    const engine = createFixtureEngine();
    const first = invokeTool(engine, 'cancel_pending_order', cancel, { customerId: ALICE, idempotencyKey: 'q1:t2:c0' });
    const again = invokeTool(engine, 'cancel_pending_order', cancel, { customerId: ALICE, idempotencyKey: 'q1:t2:c0' });
    expect(first.replayed).toBeUndefined();
    expect(again).toEqual({ ...first, replayed: true });
    const order = JSON.parse(invokeTool(engine, 'get_order_details', { order_id: '#W1000001' }, { customerId: ALICE }).result);
    expect(order.payment_history).toHaveLength(2);
    expect(invokeTool(engine, 'get_user_details', { user_id: ALICE }, { customerId: ALICE }).result).toContain('"balance": 150.99, ');
  });

  it('a new key runs the tool again (and here meets the changed state)', () => {
    const engine = createFixtureEngine();
    invokeTool(engine, 'cancel_pending_order', cancel, { customerId: ALICE, idempotencyKey: 'k1' });
    expect(invokeTool(engine, 'cancel_pending_order', cancel, { customerId: ALICE, idempotencyKey: 'k2' }).result).toBe('Error: non-pending order cannot be cancelled');
  });

  it('writes return touched tags; the replay returns them too', () => {
    const engine = createFixtureEngine();
    const addr = { address1: '9 New St', address2: '', city: 'Austin', state: 'TX', country: 'USA', zip: '78701' };
    const r = invokeTool(engine, 'modify_pending_order_address', { order_id: '#W1000004', ...addr }, { customerId: ALICE, idempotencyKey: 'a' });
    expect(r.touched).toEqual(['order:#W1000004']);
    expect(invokeTool(engine, 'modify_pending_order_address', { order_id: '#W1000004', ...addr }, { customerId: ALICE, idempotencyKey: 'a' }).touched).toEqual([
      'order:#W1000004',
    ]);
  });

  it('the key and the write are in one transaction: a rolled-back write stores no key', () => {
    const engine = createFixtureEngine();
    // Force a failure inside the transaction after the write: a trigger that aborts key inserts.
    engine.db.exec(`CREATE TEMP TRIGGER no_keys BEFORE INSERT ON idempotency BEGIN SELECT RAISE(ABORT, 'boom'); END;`);
    expect(() => invokeTool(engine, 'cancel_pending_order', cancel, { customerId: ALICE, idempotencyKey: 'k' })).toThrow(/boom/);
    engine.db.exec('DROP TRIGGER no_keys');
    expect(JSON.parse(invokeTool(engine, 'get_order_details', { order_id: '#W1000001' }, { customerId: ALICE }).result).status).toBe('pending');
    expect(invokeTool(engine, 'cancel_pending_order', cancel, { customerId: ALICE, idempotencyKey: 'k' }).replayed).toBeUndefined();
  });

  it('reset() undoes writes and forgets keys', () => {
    const engine = createFixtureEngine();
    const before = engine.exportAll();
    invokeTool(engine, 'cancel_pending_order', cancel, { customerId: ALICE, idempotencyKey: 'k' });
    engine.reset();
    expect(engine.exportAll()).toEqual(before);
    expect(invokeTool(engine, 'cancel_pending_order', cancel, { customerId: ALICE, idempotencyKey: 'k' }).replayed).toBeUndefined();
  });

  it('reads ignore keys', () => {
    const engine = createFixtureEngine();
    const r = invokeTool(engine, 'get_order_details', { order_id: '#W1000001' }, { customerId: ALICE, idempotencyKey: 'x' });
    expect(r.replayed).toBeUndefined();
    expect(engine.db.prepare('SELECT COUNT(*) AS n FROM idempotency').get()?.n).toBe(0);
  });
});

describe('idempotency store pruning', () => {
  it('forgets keys older than the given age only', () => {
    const engine = createFixtureEngine();
    invokeTool(engine, 'cancel_pending_order', cancel, { customerId: ALICE, idempotencyKey: 'old' });
    const later = Date.now() + 2 * 86_400_000;
    expect(engine.purgeIdempotencyKeys(86_400_000, later)).toBe(1);
    expect(engine.purgeIdempotencyKeys(86_400_000)).toBe(0);
  });
});
