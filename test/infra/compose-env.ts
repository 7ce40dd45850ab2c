// Turns the environment docker-compose gives a service into the environment of a local process:
// `${VAR:-default}` resolved from the defaults alone (the run must not depend on the developer's
// shell), and compose hostnames (redis, sim-llm, shop, jaeger) mapped to local addresses.

/**
 * Resolve compose interpolation with an empty environment: defaults only. A required variable
 * (`${VAR:?message}`: a credential compose refuses to start without) gets a fixed test value, as
 * the operator's .env would give it one.
 */
export function interpolateDefaults(value: string): string {
  return value.replace(
    /\$\{(\w+)(?::?-([^}]*)|:\?[^}]*)?\}/g,
    (all, name: string, fallback?: string) => (all.includes(':?') ? requiredTestValue(name) : (fallback ?? '')),
  );
}

export const requiredTestValue = (name: string): string => `test-${name.toLowerCase().replace(/_/g, '-')}-0123456789abcdef`;

/** `host:port` as compose sees it → base URL (scheme included) of the local stand-in. */
export type AddressMap = Record<string, string>;

/** Rewrite every `scheme://host:port` of a compose hostname to its local stand-in. */
export function rewriteHosts(value: string, map: AddressMap): string {
  return value.replace(
    /\b[a-z]+:\/\/([a-z][a-z0-9-]*:\d+)/g,
    (whole, hostPort: string) => map[hostPort] ?? whole,
  );
}

export function localEnv(composeEnv: Record<string, unknown>, map: AddressMap): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(composeEnv)) out[k] = rewriteHosts(interpolateDefaults(String(v)), map);
  return out;
}
