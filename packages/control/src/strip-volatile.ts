import { canonicalJson, fingerprint } from '@steward/core';

// Two calls "made no progress" when they asked the same thing and got the same answer. Fields
// that change on every response (timestamps, request and trace ids) would make every result
// look new, so they are removed before comparing.

const VOLATILE_KEYS = new Set(['ts', 'time', 'date', 'timestamp', 'now', 'request_id', 'trace_id', 'span_id', 'correlation_id', 'etag']);
/** An ISO-8601 date-time inside free text ("… as of 2026-11-24T01:02:03Z"). */
const ISO_DATETIME = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?/g;

const NO_EXTRA_KEYS: ReadonlySet<string> = new Set();

// Loop detection strips every tool result of the query at each observe, and results repeat the
// same few dozen keys: the snake_case form of each key is remembered instead of running a regex
// per key per call. Bounded, since keys come from tool output: past the bound a key is converted
// again (same answer, only slower).
const SNAKE_CACHE_MAX = 4_096;
const snakeCache = new Map<string, string>();

function snake(key: string): string {
  let k = snakeCache.get(key);
  if (k === undefined) {
    k = key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
    if (snakeCache.size < SNAKE_CACHE_MAX) snakeCache.set(key, k);
  }
  return k;
}

export function isVolatileKey(key: string, extra: ReadonlySet<string> = NO_EXTRA_KEYS): boolean {
  const k = snake(key);
  return VOLATILE_KEYS.has(k) || k.endsWith('_at') || (extra.size > 0 && (extra.has(k) || extra.has(key)));
}

/**
 * `value` without volatile fields, at any depth. A string holding JSON (tool results are
 * strings) is parsed first; date-times inside free text are replaced by a placeholder.
 */
export function stripVolatile(value: unknown, extraKeys: ReadonlySet<string> = NO_EXTRA_KEYS): unknown {
  if (typeof value === 'string') {
    const t = value.trim();
    if (t.startsWith('{') || t.startsWith('[')) {
      try {
        return stripVolatile(JSON.parse(t) as unknown, extraKeys);
      } catch {
        // not JSON after all: treat as text
      }
    }
    return value.replace(ISO_DATETIME, '<time>');
  }
  if (Array.isArray(value)) return value.map((v) => stripVolatile(v, extraKeys));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!isVolatileKey(k, extraKeys)) out[k] = stripVolatile(v, extraKeys);
    return out;
  }
  return value;
}

/** Stable fingerprint of a value with its volatile fields removed. */
export function stableFingerprint(value: unknown, extraKeys?: ReadonlySet<string>): string {
  return fingerprint(canonicalJson(stripVolatile(value, extraKeys)));
}
