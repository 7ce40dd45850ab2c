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
  summaryTokens: 600,
  /**
   * A tool result at its fullest is kept whole up to this: a guard against a runaway result, not
   * a cap on normal ones (results are shortened only when the window is full, ids kept).
   */
  recentToolResultTokens: 3_000,
  toolTimeoutMs: 10_000,
  /**
   * How fast a killed worker's jobs move to another worker. A job's lock lasts lockMs and is
   * renewed every renewMs from a thread of the worker process (packages/store/src/lock-keeper.ts),
   * so a main event loop running timers a second late on a saturated machine keeps its jobs; the
   * stalled check (every stalledIntervalMs) moves a dead worker's jobs back once their lock ran
   * out: lockMs − renewMs … lockMs + stalledIntervalMs after the kill. The thread itself must not
   * lag more than lockMs − renewMs (its worst measured delay at saturation: ~0.3 s, so 1 s leaves
   * 3× that). A step redelivered by a false takeover is harmless (every handler is idempotent),
   * only slower. Renewed every 500 ms, not 250: each renewal reads the lock of every job in the
   * queue's active list (every worker's), so its Redis work grows with the jobs in flight — 150–250
   * reasoning jobs at the peak profile, 13 % of Redis's script time (issue 17; BENCHMARKS
   * "Session 7, Part S").
   * See docs/RUNBOOK.md, "Job locks", and the measurements in docs/BENCHMARKS.md.
   * activeReplicas (ACTIVE_REPLICAS): 0 = every process of a queue takes its jobs; n > 0 = only n
   * do and the others stand by, taking over within lockMs (store/active-lease.ts, RUNBOOK "Scale
   * workers": on a 2-core host one consumer per queue costs less CPU per job than two).
   */
  jobLocks: { lockMs: 1_500, renewMs: 500, stalledIntervalMs: 250, activeReplicas: 0 },
  /**
   * Jobs a stalled check moved back from a dead worker: a survivor whose slots are all busy
   * would take them only as its own jobs end, one fetch per round trip of a starved loop (up to
   * 4.2 s at load 20). Each worker of that queue is told how many moved back and takes them at
   * once beside its own, at most extraSlotsRatio × its concurrency (packages/store/src/recovery-headroom.ts).
   */
  recoveredJobHeadroom: { extraSlotsRatio: 1 },
  /** The lock keeper stops renewing when the main loop has been stuck this long: a hung process gives its jobs up. */
  jobLockMaxLoopStallMs: 10_000,
  /** Query records, traces and events expire so Redis does not grow without bound. */
  queryTtlSec: 7 * 24 * 3600,
  /**
   * Once a query has ended nothing in the pipeline reads its record, steps, loop history, DAGs or
   * event list again (a redelivered step finds it ended, or finds nothing, and stops): they stay
   * only for API reads (GET /v1/queries/:id, traces) and the archiver. Kept this long after the
   * end (QUERY_DONE_TTL_SEC), so Redis holds hot state, not history (docs/RUNBOOK.md, "Redis memory").
   */
  queryDoneTtlSec: 2 * 3600,
  dedupeTtlSec: 24 * 3600,
  /** A conversation (its messages, summary, working memory) lives this long after its last message (CONVERSATION_IDLE_TTL_SEC). */
  conversationTtlSec: 2 * 24 * 3600,
  /** A handoff record (and its place in the ops list) lives this long. */
  handoffTtlSec: 30 * 24 * 3600,
  /** An unclaimed handoff older than this breaches the SLA (event, metric, one notice to the customer). */
  handoffSlaMs: 5 * 60_000,
  /** Resolved / returned handoff records are pruned this long after closing. */
  handoffRetentionMs: 7 * 24 * 3600_000,
  /**
   * The controller's sweeper: one pass of the fleet per interval; outbox entries older than the
   * outbox grace were left by a writer that died before relaying them; a running query past its
   * deadline by the deadline grace is ended whatever happened to its jobs.
   */
  sweeper: { intervalMs: 1_000, outboxGraceMs: 1_000, deadlineGraceMs: 1_000 },
  /**
   * The query deadline's timer (ADR 0027): every controller polls the `deadlines` set this
   * often (a deadline fires at most about one interval late; each poll that finds nothing due
   * is one script call), claims at most `batch` due queries per pass for `claimMs` (a poller
   * killed mid-pass delays its claimed deadlines by that much, no more) and ends them.
   */
  deadlinePoll: { intervalMs: 250, claimMs: 3_000, batch: 100 },
  /**
   * The fleet-wide event stream is a buffer for its readers (the tracer's consumer group, live
   * watchers), not a history: ~5 events per query, so 50,000 entries hold ~10,000 queries — hours
   * of the use case's peak — at ~1.2 KB each, ~60 MB (docs/RUNBOOK.md, "Redis memory").
   */
  eventsStreamMaxLen: 50_000,
  messageMaxChars: 4_000,
  ports: { ingress: 3000, shop: 3100, simLlm: 3200, tracerMetrics: 3300, archiverMetrics: 3310 },
  /** /healthz and /readyz of a worker process (one container each, so one port for all). */
  healthPort: 9464,
  redisPrefix: '{steward}',
  redisUrl: 'redis://127.0.0.1:6379',
  llmModel: 'sim-llm-1',
  /** One LLM attempt; a query's whole deadline is 30 s, so a hung call must not eat it. */
  llmTimeoutMs: 20_000,
  llmMaxRetries: 3,
  /** Re-asks of a reply that came back empty or with a broken tool call, before the query ends as model_fault. */
  llmMaxFaultRetries: 2,
  /**
   * Jobs in flight per process and role: workers mostly wait on I/O (LLM, shop, platforms).
   * A reasoning slot is held for a whole model call (800 ± 300 ms at the peak profile), so its
   * pool is sized by arrival rate × call time, not by CPU. Measured (bench `jobs_in_flight_peak`):
   * 150 peak-profile customers kept up to 90 reasoning jobs in the system at once, so 500 need
   * ~2.5–3× that: 2 workers × 128 slots, where 2 × 50 made turns wait for a slot. See the
   * RUNBOOK, "Sizing the reasoning pool".
   */
  concurrency: { reasoning: 128, control: 50, tools: 50, deliveries: 20 },
  /** Outbound HTTP call to a messaging platform: past this the attempt fails and BullMQ retries it. */
  deliveryTimeoutMs: 10_000,
  /** Per-conversation LLM budgets: a conversation past them ends its queries with the fallback. */
  budgets: { conversationTokens: 400_000, conversationUsd: 1 },
  bodyLimitBytes: 64 * 1024,
  /**
   * The ingress's request path against a stalled Redis: every command fails after
   * redisCommandTimeoutMs, the Redis work of one request after intakeDeadlineMs, and the caller
   * gets 503 + Retry-After instead of a hung request. Event streams (SSE) are capped per
   * principal and per process and closed after a lifetime.
   */
  ingress: {
    redisCommandTimeoutMs: 2_000,
    intakeDeadlineMs: 5_000,
    redisRetryAfterSec: 5,
    sseMaxPerPrincipal: 20,
    sseMaxTotal: 2_000,
    sseMaxLifetimeMs: 5 * 60_000,
  },
  jaegerUrl: 'http://localhost:16686',
  /** Token buckets: a customer may burst 5 messages, then one every 5 s; a channel 200, then 50/s. */
  rates: { principalPerSec: 100, principalBurst: 400, customerPerSec: 0.2, customerBurst: 5, channelPerSec: 50, channelBurst: 200 },
  /** Waiting + delayed reasoning jobs above which new messages are refused as overloaded (0 = off). */
  maxReasoningBacklog: 2_000,
  tracer: { batchSize: 100, claimIdleMs: 30_000 },
  /**
   * The PostgreSQL archive (on with DATABASE_URL). Hot TTL a day: the debug trace stays on the
   * fast path while a complaint is fresh, then Redis memory goes back to the live pipeline
   * (queries otherwise live 7 days in Redis). Transcripts kept 400 days (a year of complaints plus
   * slack), steps and raw events 90; retention runs hourly.
   */
  archive: {
    schema: 'public',
    hotTtlSec: 24 * 3600,
    retention: 'conversations=400d,steps=90d,events=90d,writes=400d',
    retentionEveryMs: 3600_000,
    batchSize: 200,
    claimIdleMs: 30_000,
  },
  shop: { seed: 42, slowMs: 2_000 },
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
