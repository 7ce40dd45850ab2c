// The tracer's small HTTP side: probes and the fleet's /metrics (the same Redis hash the ingress
// serves, label values already bounded where they were recorded — label-bounds.ts). /metrics
// takes the same optional credential as the ingress': METRICS_TOKEN, or the admin token.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import { probeHandler, readMetricsSnapshot, renderPrometheus } from '@steward/telemetry';

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
  const server = createServer(
    probeHandler({
      ready: () => o.redis.ping(),
      metrics: async () => renderPrometheus(await readMetricsSnapshot(o.redis, o.prefix)),
      metricsToken: o.metricsToken,
      adminToken: o.adminToken,
    }),
  );
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
