// Defaults of the LLM client, the fleet limiter and the cost ledger. Services override them
// from their environment; these are what a library call gets when it says nothing.

export const LLM_DEFAULTS = {
  /** One attempt; a query's whole deadline is 30 s, so a hung call must not eat it. */
  timeoutMs: 20_000,
  maxRetries: 3,
  /** Re-asks of a reply that came back empty or with a broken tool call, before giving up. */
  maxFaultRetries: 2,
  /** A server asking for a longer pause than this is better handled by pausing the fleet. */
  maxRetryAfterMs: 10_000,
  /** Fleet pause when a 429 carried no Retry-After. */
  fleetPauseMs: 5_000,
} as const;

export const BUDGET_DEFAULTS = {
  /** Prompt + completion tokens of one conversation, all queries together. */
  maxConversationTokens: 400_000,
  maxConversationUsd: 1,
  /** Ledger entries outlive the conversation record a little, for cost reports. */
  ledgerTtlSec: 35 * 24 * 3600,
  /** Per-customer-per-day entries. */
  dailyTtlSec: 8 * 24 * 3600,
  /** How long a recorded call id is remembered, so a redelivered job is not billed twice. */
  dedupeTtlSec: 24 * 3600,
} as const;
