import { canonicalJson, fingerprint } from '@steward/core';

// Two calls "made no progress" when they asked the same thing and got the same answer. Fields
// that change on every response (timestamps, request and trace ids) would make every result
// look new, so they are removed before comparing.

const VOLATILE_KEYS = new Set(['ts', 'time', 'date', 'timestamp', 'now', 'request_id', 'trace_id', 'span_id', 'correlation_id', 'etag']);
/** An ISO-8601 date-time inside free text ("… as of 2026-11-24T01:02:03Z"). */
const ISO_DATETIME = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?/g;

function snake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

export function isVolatileKey(key: string, extra: ReadonlySet<string> = new Set()): boolean {
  const k = snake(key);
  return VOLATILE_KEYS.has(k) || k.endsWith('_at') || extra.has(k) || extra.has(key);
}

/**
 * `value` without volatile fields, at any depth. A string holding JSON (tool results are
 * strings) is parsed first; date-times inside free text are replaced by a placeholder.
 */
export function stripVolatile(value: unknown, extraKeys: ReadonlySet<string> = new Set()): unknown {
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
