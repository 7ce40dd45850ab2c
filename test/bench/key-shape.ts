/**
 * A Redis key's shape without its ids, for per-key tallies in the Redis benches
 * (scripts/redis-trips.ts, scripts/redis-scripts.ts): `{prefix}:q:q_123` → `q:*`. The prefix
 * goes; a part with a digit or longer than 24 characters is an id.
 */
export const shapeOf = (key: string): string =>
  key
    .split(':')
    .slice(1)
    .map((s) => (/[0-9]/.test(s) || s.length > 24 ? '*' : s))
    .join(':');
