// The optional credential of a /metrics endpoint, for the services that serve it from a plain
// node:http server (tracer, archiver); the ingress applies the same rule in its metrics-guard.ts
// (where the admin credential also covers `operator=` keys). Without a token /metrics stays open,
// as Prometheus scrapes it inside a private network; with one, the request must carry
// `Authorization: Bearer <METRICS_TOKEN>` or the admin token. Metrics reveal traffic, costs and
// customer volumes.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** `authorization` header → may this request read /metrics? Compared in constant time. */
export function metricsCredential(
  token: string | undefined,
  adminToken?: string,
): (authorization: string | undefined) => boolean {
  if (!token) return () => true;
  // Digests have one length, so timingSafeEqual never leaks the token's length either.
  const allowed = [token, ...(adminToken ? [adminToken] : [])].map(digest);
  return (authorization) => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) return false;
    const presented = digest(m[1]!);
    // Every candidate is compared: which one matched does not show in the timing.
    return allowed.map((d) => timingSafeEqual(d, presented)).includes(true);
  };
}
