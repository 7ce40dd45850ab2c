// Redis keys owned by the channels package, under the deployment's prefix (a hash tag, so the
// multi-key admission script stays inside one cluster slot).

import { seg } from '@steward/store';

export type ChannelKeys = ReturnType<typeof channelKeys>;

export function channelKeys(prefix: string) {
  const p = `${prefix}:ch`;
  return {
    /** A signed webhook request already seen (replay protection). */
    seenSignature: (channel: string, signature: string) => `${p}:sig:${seg(channel)}:${seg(signature)}`,
    /** Set once the platform accepted the answer of this query: a retried job never sends twice. */
    delivered: (queryId: string) => `${p}:delivered:${queryId}`,
    /** Held while one attempt talks to the platform (see send-lock.ts). */
    sending: (queryId: string) => `${p}:sending:${queryId}`,
    /** Set once a delivery was declared dead, so it is counted once. */
    dead: (queryId: string) => `${p}:dead:${queryId}`,
    deadList: `${p}:dead-deliveries`,
    /** Hash `{sent|dead}:{channel}` → count, for /metrics. */
    deliveryStats: `${p}:delivery-stats`,
    bucket: (scope: 'principal' | 'customer' | 'channel', id: string) => `${p}:bucket:${scope}:${seg(id)}`,
  };
}
