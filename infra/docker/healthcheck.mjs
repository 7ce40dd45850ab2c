// Docker HEALTHCHECK for the one steward image. HTTP services (ingress, shop, sim-llm) serve
// /healthz on PORT; workers serve it on HEALTH_PORT. Plain JS: it runs outside any package.
/* global fetch, AbortSignal */
import process from 'node:process';

const HTTP_PORTS = { ingress: 3000, shop: 3100, 'sim-llm': 3200 };
const service = process.env.SERVICE ?? 'ingress';
const port =
  service in HTTP_PORTS ? (process.env.PORT ?? HTTP_PORTS[service]) : (process.env.HEALTH_PORT ?? 9464);

try {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(4000) });
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}
