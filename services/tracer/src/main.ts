// The tracer as its own process: env → startTracer, a small HTTP server for probes and
// /metrics, and a graceful stop on SIGTERM (stop reading, finish the batch, close).
import { createRedis, onShutdown } from '@steward/store';
import { loadConfig } from '@steward/core';
import { createLogger } from '@steward/telemetry';
import { createSpanExporter, createTelemetryResource, traceExportConfigFromEnv } from '@steward/telemetry/otlp';
import { startTracerHttp, type TracerHttp } from './http.ts';
import { startTracer } from './tracer.ts';

// One parse of the environment (loadConfig); the OTEL_* exporter settings are read by
// @steward/telemetry from that same environment, as startSystem does.
const cfg = loadConfig(process.env, 'tracer');
const log = createLogger({ service: 'tracer', level: cfg.log.level, redact: cfg.log.redact });
const exportConfig = traceExportConfigFromEnv(cfg.env);
const { port, metricsToken, adminToken, ...tracerOptions } = cfg.tracer;
const exporter = createSpanExporter(exportConfig);

const tracer = await startTracer({
  redisUrl: cfg.redis.url,
  prefix: cfg.redis.prefix,
  logger: log,
  exporter,
  resource: createTelemetryResource(exportConfig),
  ...tracerOptions,
});

// A separate connection for the HTTP side, so a slow scrape never waits behind a blocked read.
const redis = createRedis(cfg.redis.url, { maxRetriesPerRequest: 1 });
redis.on('error', () => undefined);
let http: TracerHttp | undefined;
if (port > 0) {
  http = await startTracerHttp({ redis, prefix: cfg.redis.prefix, port, metricsToken, adminToken });
  log.info({ port, metricsCredential: metricsToken !== undefined }, 'tracer http listening');
}

onShutdown(async () => {
  await http?.close();
  await tracer.close();
  // Ours, not the tracer's: flush what the last batch handed it.
  await exporter.shutdown().catch(() => undefined);
  await redis.quit().catch(() => undefined);
}, log);
