// Every limit of the channels package in one place; each is overridable through options or env.
// The ones an operator sets through loadConfig (DELIVERY_*) come from core's DEFAULTS.
import { DEFAULTS } from '@steward/core';

export const CHANNEL_LIMITS = {
  /** Signed requests older or newer than this are refused (Slack's and our own scheme). */
  signatureToleranceSec: 300,
  /** Customer message length (characters) accepted from any channel. */
  messageMaxChars: 4_000,
  /**
   * WhatsApp and Telegram messages older than this are acknowledged and not processed. It must
   * stay below the de-duplication window (DEFAULTS.dedupeTtlSec, 24 h): a message is then either
   * fresh enough to be caught as a duplicate, or too old to be taken at all. Meta retries a failed
   * webhook for up to 7 days and Telegram keeps updates for 24 h; an answer to a customer message
   * older than half a day is of no use anyway.
   */
  messageMaxAgeSec: 12 * 3600,
  /** Request body bytes accepted by the hardened JSON parser. */
  bodyLimitBytes: 256 * 1024,
  /** Nesting of JSON objects/arrays; real payloads (WhatsApp is the deepest) stay under 10. */
  jsonMaxDepth: 16,
  /** Keys plus array elements of one JSON body; a WhatsApp batch stays far below. */
  jsonMaxFields: 1_000,
  /** Outbound HTTP call to a platform: past this the attempt fails and BullMQ retries it. */
  deliveryTimeoutMs: DEFAULTS.deliveryTimeoutMs,
  /** Telegram and WhatsApp cap a text message at 4,096 characters. */
  outboundMaxChars: 4_096,
  /** "Already sent" markers outlive every retry of the job by far. */
  deliveredMarkerTtlSec: 7 * 24 * 3600,
  /** Dead deliveries kept for inspection (newest first). */
  deadListMax: 10_000,
  deliveryConcurrency: DEFAULTS.concurrency.deliveries,
  /** The reasoning backlog is read at most this often per ingress process. */
  backlogCacheMs: 250,
  /**
   * Bucket sets an ingress process remembers as refused (until the wait Redis gave): a client
   * retrying past its limit is refused from memory, not by one more script call each time.
   */
  refusalMemoMax: 10_000,
  /** Retry-After sent when the fleet is over its backlog threshold. */
  overloadedRetryAfterSec: 5,
} as const;

export const DEFAULT_API_BASES = {
  slack: 'https://slack.com/api',
  whatsapp: 'https://graph.facebook.com/v21.0',
  telegram: 'https://api.telegram.org',
} as const;

/** Channels whose answers are read by the caller (GET / SSE), never pushed. */
export const PULL_CHANNELS = new Set(['api', 'web']);
