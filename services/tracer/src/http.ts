// The tracer's small HTTP side: probes and the fleet's /metrics (the same Redis hash the ingress
// serves, label values already bounded where they were recorded — label-bounds.ts). /metrics
// takes the same optional credential as the ingress': METRICS_TOKEN, or the admin token.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import {
  PROMETHEUS_CONTENT_TYPE,
  metricsCredential,
  readMetricsSnapshot,
  renderPrometheus,
} from '@steward/telemetry';

export interface TracerHttpOptions {
  redis: Redis;
  prefix: string;
  port: number;
  host?: string;
  /** When set, GET /metrics needs `Authorization: Bearer <token>` (or the admin token). */
  metricsToken?: string | undefined;
  adminToken?: string | undefined;
}

export interface TracerHttp {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startTracerHttp(o: TracerHttpOptions): Promise<TracerHttp> {
  const mayReadMetrics = metricsCredential(o.metricsToken, o.adminToken);
  const server = createServer((req, res) => {
    const path = req.url?.split('?')[0];
    if (path === '/healthz')
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    if (path === '/readyz') {
      o.redis.ping().then(
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
      readMetricsSnapshot(o.redis, o.prefix).then(
        (snap) => res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE }).end(renderPrometheus(snap)),
        () => res.writeHead(503).end(),
      );
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '0.0.0.0', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
