import type { Redis } from 'ioredis';
import type { ChannelKeys } from './keys.ts';
import { OK, refuse, type Verdict } from './verify/verdict.ts';

/**
 * A valid signature is accepted once: it is remembered (SET NX) for as long as its timestamp
 * would still pass, so a captured request replayed inside the tolerance window is refused.
 * Only called after the signature verified, so forged requests cannot fill Redis.
 */
export async function rememberSignature(
  redis: Redis,
  keys: ChannelKeys,
  channel: string,
  signature: string,
  toleranceSec: number,
): Promise<Verdict> {
  // Twice the tolerance: a timestamp may be up to `tolerance` in the future as well as the past.
  const r = await redis.set(keys.seenSignature(channel, signature.slice(0, 80)), '1', 'EX', toleranceSec * 2, 'NX');
  return r === 'OK' ? OK : refuse('replayed_request', 'this signed request was already received');
}
