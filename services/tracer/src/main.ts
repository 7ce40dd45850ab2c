// The tracer as its own process: env → startTracer, a small HTTP server for probes and
// /metrics, and a graceful stop on SIGTERM (stop reading, finish the batch, close).
import { createServer, type Server } from 'node:http';
import { createRedis, onShutdown } from '@steward/store';
import { PROMETHEUS_CONTENT_TYPE, createLogger, readMetricsSnapshot, renderPrometheus } from '@steward/telemetry';
import { loadTracerConfig } from './config.ts';
import { startTracer } from './tracer.ts';

const cfg = loadTracerConfig();
const log = createLogger({ service: 'tracer', level: cfg.LOG_LEVEL, redact: cfg.REDACT_PII });

const tracer = await startTracer({
  redisUrl: cfg.REDIS_URL,
  prefix: cfg.REDIS_PREFIX,
  logger: log,
  batchSize: cfg.TRACER_BATCH_SIZE,
  claimIdleMs: cfg.TRACER_CLAIM_IDLE_MS,
  ...(cfg.TRACER_CONSUMER_NAME ? { consumerName: cfg.TRACER_CONSUMER_NAME } : {}),
});

// A separate connection for the HTTP side, so a slow scrape never waits behind a blocked read.
const redis = createRedis(cfg.REDIS_URL, { maxRetriesPerRequest: 1 });
redis.on('error', () => undefined);
let server: Server | undefined;
if (cfg.TRACER_PORT > 0) {
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
      readMetricsSnapshot(redis, cfg.REDIS_PREFIX).then(
        (snap) => res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE }).end(renderPrometheus(snap)),
        () => res.writeHead(503).end(),
      );
      return;
    }
    res.writeHead(404).end();
  });
  server.listen(cfg.TRACER_PORT, '0.0.0.0');
  log.info({ port: cfg.TRACER_PORT }, 'tracer http listening');
}

onShutdown(async () => {
  server?.close();
  await tracer.close();
  await redis.quit().catch(() => undefined);
}, log);
