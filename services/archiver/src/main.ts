// The archiver as its own process: migrations at start-up, the consumer loop, retention, and a
// small HTTP server for probes and /metrics; SIGTERM finishes the batch in hand and closes.
import { createServer, type Server } from 'node:http';
import { onShutdown } from '@steward/store';
import { createLogger, metricsCredential } from '@steward/telemetry';
import { loadArchiverConfig } from './config.ts';
import { startArchiver } from './archiver.ts';
import { renderArchiverMetrics } from './metrics.ts';

const cfg = loadArchiverConfig();
const log = createLogger({ service: 'archiver', level: cfg.LOG_LEVEL, redact: cfg.REDACT_PII });

const archiver = await startArchiver({
  redisUrl: cfg.REDIS_URL,
  prefix: cfg.REDIS_PREFIX,
  databaseUrl: cfg.DATABASE_URL,
  schema: cfg.ARCHIVE_SCHEMA,
  pii: cfg.ARCHIVE_PII,
  hotTtlSec: cfg.ARCHIVE_HOT_TTL_SEC,
  retention: cfg.ARCHIVE_RETENTION,
  retentionEveryMs: cfg.ARCHIVE_RETENTION_EVERY_MS,
  batchSize: cfg.ARCHIVER_BATCH_SIZE,
  claimIdleMs: cfg.ARCHIVER_CLAIM_IDLE_MS,
  ...(cfg.ARCHIVER_CONSUMER_NAME ? { consumerName: cfg.ARCHIVER_CONSUMER_NAME } : {}),
  log,
});

let server: Server | undefined;
const mayReadMetrics = metricsCredential(cfg.METRICS_TOKEN, cfg.ADMIN_TOKEN);
if (cfg.ARCHIVER_PORT > 0) {
  server = createServer((req, res) => {
    const path = req.url?.split('?')[0];
    if (path === '/healthz') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    if (path === '/readyz') {
      archiver.db.query('SELECT 1').then(
        () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ready":true}'),
        () => res.writeHead(503, { 'content-type': 'application/json' }).end('{"ready":false}'),
      );
      return;
    }
    if (path === '/metrics') {
      if (!mayReadMetrics(req.headers.authorization)) {
        return void res
          .writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' })
          .end('{"error":{"code":"unauthorized","message":"metrics credential required"}}');
      }
      return void res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(renderArchiverMetrics(archiver.stats()));
    }
    res.writeHead(404).end();
  });
  server.listen(cfg.ARCHIVER_PORT, '0.0.0.0');
  log.info({ port: cfg.ARCHIVER_PORT }, 'archiver http listening');
}

onShutdown(async () => {
  server?.close();
  await archiver.close();
}, log);
