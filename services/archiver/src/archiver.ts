// The archive role: its own consumer group on the event stream (at-least-once, a dead
// replica's entries XAUTOCLAIMed, the same loop as the tracer's), writing every event to
// PostgreSQL in one transaction per batch; plus the retention job. Scales by replicas: the
// group spreads entries over them, and event-id keys make any overlap harmless.
import { hostname } from 'node:os';
import { ToolRegistry } from '@steward/tools';
import { commerceTools } from '@steward/commerce';
import { createKeys, createRedis } from '@steward/store';
import type { Logger } from '@steward/telemetry';
import { startConsumerLoop, type ConsumerLoop } from '@steward/tracer';
import {
  ARCHIVE_DEFAULTS,
  archiveBatch,
  createDb,
  migrate,
  parseRetention,
  textPolicy,
  type ArchiveBatchResult,
  type Db,
  type PiiPolicy,
} from '@steward/archive';
import { startRetention, type RetentionRunner } from './retention-job.ts';

export interface ArchiverOptions {
  redisUrl: string;
  prefix: string;
  databaseUrl: string;
  schema?: string;
  pii?: PiiPolicy;
  hotTtlSec?: number;
  retention?: string;
  retentionEveryMs?: number;
  batchSize?: number;
  claimIdleMs?: number;
  blockMs?: number;
  consumerName?: string;
  /** Which tools write (their calls form the audit trail); default: the commerce pack's. */
  isWrite?: (tool: string) => boolean;
  log: Logger;
}

export interface ArchiverStats {
  batches: number;
  archived: number;
  duplicates: number;
  invalid: number;
  retentionRemoved: Record<string, number>;
}

export interface Archiver {
  db: Db;
  stats(): ArchiverStats;
  close(): Promise<void>;
  /** Simulate a crash: stop at once without acking or finishing anything (tests). */
  kill(): Promise<void>;
}

function commerceWrites(): (tool: string) => boolean {
  const registry = new ToolRegistry(commerceTools);
  return (tool) => {
    const spec = registry.get(tool);
    return spec !== undefined && !spec.readOnly;
  };
}

export async function startArchiver(o: ArchiverOptions): Promise<Archiver> {
  const schema = o.schema ?? ARCHIVE_DEFAULTS.schema;
  const policy = parseRetention(o.retention ?? ARCHIVE_DEFAULTS.retention);
  await migrate({ databaseUrl: o.databaseUrl, schema, log: o.log });
  const db = createDb(o.databaseUrl, schema);
  const keys = createKeys(o.prefix);
  const stats: Omit<ArchiverStats, 'retentionRemoved'> = { batches: 0, archived: 0, duplicates: 0, invalid: 0 };
  const ctx = {
    db,
    keys,
    group: ARCHIVE_DEFAULTS.consumerGroup,
    policy: textPolicy(o.pii ?? 'redact'),
    isWrite: o.isWrite ?? commerceWrites(),
    hotTtlSec: o.hotTtlSec ?? ARCHIVE_DEFAULTS.hotTtlSec,
    log: o.log,
  };
  // BullMQ's own connection for the retention queue and worker (it blocks; not shared with the loop).
  const bullRedis = createRedis(o.redisUrl);
  bullRedis.on('error', (e: Error) => o.log.warn({ err: e.message }, 'redis connection error'));
  let loop: ConsumerLoop | undefined;
  let retention: RetentionRunner | undefined;
  try {
    loop = await startConsumerLoop({
      redisUrl: o.redisUrl,
      stream: keys.events,
      group: ARCHIVE_DEFAULTS.consumerGroup,
      consumerName: o.consumerName ?? `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
      batchSize: o.batchSize ?? ARCHIVE_DEFAULTS.batchSize,
      claimIdleMs: o.claimIdleMs ?? ARCHIVE_DEFAULTS.claimIdleMs,
      blockMs: o.blockMs ?? 2_000,
      log: o.log,
      handle: async (entries, redis) => {
        const r: ArchiveBatchResult = await archiveBatch(entries, redis, ctx);
        stats.batches++;
        stats.archived += r.archived;
        stats.duplicates += r.duplicates;
        stats.invalid += r.invalid;
      },
    });
    retention = await startRetention({
      connection: bullRedis,
      prefix: o.prefix,
      db,
      policy,
      everyMs: o.retentionEveryMs ?? ARCHIVE_DEFAULTS.retentionEveryMs,
      log: o.log,
    });
  } catch (e) {
    await loop?.close();
    await db.end();
    bullRedis.disconnect();
    throw e;
  }
  o.log.info({ schema, pii: o.pii ?? 'redact', hotTtlSec: ctx.hotTtlSec }, 'archiver started');
  const l = loop;
  const ret = retention;
  return {
    db,
    stats: () => ({ ...stats, retentionRemoved: ret.removed() }),
    async close() {
      await l.close();
      await ret.close();
      await db.end();
      await bullRedis.quit().catch(() => bullRedis.disconnect());
    },
    async kill() {
      l.kill();
      await ret.close();
      bullRedis.disconnect();
      await db.end();
    },
  };
}
