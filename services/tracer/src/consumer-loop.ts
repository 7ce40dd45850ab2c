// One consumer of a Redis Stream consumer group, at-least-once: own pending entries first (a
// restart under the same name resumes), then entries abandoned by dead consumers (XAUTOCLAIM
// after `claimIdleMs`), then new ones (blocking read). The handler acks what it finished; if it
// throws, the batch stays pending and is read again after a back-off.
import { errorMessage } from '@steward/core';
import { createRedis } from '@steward/store';
import type { Logger } from '@steward/telemetry';
import type { Redis } from 'ioredis';
import { parseAutoclaimReply, parseReadReply, type StreamEntry } from './stream-entries.ts';
import { PRUNE_EVERY_MS, pruneIdleConsumers } from './prune-consumers.ts';

export const MAX_BACKOFF_MS = 5_000;
/** While failures persist (a collector that is down), repeat the warning at most this often. */
export const FAILURE_LOG_EVERY_MS = 60_000;

export interface ConsumerLoopOptions {
  redisUrl: string;
  stream: string;
  group: string;
  consumerName: string;
  batchSize: number;
  claimIdleMs: number;
  blockMs: number;
  log: Logger;
  /**
   * After a batch smaller than `batchSize`, wait until this long since that read began before
   * reading again, so entries arrive in fewer, larger batches (default 0: read again at once).
   */
  minBatchIntervalMs?: number;
  /** Process the batch and XACK it (with `redis`); throw to leave it pending. */
  handle: (entries: StreamEntry[], redis: Redis) => Promise<void>;
}

export interface ConsumerLoop {
  readonly redis: Redis;
  close(): Promise<void>;
  kill(): void;
  failures(): number;
}

export async function startConsumerLoop(o: ConsumerLoopOptions): Promise<ConsumerLoop> {
  const redis = createRedis(o.redisUrl, { connectionName: `steward-${o.group}:${o.consumerName}` });
  redis.on('error', (e: Error) => o.log.warn({ group: o.group, err: e.message }, 'redis connection error'));
  await ensureGroup(redis, o.stream, o.group);

  let running = true;
  let killed = false;
  let reading = false;
  let failures = 0;
  let wake: (() => void) | undefined;
  const sleep = (ms: number): Promise<void> =>
    new Promise((r) => {
      const t = setTimeout(r, ms);
      wake = () => {
        clearTimeout(t);
        r();
      };
    });

  const readOwnPending = async (): Promise<StreamEntry[]> =>
    parseReadReply(await redis.call('XREADGROUP', 'GROUP', o.group, o.consumerName, 'COUNT', o.batchSize, 'STREAMS', o.stream, '0'));

  let claimCursor = '0-0';
  let lastClaimScanAt = 0;
  let lastPruneAt = 0;
  async function claimAbandoned(): Promise<StreamEntry[]> {
    const reply = await redis.call('XAUTOCLAIM', o.stream, o.group, o.consumerName, o.claimIdleMs, claimCursor, 'COUNT', o.batchSize);
    const r = parseAutoclaimReply(reply);
    claimCursor = r.cursor;
    // Walk the whole pending list, then pause before the next scan.
    if (r.cursor === '0-0') {
      lastClaimScanAt = Date.now();
      if (lastClaimScanAt - lastPruneAt >= PRUNE_EVERY_MS) {
        lastPruneAt = lastClaimScanAt;
        const removed = await pruneIdleConsumers(redis, o.stream, o.group, o.consumerName);
        if (removed.length) o.log.info({ group: o.group, removed }, 'removed idle consumers that held nothing');
      }
    }
    return r.entries;
  }

  async function readNew(): Promise<StreamEntry[]> {
    reading = true;
    // close() may have run just before: it saw `reading` false and will not cut this read short.
    if (!running) {
      reading = false;
      return [];
    }
    try {
      const reply = await redis.call('XREADGROUP', 'GROUP', o.group, o.consumerName, 'COUNT', o.batchSize, 'BLOCK', o.blockMs, 'STREAMS', o.stream, '>');
      return parseReadReply(reply);
    } finally {
      reading = false;
    }
  }

  async function loop(): Promise<void> {
    let retryOwn = true;
    let backoffMs = 0;
    let streak = 0;
    let lastWarnAt = 0;
    while (running) {
      const startedAt = Date.now();
      try {
        let entries: StreamEntry[] = [];
        if (retryOwn) {
          entries = await readOwnPending();
          if (entries.length === 0) retryOwn = false;
        }
        if (entries.length === 0 && Date.now() - lastClaimScanAt >= o.claimIdleMs / 2) entries = await claimAbandoned();
        if (entries.length === 0) entries = await readNew();
        if (killed) return;
        if (entries.length === 0) continue;
        await o.handle(entries, redis);
        if (streak > 0) o.log.info({ group: o.group, failedAttempts: streak }, 'batch processing recovered');
        streak = 0;
        backoffMs = 0;
        const rest = (o.minBatchIntervalMs ?? 0) - (Date.now() - startedAt);
        if (rest > 0 && entries.length < o.batchSize && running) await sleep(rest);
      } catch (e) {
        if (killed || !running) return;
        const msg = errorMessage(e);
        if (msg.includes('NOGROUP')) {
          // Redis came back without the stream or the group (no persistence): start again.
          await ensureGroup(redis, o.stream, o.group).catch(() => undefined);
        } else {
          failures++;
        }
        retryOwn = true;
        backoffMs = Math.min(Math.max(100, backoffMs * 2), MAX_BACKOFF_MS);
        streak++;
        if (streak === 1 || Date.now() - lastWarnAt >= FAILURE_LOG_EVERY_MS) {
          lastWarnAt = Date.now();
          o.log.warn({ group: o.group, err: msg, failedAttempts: streak }, 'batch failed; it stays pending and is retried');
        }
        await sleep(backoffMs);
      }
    }
  }

  const done = loop();
  return {
    redis,
    failures: () => failures,
    async close() {
      if (running) {
        running = false;
        wake?.();
        // A blocked read holds no batch: cut it short. Entries it may have been handed stay
        // pending and are reclaimed, so nothing is lost.
        if (reading) redis.disconnect();
      }
      await done;
      if (redis.status !== 'end') await redis.quit().catch(() => redis.disconnect());
    },
    kill() {
      killed = true;
      running = false;
      wake?.();
      redis.disconnect();
    },
  };
}

/** Create the group at the start of the stream (`0`, not `$`): events written before the first start count too. */
export async function ensureGroup(redis: Redis, stream: string, group: string): Promise<void> {
  try {
    await redis.call('XGROUP', 'CREATE', stream, group, '0', 'MKSTREAM');
  } catch (e) {
    if (!errorMessage(e).includes('BUSYGROUP')) throw e;
  }
}
