// Must fail lint: reaches into another package's src/ instead of its entry point.
import { CHROMIUM_PATH } from '../../../packages/channels/src/testing/browser.ts';

export const where = (): string => CHROMIUM_PATH;
