import { hash, timingSafeEqual, randomBytes } from 'node:crypto';
import { principals, type Principal } from '@steward/store';

/**
 * API keys are kept only as SHA-256 digests and compared in constant time. Several keys may be
 * valid at once (rotation without downtime: add the new key, move callers, drop the old one);
 * keys of the same principal share its conversations and queries.
 *
 * `INGRESS_API_KEYS` is a comma-separated list of
 * - `key`            the `api` principal: posts on the `api` channel, may name its customers;
 * - `web=key`        the web chat (public key): chats as a new, unverified customer only;
 * - `operator=key`   an operator: reads every query and trace, lists handoffs, never posts;
 * - `<channel>=key`  an integration bound to that channel (the same principal as the channel's
 *                    platform adapter or signed webhook).
 */
export interface ApiKeyEntry {
  digest: Buffer;
  principal: Principal;
}

/**
 * SHA-256 of a key, by the one-shot `hash()`: every request digests the key it presents, and a
 * `createHash` object per request (its algorithm lookup, update, digest) was ~3 % of the
 * ingress's CPU at saturation (issue 17). Same bytes; the comparison stays constant-time.
 */
export function digest(key: string): Buffer {
  return hash('sha256', key, 'buffer');
}

const CHANNEL = /^[a-z0-9_-]{1,64}$/;

export function principalFor(binding: string | null): Principal {
  if (binding === null) return principals.api();
  if (binding === 'web') return principals.web();
  if (binding === 'operator') return principals.operator();
  if (!CHANNEL.test(binding)) throw new Error(`INGRESS_API_KEYS: "${binding}" is not a channel name (a-z 0-9 _ -)`);
  return principals.channel(binding);
}

export function parseApiKeys(spec: string | undefined): ApiKeyEntry[] {
  if (!spec) return [];
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const eq = s.indexOf('=');
      return eq > 0
        ? { principal: principalFor(s.slice(0, eq).trim()), digest: digest(s.slice(eq + 1)) }
        : { principal: principalFor(null), digest: digest(s) };
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
