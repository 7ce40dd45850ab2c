import type { Redis } from 'ioredis';
import type { Keys } from '@steward/store';
import { emitEvent } from '@steward/store';
import { CHANNEL_LIMITS } from '../constants.ts';
import { channelLabel } from '@steward/telemetry';
import { channelKeys } from '../keys.ts';

export interface DeadDelivery {
  queryId: string;
  conversationId: string;
  channel: string;
  code: string;
  error: string;
  attempts: number;
  ts: number;
}

/** Whether the platform already accepted this query's answer (checked before every attempt). */
export async function alreadyDelivered(redis: Redis, keys: Keys, queryId: string): Promise<boolean> {
  return (await redis.exists(channelKeys(keys.prefix).delivered(queryId))) === 1;
}

/**
 * Written only after the platform accepted the message. SET NX: of two racing attempts (a
 * stalled job picked up again) only the first is counted and reported.
 */
export async function markDelivered(
  redis: Redis,
  keys: Keys,
  d: { queryId: string; conversationId: string; channel: string; traceId?: string; attempt: number; platformMessageId?: string },
): Promise<boolean> {
  const ck = channelKeys(keys.prefix);
  const now = Date.now();
  const first = await redis.set(
    ck.delivered(d.queryId),
    JSON.stringify({ ts: now, channel: d.channel, platformMessageId: d.platformMessageId ?? null }),
    'EX',
    CHANNEL_LIMITS.deliveredMarkerTtlSec,
    'NX',
  );
  if (first !== 'OK') return false;
  await redis.hincrby(ck.deliveryStats, `sent:${d.channel}`, 1);
  await emitEvent(redis, keys, {
    id: `${d.queryId}:delivery.sent`,
    type: 'delivery.sent',
    queryId: d.queryId,
    conversationId: d.conversationId,
    ...(d.traceId ? { traceId: d.traceId } : {}),
    ts: now,
    data: { channel: d.channel, attempt: d.attempt, ...(d.platformMessageId ? { platformMessageId: d.platformMessageId } : {}) },
  });
  return true;
}

/**
 * The dead letter's list entry (the list bounded) and its counter, atomically. A script (EVALSHA),
 * not MULTI: an ioredis MULTI copies every script BullMQ defined on the connection (issue 17).
 * KEYS: list, stats hash · ARGV: entry JSON, list max length, counter field
 */
const DEAD_LETTER = `
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
`;

/** The dead-letter state: one list entry, one counter increment and one `delivery.dead` event per query. */
export async function markDead(redis: Redis, keys: Keys, d: DeadDelivery & { traceId?: string }): Promise<boolean> {
  const ck = channelKeys(keys.prefix);
  const first = await redis.set(ck.dead(d.queryId), '1', 'EX', CHANNEL_LIMITS.deliveredMarkerTtlSec, 'NX');
  if (first !== 'OK') return false;
  const entry: DeadDelivery = {
    queryId: d.queryId,
    conversationId: d.conversationId,
    channel: d.channel,
    code: d.code,
    error: d.error,
    attempts: d.attempts,
    ts: d.ts,
  };
  await redis.eval(DEAD_LETTER, 2, ck.deadList, ck.deliveryStats, JSON.stringify(entry), CHANNEL_LIMITS.deadListMax, `dead:${d.channel}`);
  await emitEvent(redis, keys, {
    id: `${d.queryId}:delivery.dead`,
    type: 'delivery.dead',
    queryId: d.queryId,
    conversationId: d.conversationId,
    ...(d.traceId ? { traceId: d.traceId } : {}),
    ts: d.ts,
    data: { channel: d.channel, code: d.code, error: d.error, attempts: d.attempts },
  });
  return true;
}

export async function listDeadDeliveries(redis: Redis, prefix: string, limit = 100): Promise<DeadDelivery[]> {
  const raw = await redis.lrange(channelKeys(prefix).deadList, 0, Math.max(0, limit - 1));
  return raw.map((r) => JSON.parse(r) as DeadDelivery);
}

export interface DeliveryStats {
  sent: Record<string, number>;
  dead: Record<string, number>;
  deadListed: number;
}

export async function deliveryStats(redis: Redis, prefix: string): Promise<DeliveryStats> {
  const ck = channelKeys(prefix);
  const [h, n] = await Promise.all([redis.hgetall(ck.deliveryStats), redis.llen(ck.deadList)]);
  const out: DeliveryStats = { sent: {}, dead: {}, deadListed: n };
  for (const [k, v] of Object.entries(h)) {
    const [kind, channel] = [k.slice(0, k.indexOf(':')), k.slice(k.indexOf(':') + 1)];
    if (kind === 'sent' || kind === 'dead') out[kind][channel] = Number(v);
  }
  return out;
}

/** Generic webhook channels (configured names) beyond the built-in ones that get their own series. */
const MAX_OTHER_CHANNELS = 16;

/**
 * The channel of a delivery can be named by an API caller, so label values are bounded: built-in
 * channels always, then the busiest other names (configured webhooks in practice), the rest
 * summed as "other".
 */
function boundedChannels(byChannel: Record<string, number>): [string, number][] {
  const out: [string, number][] = [];
  const others = Object.entries(byChannel)
    .filter(([c]) => channelLabel(c) === 'other' || channelLabel(c) === 'unknown')
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  for (const [c, n] of Object.entries(byChannel)) if (channelLabel(c) === c) out.push([c, n]);
  out.push(...others.slice(0, MAX_OTHER_CHANNELS));
  const rest = others.slice(MAX_OTHER_CHANNELS).reduce((sum, [, n]) => sum + n, 0);
  if (rest > 0) out.push(['other', rest]);
  return out;
}

/** Prometheus text for `/metrics`: per-channel delivery counters and the dead-letter backlog. */
export function renderDeliveryMetrics(s: DeliveryStats): string {
  const lines = ['# HELP steward_channel_deliveries_total Answers pushed to messaging channels, by channel and result.', '# TYPE steward_channel_deliveries_total counter'];
  for (const [kind, byChannel] of [['sent', s.sent], ['dead', s.dead]] as const) {
    for (const [channel, n] of boundedChannels(byChannel)) {
      lines.push(`steward_channel_deliveries_total{channel="${channel.replace(/["\\\n]/g, '_')}",result="${kind}"} ${n}`);
    }
  }
  lines.push('# HELP steward_channel_dead_deliveries Dead deliveries kept for inspection.', '# TYPE steward_channel_dead_deliveries gauge');
  lines.push(`steward_channel_dead_deliveries ${s.deadListed}`);
  return `${lines.join('\n')}\n`;
}
