// OTLP exporter chosen from the standard OpenTelemetry environment variables, and a promise
// around `export(spans, cb)` that fails loudly so the tracer can leave events un-acked and retry.
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { StewardError, TransientError, errorMessage } from '@steward/core';
import { z } from 'zod';

export type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
export type { Resource } from '@opentelemetry/resources';

export const OtlpProtocol = z.enum(['http/protobuf', 'http/json', 'grpc']);
export type OtlpProtocol = z.infer<typeof OtlpProtocol>;

export const TraceExportConfig = z.object({
  /** `none` (OTEL_TRACES_EXPORTER=none) keeps the tracer running for metrics without a collector. */
  exporter: z.enum(['otlp', 'none']),
  protocol: OtlpProtocol,
  url: z.string(),
  headers: z.record(z.string(), z.string()),
  timeoutMs: z.number().int().positive(),
  serviceName: z.string().min(1),
  resourceAttributes: z.record(z.string(), z.string()),
});
export type TraceExportConfig = z.infer<typeof TraceExportConfig>;

const DEFAULT_HTTP_ENDPOINT = 'http://localhost:4318';
const DEFAULT_GRPC_ENDPOINT = 'http://localhost:4317';

/** `k1=v1,k2=v2` with URL-encoded values (OTEL_EXPORTER_OTLP_HEADERS, OTEL_RESOURCE_ATTRIBUTES). */
export function parseKeyValueList(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (raw ?? '').split(',')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const key = part.slice(0, i).trim();
    const value = part.slice(i + 1).trim();
    try {
      out[key] = decodeURIComponent(value);
    } catch {
      out[key] = value;
    }
  }
  return out;
}

/** Read the standard OTel env; signal-specific (`…_TRACES_…`) settings win over general ones. */
export function traceExportConfigFromEnv(env: NodeJS.ProcessEnv = process.env): TraceExportConfig {
  const rawProtocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf').trim();
  const protocol = OtlpProtocol.safeParse(rawProtocol);
  if (!protocol.success) {
    throw new Error(`OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL must be http/protobuf, http/json or grpc, got "${rawProtocol}"`);
  }
  const signalUrl = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  let url: string;
  if (signalUrl) url = signalUrl;
  else if (protocol.data === 'grpc') url = base || DEFAULT_GRPC_ENDPOINT;
  else url = `${(base || DEFAULT_HTTP_ENDPOINT).replace(/\/+$/, '')}/v1/traces`;
  const timeout = Number(env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT ?? env.OTEL_EXPORTER_OTLP_TIMEOUT ?? 10_000);
  return {
    exporter: env.OTEL_TRACES_EXPORTER?.trim() === 'none' ? 'none' : 'otlp',
    protocol: protocol.data,
    url,
    headers: {
      ...parseKeyValueList(env.OTEL_EXPORTER_OTLP_HEADERS),
      ...parseKeyValueList(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS),
    },
    timeoutMs: Number.isFinite(timeout) && timeout > 0 ? Math.floor(timeout) : 10_000,
    serviceName: env.OTEL_SERVICE_NAME?.trim() || 'steward',
    resourceAttributes: parseKeyValueList(env.OTEL_RESOURCE_ATTRIBUTES),
  };
}

/** One Resource object for every span: the OTLP encoder groups spans by resource identity. */
export function createTelemetryResource(cfg: Pick<TraceExportConfig, 'serviceName' | 'resourceAttributes'>): Resource {
  return resourceFromAttributes({
    ...cfg.resourceAttributes,
    'service.name': cfg.serviceName,
    'telemetry.sdk.language': 'nodejs',
  });
}

/** Succeeds without sending anything (OTEL_TRACES_EXPORTER=none). */
class NoopSpanExporter implements SpanExporter {
  export(_spans: ReadableSpan[], cb: (r: { code: ExportResultCode }) => void): void {
    cb({ code: ExportResultCode.SUCCESS });
  }
  async shutdown(): Promise<void> {}
}

export function createSpanExporter(cfg: TraceExportConfig): SpanExporter {
  if (cfg.exporter === 'none') return new NoopSpanExporter();
  const common = { url: cfg.url, timeoutMillis: cfg.timeoutMs };
  switch (cfg.protocol) {
    case 'http/json':
      return new JsonExporter({ ...common, headers: cfg.headers });
    case 'http/protobuf':
      return new ProtoExporter({ ...common, headers: cfg.headers });
    case 'grpc':
      // The gRPC exporter reads OTEL_EXPORTER_OTLP_(TRACES_)HEADERS into metadata by itself.
      return new GrpcExporter(common);
  }
}

/**
 * HTTP statuses by which a collector says the data itself is bad: sending it again cannot help.
 * Auth and routing errors (401, 403, 404) are not here — they heal once the config is fixed.
 */
const REJECTED_STATUSES = new Set([400, 413, 422]);

/**
 * Export and resolve when the collector accepted the spans. Rejects with a retryable
 * `otlp_export_failed`, or a non-retryable `otlp_export_rejected` when the collector refused
 * the data itself (the caller may split the batch to find the bad span).
 */
export function exportSpans(exporter: SpanExporter, spans: ReadableSpan[]): Promise<void> {
  if (spans.length === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    try {
      exporter.export(spans, (result) => {
        if (result.code === ExportResultCode.SUCCESS) resolve();
        else {
          const why = result.error ? errorMessage(result.error) : 'export failed';
          const status = (result.error as { code?: unknown } | undefined)?.code;
          if (typeof status === 'number' && REJECTED_STATUSES.has(status)) {
            reject(
              new StewardError('otlp_export_rejected', `collector rejected ${spans.length} spans (HTTP ${status}): ${why}`, {
                kind: 'validation',
                retryable: false,
                cause: result.error,
              }),
            );
          } else {
            reject(new TransientError('otlp_export_failed', `OTLP export of ${spans.length} spans failed: ${why}`, { cause: result.error }));
          }
        }
      });
    } catch (e) {
      reject(new TransientError('otlp_export_failed', `OTLP export threw: ${errorMessage(e)}`, { cause: e }));
    }
  });
}
