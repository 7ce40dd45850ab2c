// The store's keys are built in @steward/core's redis-keys.ts with every other Redis key of
// steward (one module, one NAMESPACES registry); this re-export keeps the store's own imports.
export { createKeys, keysFor, NAMESPACES, seg, type Keys } from '@steward/core';
