// The channels' Redis keys are built in @steward/core's redis-keys.ts with every other key of
// steward (under the `ch` namespace); this re-export keeps the package's own imports.
export { channelKeys, type ChannelKeys } from '@steward/core';
