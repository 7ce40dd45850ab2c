// The vitest globalSetup (packages/testing/src/global-setup.ts) provides `redisUrl`; its type
// augmentation is not visible to this package's typecheck, so it is repeated here.
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}
