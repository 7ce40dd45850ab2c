// Writes the shop applied, read from its SQLite file: every write is stored with its
// idempotency key in the same transaction as the change, so the idempotency table is the
// ledger of applied writes. A write that reached the shop twice under two keys shows up as two
// successful writes to the same order (each conversation of the load owns its order).
import { DatabaseSync } from 'node:sqlite';

export interface WriteLedger {
  /** Successful writes (result not an error) per order id. */
  perOrder: Map<string, number>;
  /** Rows in the ledger (successful or not). */
  total: number;
  /** Writes beyond the first per order: must be 0. */
  duplicates: number;
}

export function readWriteLedger(dbPath: string): WriteLedger {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  db.exec('PRAGMA busy_timeout = 5000');
  try {
    const perOrder = new Map<string, number>();
    let total = 0;
    for (const row of db.prepare('SELECT key, tool, response FROM idempotency').iterate()) {
      total++;
      const response = JSON.parse(String(row.response)) as { result?: string; touched?: string[] };
      const result = response.result ?? '';
      if (result.startsWith('Error')) continue;
      let orderId: string | undefined;
      try {
        orderId = (JSON.parse(result) as { order_id?: string }).order_id;
      } catch {
        orderId = undefined;
      }
      const id = orderId ?? `key:${String(row.key)}`;
      perOrder.set(id, (perOrder.get(id) ?? 0) + 1);
    }
    let duplicates = 0;
    for (const n of perOrder.values()) duplicates += Math.max(0, n - 1);
    return { perOrder, total, duplicates };
  } finally {
    db.close();
  }
}
