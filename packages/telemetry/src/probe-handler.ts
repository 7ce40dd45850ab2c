// The small HTTP side of a service that runs no Fastify (tracer, archiver): GET /healthz,
// GET /readyz (the service's own readiness check) and GET /metrics behind the optional metrics
// credential (metrics-credential.ts), with the same status codes and error body as the ingress.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { metricsCredential } from './metrics-credential.ts';
import { PROMETHEUS_CONTENT_TYPE } from './prometheus-text.ts';

export interface ProbeHandlerOptions {
  /** Resolves when the service can work (its Redis or PostgreSQL answers); rejects when not. */
  ready: () => Promise<unknown>;
  /** The Prometheus text of /metrics; a rejection answers 503 (the scrape is retried). */
  metrics: () => Promise<string> | string;
  /** When set, GET /metrics needs `Authorization: Bearer <token>` (or the admin token). */
  metricsToken?: string | undefined;
  adminToken?: string | undefined;
}

const JSON_TYPE = { 'content-type': 'application/json' };

/** A node:http request listener serving the probes and /metrics; anything else is 404. */
export function probeHandler(o: ProbeHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const mayReadMetrics = metricsCredential(o.metricsToken, o.adminToken);
  return (req, res) => {
    const path = req.url?.split('?')[0];
    if (path === '/healthz') return void res.writeHead(200, JSON_TYPE).end('{"ok":true}');
    if (path === '/readyz') {
      o.ready().then(
        () => res.writeHead(200, JSON_TYPE).end('{"ready":true}'),
        () => res.writeHead(503, JSON_TYPE).end('{"ready":false}'),
      );
      return;
    }
    if (path === '/metrics') {
      if (!mayReadMetrics(req.headers.authorization)) {
        return void res
          .writeHead(401, { ...JSON_TYPE, 'www-authenticate': 'Bearer' })
          .end('{"error":{"code":"unauthorized","message":"metrics credential required"}}');
      }
      Promise.resolve()
        .then(o.metrics)
        .then(
          (text) => res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE }).end(text),
          () => res.writeHead(503).end(),
        );
      return;
    }
    res.writeHead(404).end();
  };
}
