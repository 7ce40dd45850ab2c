export { startTracer, TRACER_DEFAULTS, type Tracer, type TracerOptions, type TracerStats } from './tracer.ts';
export { startConsumerLoop, ensureGroup, MAX_BACKOFF_MS, type ConsumerLoop, type ConsumerLoopOptions } from './consumer-loop.ts';
export {
  exportSpanBatch,
  recordMetricsBatch,
  seenKey,
  METRICS_GROUP,
  SEEN_TTL_SEC,
  TRACER_GROUP,
  type SpanBatchContext,
  type SpanBatchResult,
} from './process-batch.ts';
export { parseAutoclaimReply, parseEntry, parseReadReply, type StreamEntry } from './stream-entries.ts';
export { pruneIdleConsumers, PRUNE_EVERY_MS, PRUNE_IDLE_MS } from './prune-consumers.ts';
export { startTracerHttp, type TracerHttp, type TracerHttpOptions } from './http.ts';
