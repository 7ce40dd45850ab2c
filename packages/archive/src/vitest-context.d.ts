// The vitest globalSetup (packages/testing/src/global-setup.ts) provides these; its type
// augmentation is not visible to this package's typecheck, so it is repeated here.
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    databaseUrl: string;
    databaseUnavailable: string;
  }
}
