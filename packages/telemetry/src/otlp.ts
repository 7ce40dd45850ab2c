// @steward/telemetry/otlp: span export over OTLP, for the tracer and the in-process system.
// A separate entry because its exporters load gRPC, protobuf and the OpenTelemetry SDK, which
// every other role would otherwise carry resident without ever sending a span.
export {
  OtlpProtocol,
  TraceExportConfig,
  createSpanExporter,
  createTelemetryResource,
  exportSpans,
  parseKeyValueList,
  traceExportConfigFromEnv,
  type ReadableSpan,
  type Resource,
  type SpanExporter,
} from './span-exporter.ts';
