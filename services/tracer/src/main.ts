// The tracer as its own process: env → startTracer, a small HTTP server for probes and
// /metrics, and a graceful stop on SIGTERM (stop reading, finish the batch, close).
import { createServer, type Server } from 'node:http';
import { createRedis, onShutdown } from '@steward/store';
import { loadConfig } from '@steward/core';
import {
  PROMETHEUS_CONTENT_TYPE,
  createLogger,
  createSpanExporter,
  createTelemetryResource,
  readMetricsSnapshot,
  renderPrometheus,
  traceExportConfigFromEnv,
} from '@steward/telemetry';
import { startTracer } from './tracer.ts';

// One parse of the environment (loadConfig); the OTEL_* exporter settings are read by
// @steward/telemetry from that same environment, as startSystem does.
const cfg = loadConfig(process.env, 'tracer');
const log = createLogger({ service: 'tracer', level: cfg.log.level, redact: cfg.log.redact });
const exportConfig = traceExportConfigFromEnv(cfg.env);
const { port, ...tracerOptions } = cfg.tracer;
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
let server: Server | undefined;
if (port > 0) {
  server = createServer((req, res) => {
    const path = req.url?.split('?')[0];
    if (path === '/healthz') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    if (path === '/readyz') {
      redis.ping().then(
        () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ready":true}'),
        () => res.writeHead(503, { 'content-type': 'application/json' }).end('{"ready":false}'),
      );
      return;
    }
    if (path === '/metrics') {
      readMetricsSnapshot(redis, cfg.redis.prefix).then(
        (snap) => res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE }).end(renderPrometheus(snap)),
        () => res.writeHead(503).end(),
      );
      return;
    }
    res.writeHead(404).end();
  });
  server.listen(port, '0.0.0.0');
  log.info({ port }, 'tracer http listening');
}

onShutdown(async () => {
  server?.close();
  await tracer.close();
  // Ours, not the tracer's: flush what the last batch handed it.
  await exporter.shutdown().catch(() => undefined);
  await redis.quit().catch(() => undefined);
}, log);
