// The tracer: two consumers of the event stream — spans exported over OTLP (group `tracer`) and
// fleet-wide metrics (group `tracer-metrics`). Any number of replicas can run; entries of a
// replica that died are reclaimed with XAUTOCLAIM once idle for `claimIdleMs`.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { DEFAULTS } from '@steward/core';
import { createKeys } from '@steward/store';
import { captureContentFromEnv, createLogger, type Logger } from '@steward/telemetry';
import { createSpanExporter, createTelemetryResource, traceExportConfigFromEnv, type Resource, type SpanExporter } from '@steward/telemetry/otlp';
import { startConsumerLoop } from './consumer-loop.ts';
import { exportSpanBatch, recordMetricsBatch, METRICS_GROUP, TRACER_GROUP, type SpanBatchContext } from './process-batch.ts';

export const TRACER_DEFAULTS = {
  // Overridable by TRACER_BATCH_SIZE / TRACER_CLAIM_IDLE_MS: the values live in core's DEFAULTS.
  batchSize: DEFAULTS.tracer.batchSize,
  /** A consumer silent this long is presumed dead and its pending entries are taken over. */
  claimIdleMs: DEFAULTS.tracer.claimIdleMs,
  /** Short enough that SIGTERM is served quickly even without new events. */
  blockMs: 2_000,
  /**
   * The metrics group reads at most this often unless a batch comes back full: a batch costs one
   * XREADGROUP, one script call with one HINCRBYFLOAT per distinct series, and one XACK, so fewer,
   * larger batches cut Redis work and the tracer's own per-batch work per query. Prometheus then
   * sees an event up to this much later; it scrapes every 15–60 s (ADR 0030). The batch stays
   * the span group's (`batchSize`): five times that measured more of the tracer's CPU per event.
   */
  metricsBatchIntervalMs: 1_000,
  /**
   * The span group likewise (it read each query's events as they came, about one batch per query:
   * a read, the seen-key MGET, the event lists, an OTLP request and the MULTI per batch). Spans
   * reach the collector up to this much later (ADR 0030).
   */
  spanBatchIntervalMs: 250,
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
  spanBatches: number;
  /** Stream entries acked by the span consumer. */
  acked: number;
  exportedSpans: number;
  droppedSpans: number;
  skippedSeen: number;
  /** Span batches that failed (left pending, retried). */
  failedBatches: number;
  metricBatches: number;
  countedEvents: number;
}

export interface Tracer {
  readonly consumerName: string;
  /** Stop reading, finish the batches in hand, close connections (and the exporter if it is ours). */
  close(): Promise<void>;
  /** Drop everything at once without acking: what a crash does. For fault tests. */
  kill(): void;
  stats(): TracerStats;
}

export async function startTracer(opts: TracerOptions): Promise<Tracer> {
  const keys = createKeys(opts.prefix ?? DEFAULTS.redisPrefix);
  const log = opts.logger ?? createLogger({ service: 'tracer' });
  const consumerName = opts.consumerName ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const envConfig = opts.exporter && opts.resource ? undefined : traceExportConfigFromEnv();
  const ownsExporter = !opts.exporter;
  const exporter = opts.exporter ?? createSpanExporter(envConfig!);
  const resource = opts.resource ?? createTelemetryResource(envConfig!);
  const ctx: SpanBatchContext = {
    keys,
    exporter,
    spanOptions: { resource, captureContent: opts.captureContent ?? captureContentFromEnv() },
    log,
  };
  const stats: TracerStats = {
    spanBatches: 0,
    acked: 0,
    exportedSpans: 0,
    droppedSpans: 0,
    skippedSeen: 0,
    failedBatches: 0,
    metricBatches: 0,
    countedEvents: 0,
  };
  const common = {
    redisUrl: opts.redisUrl,
    stream: keys.events,
    consumerName,
    batchSize: opts.batchSize ?? TRACER_DEFAULTS.batchSize,
    claimIdleMs: opts.claimIdleMs ?? TRACER_DEFAULTS.claimIdleMs,
    blockMs: opts.blockMs ?? TRACER_DEFAULTS.blockMs,
    log,
  };

  const metrics = await startConsumerLoop({
    ...common,
    group: METRICS_GROUP,
    minBatchIntervalMs: TRACER_DEFAULTS.metricsBatchIntervalMs,
    handle: async (entries, redis) => {
      stats.countedEvents += await recordMetricsBatch(entries, redis, keys, log);
      stats.metricBatches++;
    },
  });
  const spans = await startConsumerLoop({
    ...common,
    group: TRACER_GROUP,
    minBatchIntervalMs: TRACER_DEFAULTS.spanBatchIntervalMs,
    handle: async (entries, redis) => {
      const r = await exportSpanBatch(entries, redis, ctx);
      stats.spanBatches++;
      stats.acked += r.acked;
      stats.exportedSpans += r.exportedSpans;
      stats.droppedSpans += r.droppedSpans;
      stats.skippedSeen += r.skippedSeen;
    },
  });
  log.info({ consumer: consumerName, stream: keys.events, batchSize: common.batchSize, claimIdleMs: common.claimIdleMs }, 'tracer started');

  return {
    consumerName,
    stats: () => ({ ...stats, failedBatches: spans.failures() }),
    async close() {
      await Promise.all([spans.close(), metrics.close()]);
      if (ownsExporter) await exporter.shutdown().catch(() => undefined);
      log.info({ consumer: consumerName, ...stats, failedBatches: spans.failures() }, 'tracer stopped');
    },
    kill() {
      spans.kill();
      metrics.kill();
    },
  };
}
