// Docker HEALTHCHECK for the one steward image: GET /healthz on the port of the service this
// container runs (SERVICE). HTTP services serve it on PORT; workers on HEALTH_PORT; the tracer on
// TRACER_PORT (its probe + /metrics server). Plain JS: it runs outside any package.
/* global fetch, AbortSignal */
import process from 'node:process';

/** service → [env variables to try in order, default port]. Anything else is a worker. */
const PORTS = {
  ingress: [['PORT'], 3000],
  shop: [['PORT'], 3100],
  'sim-llm': [['PORT'], 3200],
  tracer: [['TRACER_PORT', 'HEALTH_PORT'], 3300],
};
const WORKER = [['HEALTH_PORT'], 9464];

const [vars, fallback] = PORTS[process.env.SERVICE ?? 'ingress'] ?? WORKER;
const port = vars.map((v) => process.env[v]).find((v) => v !== undefined && v !== '') ?? fallback;

try {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(4000) });
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}
