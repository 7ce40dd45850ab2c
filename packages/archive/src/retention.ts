// Retention per table: rows older than the policy are deleted in batches (short transactions,
// no long locks), and the count per table is returned for the metric.
import type { ARCHIVE_RETENTION_TABLES } from '@steward/core';
import type { Db } from './db.ts';

/**
 * Tables with their own retention and the column that dates a row. Typed by the configuration's
 * list, so ARCHIVE_RETENTION accepts exactly the tables deleted here.
 */
const DATED: Record<(typeof ARCHIVE_RETENTION_TABLES)[number], string> = {
  conversations: 'last_at',
  steps: 'at',
  events: 'at',
  writes: 'at',
  messages: 'at',
  queries: 'created_at',
};
export const RETENTION_TABLES: string[] = Object.keys(DATED);

export type RetentionPolicy = Record<string, number>;

const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 };

/** `conversations=400d,steps=90d` → ms per table; an unknown table or unit is an error at start-up. */
export function parseRetention(spec: string): RetentionPolicy {
  const out: RetentionPolicy = {};
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z_]+)\s*=\s*(\d+)\s*([dhms])$/.exec(part);
    if (!m) throw new Error(`ARCHIVE_RETENTION: cannot read "${part}" (expected table=<n>d|h|m|s)`);
    const [, table, n, unit] = m;
    if (!(table! in DATED)) throw new Error(`ARCHIVE_RETENTION: unknown table "${table}" (one of ${RETENTION_TABLES.join(', ')})`);
    out[table!] = Number(n) * UNIT_MS[unit!]!;
  }
  return out;
}

/**
 * Delete what is older than the policy. Conversations go last and take their remaining rows
 * with them (ON DELETE CASCADE). Returns rows removed per table (cascaded rows not counted).
 */
export async function applyRetention(db: Db, policy: RetentionPolicy, now = Date.now(), batchRows = 5_000): Promise<Record<string, number>> {
  const removed: Record<string, number> = {};
  const order = Object.keys(policy).sort((a, b) => (a === 'conversations' ? 1 : b === 'conversations' ? -1 : a.localeCompare(b)));
  for (const table of order) {
    const column = (DATED as Record<string, string>)[table]!;
    const cutoff = new Date(now - policy[table]!);
    let total = 0;
    for (;;) {
      const r = await db.query(
        `DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table} WHERE ${column} < $1 LIMIT ${batchRows})`,
        [cutoff],
      );
      total += r.rowCount ?? 0;
      if ((r.rowCount ?? 0) < batchRows) break;
    }
    removed[table] = total;
  }
  return removed;
}
