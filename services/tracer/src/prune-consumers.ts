// Every restart under a fresh consumer name leaves a consumer behind in the group. Those that
// hold nothing and have been silent for long are removed; one that still holds entries is
// left for XAUTOCLAIM (deleting it would drop its pending entries). A live consumer removed by
// mistake costs nothing: its next XREADGROUP creates it again.
import type { Redis } from 'ioredis';

export const PRUNE_IDLE_MS = 60 * 60_000;
export const PRUNE_EVERY_MS = 5 * 60_000;

interface ConsumerInfo {
  name: string;
  pending: number;
  idle: number;
}

/** XINFO CONSUMERS entries arrive as flat `[k, v, k, v…]` arrays (RESP2/RESP3 via call) or objects. */
function parseConsumers(reply: unknown): ConsumerInfo[] {
  if (!Array.isArray(reply)) return [];
  const out: ConsumerInfo[] = [];
  for (const item of reply) {
    const rec: Record<string, unknown> = {};
    if (Array.isArray(item)) {
      for (let i = 0; i + 1 < item.length; i += 2) rec[String(item[i])] = item[i + 1];
    } else if (item && typeof item === 'object') {
      Object.assign(rec, item);
    }
    if (typeof rec.name === 'string') out.push({ name: rec.name, pending: Number(rec.pending ?? 0), idle: Number(rec.idle ?? 0) });
  }
  return out;
}

/** Remove idle, empty consumers other than `self`; returns their names. */
export async function pruneIdleConsumers(
  redis: Redis,
  stream: string,
  group: string,
  self: string,
  idleMs = PRUNE_IDLE_MS,
): Promise<string[]> {
  const consumers = parseConsumers(await redis.call('XINFO', 'CONSUMERS', stream, group));
  const removed: string[] = [];
  for (const c of consumers) {
    if (c.name === self || c.pending > 0 || !(c.idle >= idleMs)) continue;
    await redis.call('XGROUP', 'DELCONSUMER', stream, group, c.name);
    removed.push(c.name);
  }
  return removed;
}
