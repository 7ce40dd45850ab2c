// Every limit and behaviour-changing default of steward lives here; services read overrides
// from the environment through config.ts, never by scattering literals.

export const DEFAULTS = {
  /** ReAct turns per query before the controller ends it with the fallback answer. */
  maxTurns: 8,
  /** Wall-clock deadline of one query: past it the customer has given up waiting. */
  deadlineMs: 30_000,
  /** Circuit breaker: tool calls of one query, all turns together. */
  maxToolCallsPerQuery: 24,
  /** Tool calls one turn may propose; more are refused as malformed. */
  maxToolCallsPerTurn: 8,
  maxContextTokens: 8_000,
  outputTokensPerTurn: 500,
  /** Messages of the conversation kept verbatim in the prompt; older ones live in the summary. */
  historyVerbatimMessages: 6,
  /** The rolling summary of older turns stays under this many tokens: ids and outcomes, not prose. */
  summaryTokens: 256,
  /**
   * A tool result of the current turn in the prompt (head and tail kept, the middle cut past
   * this). Large enough for a whole order record: a record cut in the middle misleads the model.
   */
  recentToolResultTokens: 1_600,
  toolTimeoutMs: 10_000,
  /**
   * BullMQ job lock 4 s (renewed every 2 s while the worker lives), stalled check every 1.5 s:
   * a crashed worker's jobs resume within ~5 s, before the customer gives up. A step that is
   * redelivered because its worker stalled is harmless: every handler is idempotent.
   */
  jobLockMs: 4_000,
  stalledIntervalMs: 1_500,
  /** Query records, traces and events expire so Redis does not grow without bound. */
  queryTtlSec: 7 * 24 * 3600,
  dedupeTtlSec: 24 * 3600,
  conversationTtlSec: 30 * 24 * 3600,
  /** A handoff record (and its place in the ops list) lives this long. */
  handoffTtlSec: 30 * 24 * 3600,
  eventsStreamMaxLen: 200_000,
  messageMaxChars: 4_000,
  ports: { ingress: 3000, shop: 3100, simLlm: 3200, tracerMetrics: 3300 },
  redisPrefix: '{steward}',
  llmModel: 'sim-llm-1',
} as const;

/** Loop detection thresholds (see packages/control). */
export const LOOP_THRESHOLDS = {
  /** Identical call (tool + args + result) seen this many times → warning; +1 → critical. */
  noProgressWarn: 2,
  noProgressCritical: 3,
  /** Same tool name consecutively, whatever the arguments. */
  sameToolWarn: 3,
  sameToolCritical: 5,
  /** A-B-A-B alternation with no new results. */
  pingPongCycles: 2,
  unknownToolWarn: 2,
  unknownToolCritical: 3,
  repeatedAnswerCritical: 2,
} as const;
