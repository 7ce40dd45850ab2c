import { createHash, timingSafeEqual, randomBytes } from 'node:crypto';

/**
 * API keys are kept only as SHA-256 digests and compared in constant time. Several keys may be
 * valid at once (rotation without downtime: add the new key, move callers, drop the old one).
 * `INGRESS_API_KEYS` is a comma-separated list of `key` or `channel=key` (a key bound to one
 * channel may only post messages for that channel).
 */
export interface ApiKeyEntry {
  digest: Buffer;
  channel: string | null;
}

export function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

export function parseApiKeys(spec: string | undefined): ApiKeyEntry[] {
  if (!spec) return [];
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const eq = s.indexOf('=');
      return eq > 0 ? { channel: s.slice(0, eq), digest: digest(s.slice(eq + 1)) } : { channel: null, digest: digest(s) };
    });
}

/** The matching entry, checking every entry so timing does not reveal which one matched. */
export function matchApiKey(entries: ApiKeyEntry[], presented: string | undefined): ApiKeyEntry | null {
  if (!presented) return null;
  const d = digest(presented);
  let found: ApiKeyEntry | null = null;
  for (const e of entries) if (timingSafeEqual(e.digest, d) && !found) found = e;
  return found;
}

export function generateApiKey(): string {
  return `stw_${randomBytes(24).toString('base64url')}`;
}

export function bearer(header: string | undefined): string | undefined {
  const m = header ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
  return m?.[1];
}
