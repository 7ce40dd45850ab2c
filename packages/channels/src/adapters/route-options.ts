import type { ChannelsConfig } from '../config.ts';

export interface RouteSettings {
  config: ChannelsConfig;
  toleranceSec: number;
  messageMaxChars: number;
  /** Platform messages older than this are acknowledged and dropped (replays, stale retries). */
  maxMessageAgeSec: number;
  /** Unix seconds; injectable so tests can sign requests "from the past". */
  nowSec: () => number;
}
