import { describe, it, expect, afterEach } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '@steward/testing';
import { eventsToSpans } from './build-spans.ts';
import {
  createSpanExporter,
  createTelemetryResource,
  exportSpans,
  parseKeyValueList,
  traceExportConfigFromEnv,
  type SpanExporter,
} from './span-exporter.ts';
import { PII, sampleQuery } from './sample-events.ts';

describe('traceExportConfigFromEnv', () => {
  it('defaults to http/protobuf on localhost:4318 and service steward', () => {
    const c = traceExportConfigFromEnv({});
    expect(c).toMatchObject({ exporter: 'otlp', protocol: 'http/protobuf', url: 'http://localhost:4318/v1/traces', serviceName: 'steward' });
  });
  it('appends /v1/traces to the general endpoint but takes the traces endpoint as is', () => {
    expect(traceExportConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318/' }).url).toBe('http://jaeger:4318/v1/traces');
    expect(
      traceExportConfigFromEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:9999/custom',
      }).url,
    ).toBe('http://b:9999/custom');
  });
  it('reads protocol, headers, service name and resource attributes; signal settings win', () => {
    const c = traceExportConfigFromEnv({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc%3D%3D, tenant=shop1',
      OTEL_SERVICE_NAME: 'steward-tracer',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod',
    });
    expect(c).toMatchObject({
      protocol: 'grpc',
      url: 'http://collector:4317',
      headers: { 'x-api-key': 'abc==', tenant: 'shop1' },
      serviceName: 'steward-tracer',
      resourceAttributes: { 'deployment.environment': 'prod' },
    });
  });
  it('refuses an unknown protocol and names the variable', () => {
    expect(() => traceExportConfigFromEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'carrier-pigeon' })).toThrow(/OTEL_EXPORTER_OTLP/);
  });
  it('parses key=value lists leniently', () => {
    expect(parseKeyValueList('a=1,,b = 2,junk')).toEqual({ a: '1', b: '2' });
  });
});

describe('export over OTLP/HTTP to a real receiver', () => {
  let receiver: OtlpReceiver | undefined;
  let exporter: SpanExporter | undefined;
  afterEach(async () => {
    await exporter?.shutdown();
    await receiver?.close();
  });

  for (const protocol of ['http/json', 'http/protobuf'] as const) {
    it(`delivers the span tree in ${protocol}`, async () => {
      receiver = await startOtlpReceiver();
      const cfg = traceExportConfigFromEnv({
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_SERVICE_NAME: 'steward-export-test',
      });
      exporter = createSpanExporter(cfg);
      const q = sampleQuery();
      const spans = eventsToSpans(q.events, { resource: createTelemetryResource(cfg), captureContent: true });
      await exportSpans(exporter, spans);
      const got = await receiver.waitForSpans((s) => s.length === 5, 10_000);
      expect(new Set(got.map((s) => s.encoding))).toEqual(new Set([protocol === 'http/json' ? 'json' : 'protobuf']));
      const root = got.find((s) => s.name === 'invoke_agent steward')!;
      expect(root).toMatchObject({
        traceId: q.traceId,
        spanId: q.rootSpanId,
        parentSpanId: q.parentSpanId,
        kind: 1,
        startTimeUnixNano: '1760000000000000000',
        endTimeUnixNano: '1760000000910000000',
        resource: { 'service.name': 'steward-export-test' },
        scope: { name: '@steward/telemetry' },
      });
      expect(root.attributes).toMatchObject({ 'gen_ai.operation.name': 'invoke_agent', 'steward.turns': 2, 'steward.cost_usd': 0.0027 });
      expect(root.events[0]).toMatchObject({ name: 'steward.control.decision', attributes: { 'steward.decision.kind': 'loop_warning' } });
      const chat = got.find((s) => s.name === 'chat sim-llm-1' && s.attributes['steward.turn'] === 0)!;
      expect(chat).toMatchObject({ kind: 3, parentSpanId: q.rootSpanId });
      expect(chat.attributes['gen_ai.response.finish_reasons']).toEqual(['tool_calls']);
      const failed = got.find((s) => s.name === 'execute_tool get_order_details')!;
      expect(failed.status.code).toBe(2);
      const wire = JSON.stringify(got);
      expect(wire).not.toContain(PII.email);
      expect(wire).not.toContain(PII.cardDigits);
      expect(wire).not.toContain(PII.card);
    });
  }

  it('rejects with a retryable error when the collector refuses', async () => {
    receiver = await startOtlpReceiver();
    receiver.setResponseStatus(500);
    exporter = createSpanExporter(
      traceExportConfigFromEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }),
    );
    const spans = eventsToSpans(sampleQuery().events, { resource: createTelemetryResource({ serviceName: 's', resourceAttributes: {} }) });
    await expect(exportSpans(exporter, spans)).rejects.toMatchObject({ code: 'otlp_export_failed', retryable: true });
    expect(receiver.spans()).toHaveLength(0);
  });

  it('builds a gRPC exporter and reports a failure when nothing listens', async () => {
    exporter = createSpanExporter(
      traceExportConfigFromEnv({
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1',
        OTEL_EXPORTER_OTLP_TIMEOUT: '2000',
      }),
    );
    const spans = eventsToSpans(sampleQuery().events, { resource: createTelemetryResource({ serviceName: 's', resourceAttributes: {} }) });
    await expect(exportSpans(exporter, spans)).rejects.toMatchObject({ code: 'otlp_export_failed' });
  });

  it('rejects as not retryable when the collector refuses the data itself (HTTP 400)', async () => {
    receiver = await startOtlpReceiver();
    receiver.setResponseStatus(400);
    exporter = createSpanExporter(
      traceExportConfigFromEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }),
    );
    const spans = eventsToSpans(sampleQuery().events, { resource: createTelemetryResource({ serviceName: 's', resourceAttributes: {} }) });
    await expect(exportSpans(exporter, spans)).rejects.toMatchObject({ code: 'otlp_export_rejected', retryable: false });
  });

  it('succeeds without a collector when OTEL_TRACES_EXPORTER=none', async () => {
    exporter = createSpanExporter(traceExportConfigFromEnv({ OTEL_TRACES_EXPORTER: 'none' }));
    const spans = eventsToSpans(sampleQuery().events, { resource: createTelemetryResource({ serviceName: 's', resourceAttributes: {} }) });
    await expect(exportSpans(exporter, spans)).resolves.toBeUndefined();
  });
});
