// Who may talk to the shop. The shop holds every customer's personal data, so in production a
// bearer token is mandatory and the admin routes (export of all data, reset) do not exist; demo
// and test runs, where the data is generated or τ-bench mock data, may skip the token.
import { createHash, timingSafeEqual } from 'node:crypto';
import { StewardError } from '@steward/core';

export const SHOP_MODES = ['production', 'demo', 'test'] as const;
export type ShopMode = (typeof SHOP_MODES)[number];

/** Shorter tokens are guessable or a placeholder ("changeme", "dev-shop-token"). */
export const MIN_TOKEN_LENGTH = 24;

/** The shop cannot start with this configuration: fix the environment, retrying will not help. */
export class ShopConfigError extends StewardError {
  constructor(message: string) {
    super('shop_config', message, { kind: 'validation', retryable: false });
  }
}

/** Throws ShopConfigError when production runs without a usable token. */
export function checkShopAccess(mode: ShopMode, apiToken: string | undefined): void {
  if (mode !== 'production') return;
  if (!apiToken) {
    throw new ShopConfigError(
      'SHOP_API_TOKEN is required in production mode: set it to a random secret (e.g. `openssl rand -hex 32`) ' +
        'and give the same value to the tool-worker, or set SHOP_MODE=demo for a local demo',
    );
  }
  if (apiToken.length < MIN_TOKEN_LENGTH) {
    throw new ShopConfigError(`SHOP_API_TOKEN is too short (${apiToken.length} < ${MIN_TOKEN_LENGTH} characters): use a random secret, e.g. \`openssl rand -hex 32\``);
  }
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Whether an Authorization header carries the token. Compared in constant time over digests, so
 * neither the token's content nor its length leaks through response timing.
 */
export function bearerMatches(header: string | undefined, apiToken: string): boolean {
  return timingSafeEqual(digest(header ?? ''), digest(`Bearer ${apiToken}`));
}
