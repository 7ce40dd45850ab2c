// Metric label values must come from small, closed sets: every distinct value is a time series
// kept forever by Prometheus. Anything a caller or the model chooses (a channel name in
// POST /v1/messages, a hallucinated tool name, an error message) is folded into one bucket.

/** The channels steward ships adapters for; generic webhooks and caller-chosen names are "other". */
export const KNOWN_CHANNELS: ReadonlySet<string> = new Set(['api', 'web', 'slack', 'whatsapp', 'telegram']);

export function channelLabel(v: unknown): string {
  if (typeof v !== 'string' || v.length === 0) return 'unknown';
  return KNOWN_CHANNELS.has(v) ? v : 'other';
}

// An identifier-like token: what configured model names, providers and error classes look like.
const TOKEN = /^[A-Za-z][A-Za-z0-9_.:/-]{0,63}$/;

/** `v` when it is a short identifier-like token, else `fallback` (free text never becomes a label). */
export function tokenLabel(v: unknown, fallback = 'unknown'): string {
  return typeof v === 'string' && TOKEN.test(v) ? v : fallback;
}
