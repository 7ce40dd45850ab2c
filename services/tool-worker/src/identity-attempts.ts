import type { Redis } from 'ioredis';
import type { Keys } from '@steward/store';

/** The tools that answer "is there a customer with this email / name and zip?". */
export const IDENTITY_TOOLS: ReadonlySet<string> = new Set([
  'find_user_id_by_email',
  'find_user_id_by_name_zip',
]);

/**
 * Without a limit the identity tools are a yes/no oracle over the customer base. Failures are
 * counted per conversation (one person guessing) and per principal (one key rotating
 * conversations — the web chat's key is public). The per-principal limit is higher: every
 * customer of a platform or of the web chat shares it.
 */
export const IDENTITY_LIMITS = {
  perConversation: 5,
  conversationWindowSec: 24 * 3600,
  perPrincipal: 100,
  principalWindowSec: 3600,
} as const;

export type IdentityLimits = { -readonly [K in keyof typeof IDENTITY_LIMITS]: number };

/** What the model reads instead of a lookup: refuse politely and offer a human. */
export const IDENTITY_LOCKED_RESULT =
  'Error: identity verification is locked after too many failed attempts. Do not ask for more details and do not try again: ' +
  'apologise, say that the account cannot be verified in this chat, and offer to transfer the customer to a human agent.';

/**
 * One failure per counter: the window starts with the first failure (SET NX with the window's
 * TTL), not with the latest one. A script (EVALSHA), not MULTI: an ioredis MULTI copies every
 * script BullMQ defined on the connection (issue 17). KEYS: counter… · ARGV: window (s) per key
 */
const COUNT_FAILURE = `
for i = 1, #KEYS do
  redis.call('SET', KEYS[i], '0', 'EX', ARGV[i], 'NX')
  redis.call('INCR', KEYS[i])
end
`;

export class IdentityAttempts {
  private readonly redis: Redis;
  private readonly keys: Keys;
  private readonly limits: IdentityLimits;

  constructor(redis: Redis, keys: Keys, limits: Partial<IdentityLimits> = {}) {
    this.redis = redis;
    this.keys = keys;
    this.limits = { ...IDENTITY_LIMITS, ...limits };
  }

  /** Whether another verification may run for this conversation and principal. */
  async allowed(conversationId: string, principal: string | undefined): Promise<boolean> {
    const [conv, prin] = await Promise.all([
      this.redis.get(this.keys.identityFailures('conversation', conversationId)),
      principal ? this.redis.get(this.keys.identityFailures('principal', principal)) : Promise.resolve(null),
    ]);
    return Number(conv ?? 0) < this.limits.perConversation && Number(prin ?? 0) < this.limits.perPrincipal;
  }

  /** Count one failed verification against both scopes (each counter expires with its window). */
  async failed(conversationId: string, principal: string | undefined): Promise<void> {
    const ck = this.keys.identityFailures('conversation', conversationId);
    if (!principal) {
      await this.redis.eval(COUNT_FAILURE, 1, ck, this.limits.conversationWindowSec);
      return;
    }
    const pk = this.keys.identityFailures('principal', principal);
    await this.redis.eval(COUNT_FAILURE, 2, ck, pk, this.limits.conversationWindowSec, this.limits.principalWindowSec);
  }
}
