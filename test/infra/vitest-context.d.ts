// The vitest globalSetup (packages/testing/src/global-setup.ts) provides `redisUrl`; its type
// augmentation is not visible to the typecheck of test/infra, so it is repeated here.
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}
