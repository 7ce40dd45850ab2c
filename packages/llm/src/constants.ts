// Defaults of the LLM client, the fleet limiter and the cost ledger. Services override them
// from their environment; these are what a library call gets when it says nothing. The ones an
// operator can set (LLM_TIMEOUT_MS, LLM_MAX_RETRIES, LLM_BUDGET_*) come from core's DEFAULTS.
import { DEFAULTS } from '@steward/core';

export const LLM_DEFAULTS = {
  timeoutMs: DEFAULTS.llmTimeoutMs,
  maxRetries: DEFAULTS.llmMaxRetries,
  maxFaultRetries: DEFAULTS.llmMaxFaultRetries,
  /** A server asking for a longer pause than this is better handled by pausing the fleet. */
  maxRetryAfterMs: 10_000,
  /** Fleet pause when a 429 carried no Retry-After. */
  fleetPauseMs: 5_000,
  /**
   * Keep-alive sockets to the provider per client, when the caller does not say. The
   * reasoning-worker passes its REASONING_CONCURRENCY (one socket per slot), so its calls never
   * queue for a socket.
   */
  maxSockets: 64,
} as const;

export const BUDGET_DEFAULTS = {
  /** Prompt + completion tokens of one conversation, all queries together. */
  maxConversationTokens: DEFAULTS.budgets.conversationTokens,
  maxConversationUsd: DEFAULTS.budgets.conversationUsd,
  /** Ledger entries outlive the conversation record (its idle TTL by default) a little, for cost reports. */
  ledgerTtlSec: DEFAULTS.conversationTtlSec + 24 * 3600,
  /** Per-customer-per-day entries. */
  dailyTtlSec: 8 * 24 * 3600,
  /** How long a recorded call id is remembered, so a redelivered job is not billed twice. */
  dedupeTtlSec: 24 * 3600,
} as const;
