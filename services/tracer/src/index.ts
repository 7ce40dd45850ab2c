export { startTracer, ensureGroup, TRACER_DEFAULTS, type Tracer, type TracerOptions, type TracerStats } from './tracer.ts';
export { processBatch, seenKey, SEEN_TTL_SEC, TRACER_GROUP, type BatchContext, type BatchResult } from './process-batch.ts';
export { parseAutoclaimReply, parseEntry, parseReadReply, type StreamEntry } from './stream-entries.ts';
export { TracerEnv, loadTracerConfig, type TracerConfig } from './config.ts';
