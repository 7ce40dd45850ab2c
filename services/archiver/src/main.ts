// The archiver as its own process: migrations at start-up, the consumer loop, retention, and a
// small HTTP server for probes and /metrics; SIGTERM finishes the batch in hand and closes.
import { createServer, type Server } from 'node:http';
import { loadConfig } from '@steward/core';
import { onShutdown } from '@steward/store';
import { createLogger, probeHandler } from '@steward/telemetry';
import { requireArchive } from './config.ts';
import { startArchiver } from './archiver.ts';
import { renderArchiverMetrics } from './metrics.ts';

// One parse of the environment (loadConfig); the archive section is what startSystem hands over too.
const cfg = loadConfig(process.env, 'archiver');
const { port, ...archive } = requireArchive(cfg.archive);
const log = createLogger({ service: 'archiver', level: cfg.log.level, redact: cfg.log.redact });

const archiver = await startArchiver({ redisUrl: cfg.redis.url, prefix: cfg.redis.prefix, ...archive, log });

let server: Server | undefined;
if (port > 0) {
  // The same optional /metrics credential as the ingress and the tracer (METRICS_TOKEN or ADMIN_TOKEN).
  server = createServer(
    probeHandler({
      ready: () => archiver.db.query('SELECT 1'),
      metrics: () => renderArchiverMetrics(archiver.stats()),
      metricsToken: cfg.ingress.metricsToken,
      adminToken: cfg.ingress.adminToken,
    }),
  );
  server.listen(port, '0.0.0.0');
  log.info({ port }, 'archiver http listening');
}

onShutdown(async () => {
  server?.close();
  await archiver.close();
}, log);
