// The archiver as its own process: migrations at start-up, the consumer loop, retention, and a
// small HTTP server for probes and /metrics; SIGTERM finishes the batch in hand and closes.
import { createServer, type Server } from 'node:http';
import { loadConfig } from '@steward/core';
import { onShutdown } from '@steward/store';
import { createLogger, metricsCredential } from '@steward/telemetry';
import { requireArchive } from './config.ts';
import { startArchiver } from './archiver.ts';
import { renderArchiverMetrics } from './metrics.ts';

// One parse of the environment (loadConfig); the archive section is what startSystem hands over too.
const cfg = loadConfig(process.env, 'archiver');
const { port, ...archive } = requireArchive(cfg.archive);
const log = createLogger({ service: 'archiver', level: cfg.log.level, redact: cfg.log.redact });

const archiver = await startArchiver({ redisUrl: cfg.redis.url, prefix: cfg.redis.prefix, ...archive, log });

let server: Server | undefined;
// The same optional /metrics credential as the ingress and the tracer (METRICS_TOKEN or ADMIN_TOKEN).
const mayReadMetrics = metricsCredential(cfg.ingress.metricsToken, cfg.ingress.adminToken);
if (port > 0) {
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
  server.listen(port, '0.0.0.0');
  log.info({ port }, 'archiver http listening');
}

onShutdown(async () => {
  server?.close();
  await archiver.close();
}, log);
