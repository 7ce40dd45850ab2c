import type { ChannelsConfig } from '../config.ts';

export interface RouteSettings {
  config: ChannelsConfig;
  toleranceSec: number;
  messageMaxChars: number;
  /** Unix seconds; injectable so tests can sign requests "from the past". */
  nowSec: () => number;
}
