export { redactPii, redactDeep, isPiiKey, REDACTED, type RedactOptions } from './redact-pii.ts';
export {
  cleanNames,
  currentKnownNames,
  namesInEvents,
  namesInToolCall,
  redactKnownNames,
  rememberNames,
  runWithKnownNames,
} from './known-names.ts';
export { runWithLogContext, bindLogContext, currentLogContext } from './log-context.ts';
export { createLogger, redactsLogs, withBindings, type Logger, type LogLevel, type CreateLoggerOptions, type LogBindings } from './logger.ts';
export { OUTCOME_CLASSES, classifyOutcome, isSuccess, type OutcomeClass } from './outcome-class.ts';
export {
  AGENT_NAME,
  MAX_CAPTURED_CHARS,
  buildChildSpan,
  buildRootSpan,
  captureContentFromEnv,
  errorTypeOf,
  eventsToSpans,
  rootSpanIdOf,
  type SpanBuildOptions,
} from './build-spans.ts';
export { msToHrTime, normaliseSpanId, normaliseTraceId, toReadableSpan, type SpanDraft } from './readable-span.ts';
// The OTLP exporters (gRPC, protobuf, the OpenTelemetry SDK: ~20 MB resident and ~0.4 s of
// module loading) are in the `@steward/telemetry/otlp` entry: only span exporters load them.
// `export type` so that no role pulls them in through a type.
export type { ReadableSpan, Resource, SpanExporter } from './span-exporter.ts';
export { METRICS, QUEUE_STATES, type MetricDef, type MetricName, type MetricType } from './metric-defs.ts';
export { eventObservations, labelValue, type Observation } from './event-metrics.ts';
export { channelLabel, tokenLabel, KNOWN_CHANNELS } from './label-bounds.ts';
export { metricsCredential } from './metrics-credential.ts';
export { probeHandler, type ProbeHandlerOptions } from './probe-handler.ts';
export {
  metricsKey,
  metricsGuardKey,
  observationFields,
  parseMetricsHash,
  readMetricsSnapshot,
  recordEventMetrics,
  recordEventsMetrics,
  type CounterSample,
  type HistogramSample,
  type MetricsSnapshot,
} from './metrics-store.ts';
export { JOB_TIMING_FLUSH_MS, JobTimingBuffer } from './job-timing-buffer.ts';
export { OBSERVATION_FLUSH_MS, ObservationBuffer } from './observation-buffer.ts';
export { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from './prometheus-text.ts';
export { DebugStep, DebugTrace, buildDebugTrace } from './debug-trace.ts';
export { REPORT_MAX_FIELD_CHARS, renderDebugReport } from './debug-report.ts';
/** Fixture for tests of anything that consumes events: one realistic query, with personal data. */
export { PII as SAMPLE_PII, nameRevealingToolCall, sampleQuery, type SampleQuery } from './sample-events.ts';
