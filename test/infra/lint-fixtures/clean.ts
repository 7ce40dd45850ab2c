// Must pass lint: another package through its entry point.
import { HAS_TAUBENCH } from '@steward/testing';

export const hasData = (): boolean => HAS_TAUBENCH;
