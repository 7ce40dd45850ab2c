// The tracer: reads the event stream with the consumer group `tracer`, records metrics, exports
// spans over OTLP, and acks only what the collector accepted. Any number of replicas can run;
// entries of a replica that died are reclaimed with XAUTOCLAIM once idle for `claimIdleMs`.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { DEFAULTS, errorMessage } from '@steward/core';
import { createKeys, createRedis } from '@steward/store';
import {
  captureContentFromEnv,
  createLogger,
  createSpanExporter,
  createTelemetryResource,
  traceExportConfigFromEnv,
  type Logger,
  type Resource,
  type SpanExporter,
} from '@steward/telemetry';
import { processBatch, TRACER_GROUP, type BatchContext } from './process-batch.ts';
import { parseAutoclaimReply, parseReadReply, type StreamEntry } from './stream-entries.ts';

export const TRACER_DEFAULTS = {
  batchSize: 100,
  /** A consumer silent this long is presumed dead and its pending entries are taken over. */
  claimIdleMs: 30_000,
  /** Short enough that SIGTERM is served quickly even without new events. */
  blockMs: 2_000,
  maxBackoffMs: 5_000,
} as const;

export interface TracerOptions {
  redisUrl: string;
  prefix?: string;
  /** Default: chosen from the standard OTEL_* environment (see @steward/telemetry). */
  exporter?: SpanExporter;
  resource?: Resource;
  logger?: Logger;
  consumerName?: string;
  batchSize?: number;
  claimIdleMs?: number;
  blockMs?: number;
  /** Record message contents (redacted); default from OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT. */
  captureContent?: boolean;
}

export interface TracerStats {
  batches: number;
  acked: number;
  exportedSpans: number;
  skippedSeen: number;
  failedBatches: number;
}

export interface Tracer {
  readonly consumerName: string;
  /** Stop reading, finish the batch in hand, close connections (and the exporter if it is ours). */
  close(): Promise<void>;
  /** Drop everything at once without acking: what a crash does. For fault tests. */
  kill(): void;
  stats(): TracerStats;
}

export async function startTracer(opts: TracerOptions): Promise<Tracer> {
  const keys = createKeys(opts.prefix ?? DEFAULTS.redisPrefix);
  const log = opts.logger ?? createLogger({ service: 'tracer' });
  const consumerName = opts.consumerName ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const batchSize = opts.batchSize ?? TRACER_DEFAULTS.batchSize;
  const claimIdleMs = opts.claimIdleMs ?? TRACER_DEFAULTS.claimIdleMs;
  const blockMs = opts.blockMs ?? TRACER_DEFAULTS.blockMs;
  const envConfig = opts.exporter && opts.resource ? undefined : traceExportConfigFromEnv();
  const ownsExporter = !opts.exporter;
  const exporter = opts.exporter ?? createSpanExporter(envConfig!);
  const resource = opts.resource ?? createTelemetryResource(envConfig!);

  const redis = createRedis(opts.redisUrl, { connectionName: `steward-tracer:${consumerName}` });
  redis.on('error', (e: Error) => log.warn({ err: e.message }, 'redis connection error'));
  const ctx: BatchContext = {
    redis,
    keys,
    group: TRACER_GROUP,
    exporter,
    spanOptions: { resource, captureContent: opts.captureContent ?? captureContentFromEnv() },
    log,
  };
  const stats: TracerStats = { batches: 0, acked: 0, exportedSpans: 0, skippedSeen: 0, failedBatches: 0 };

  await ensureGroup(redis, keys.events);

  let running = true;
  let killed = false;
  let reading = false;
  let wake: (() => void) | undefined;
  const sleep = (ms: number): Promise<void> =>
    new Promise((r) => {
      const t = setTimeout(r, ms);
      wake = () => {
        clearTimeout(t);
        r();
      };
    });

  async function readOwnPending(): Promise<StreamEntry[]> {
    const reply = await redis.call('XREADGROUP', 'GROUP', TRACER_GROUP, consumerName, 'COUNT', batchSize, 'STREAMS', keys.events, '0');
    return parseReadReply(reply);
  }
  let claimCursor = '0-0';
  let lastClaimAt = 0;
  async function claimAbandoned(): Promise<StreamEntry[]> {
    const reply = await redis.call('XAUTOCLAIM', keys.events, TRACER_GROUP, consumerName, claimIdleMs, claimCursor, 'COUNT', batchSize);
    const r = parseAutoclaimReply(reply);
    claimCursor = r.cursor;
    // Scan the whole pending list before pausing, then look again after a while.
    if (r.cursor === '0-0') lastClaimAt = Date.now();
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
      const reply = await redis.call('XREADGROUP', 'GROUP', TRACER_GROUP, consumerName, 'COUNT', batchSize, 'BLOCK', blockMs, 'STREAMS', keys.events, '>');
      return parseReadReply(reply);
    } finally {
      reading = false;
    }
  }

  async function loop(): Promise<void> {
    // Our own pending entries first: a restart under the same name resumes where it stopped.
    let retryOwn = true;
    let backoffMs = 0;
    while (running) {
      try {
        let entries: StreamEntry[] = [];
        if (retryOwn) {
          entries = await readOwnPending();
          if (entries.length === 0) retryOwn = false;
        }
        if (entries.length === 0 && Date.now() - lastClaimAt >= claimIdleMs / 2) entries = await claimAbandoned();
        if (entries.length === 0) entries = await readNew();
        if (killed) return;
        if (entries.length === 0) continue;
        const r = await processBatch(entries, ctx);
        stats.batches++;
        stats.acked += r.acked;
        stats.exportedSpans += r.exportedSpans;
        stats.skippedSeen += r.skippedSeen;
        backoffMs = 0;
      } catch (e) {
        if (killed || !running) return;
        const msg = errorMessage(e);
        if (msg.includes('NOGROUP')) {
          // Redis came back without the stream or the group (no persistence): start again.
          await ensureGroup(redis, keys.events).catch(() => undefined);
        } else {
          stats.failedBatches++;
        }
        // What we hold stays pending for us: read it again after a pause.
        retryOwn = true;
        backoffMs = Math.min(Math.max(100, backoffMs * 2), TRACER_DEFAULTS.maxBackoffMs);
        log.warn({ err: msg, backoffMs }, 'tracer batch failed; will retry');
        await sleep(backoffMs);
      }
    }
  }

  const done = loop();
  log.info({ consumer: consumerName, stream: keys.events, batchSize, claimIdleMs }, 'tracer started');

  return {
    consumerName,
    stats: () => ({ ...stats }),
    async close() {
      if (!running) return done;
      running = false;
      wake?.();
      // A blocked read holds no batch: cut it short. Entries it may have been handed stay
      // pending and are reclaimed, so nothing is lost.
      if (reading) redis.disconnect();
      await done;
      if (redis.status !== 'end') await redis.quit().catch(() => redis.disconnect());
      if (ownsExporter) await exporter.shutdown().catch(() => undefined);
      log.info({ consumer: consumerName, ...stats }, 'tracer stopped');
    },
    kill() {
      killed = true;
      running = false;
      wake?.();
      redis.disconnect();
    },
  };
}

/** Create the group at the start of the stream (`0`, not `$`): events written before the first start are traced too. */
export async function ensureGroup(redis: ReturnType<typeof createRedis>, stream: string): Promise<void> {
  try {
    await redis.call('XGROUP', 'CREATE', stream, TRACER_GROUP, '0', 'MKSTREAM');
  } catch (e) {
    if (!errorMessage(e).includes('BUSYGROUP')) throw e;
  }
}
