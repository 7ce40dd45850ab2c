// The one configuration of steward: the environment parsed once (StewardEnv) and grouped by the
// role that uses it. Each section has the shape of that role's start options, so a role's
// main.ts and the all-in-one system (startSystem, `./steward demo`) hand the same section to the
// same start function: a variable cannot work one way and be ignored the other.
import { DEFAULTS } from './constants.ts';
import { ConfigError } from './config-error.ts';
import { StewardEnv } from './steward-env.ts';

/** Who loads the configuration: one role's process, or every role in one process. */
export type StewardRole =
  | 'ingress'
  | 'reasoning-worker'
  | 'controller'
  | 'tool-worker'
  | 'deliveries'
  | 'tracer'
  | 'archiver'
  | 'shop'
  | 'sim-llm'
  | 'system';

/** BullMQ job locks of a worker role (DEFAULTS.jobLocks says how they bound recovery and lag). */
export interface JobLockSettings {
  lockMs: number;
  renewMs: number;
  stalledIntervalMs: number;
  /**
   * How many processes of a queue take its jobs at once (ACTIVE_REPLICAS); the others stand by
   * and take over within lockMs of one's death. Absent or 0: every process takes jobs.
   */
  activeReplicas?: number;
}

/** How long Redis keeps a finished query and an idle conversation (see DEFAULTS.queryDoneTtlSec). */
export interface RetentionSettings {
  queryDoneTtlSec: number;
  conversationTtlSec: number;
}

export interface StewardConfig {
  role: StewardRole;
  redis: { url: string; prefix: string };
  log: { level: StewardEnv['LOG_LEVEL']; redact: boolean };
  /** /healthz and /readyz of a worker process (the all-in-one system has the ingress' instead). */
  healthPort: number;
  ingress: {
    retention: RetentionSettings;
    port: number;
    /** Absent: the ingress (or the demo) generates a key and prints it once. */
    apiKeys?: string;
    adminToken?: string;
    deadlineMs: number;
    bodyLimit: number;
    doubleTexting: StewardEnv['DOUBLE_TEXTING'];
    jaegerUrl: string;
    redisCommandTimeoutMs: number;
    redisDeadlineMs: number;
    metricsToken?: string;
  };
  /** Backpressure of every message intake (token buckets, reasoning backlog); absent = off. */
  admission: {
    perPrincipal?: { rate: number; burst: number };
    perCustomer?: { rate: number; burst: number };
    perChannel?: { rate: number; burst: number };
    maxBacklog?: number;
  };
  /**
   * Whether the all-in-one system starts its own shop / sim-llm: yes unless SHOP_URL /
   * OPENAI_BASE_URL name existing ones. A role process always talks to the URL below.
   */
  embedded: { shop: boolean; llm: boolean };
  llm: {
    baseURL: string;
    apiKey: string;
    model: string;
    timeoutMs: number;
    maxRetries: number;
    maxFaultRetries: number;
    apiVersion?: string;
  };
  reasoning: {
    retention: RetentionSettings;
    jobLocks: JobLockSettings;
    stream: boolean;
    concurrency: number;
    rpm: number;
    toolStyle: StewardEnv['LLM_TOOL_STYLE'];
    promptMode: StewardEnv['PROMPT_MODE'];
    outputTokens: number;
    budget: { maxContextTokens: number; verbatimMessages: number };
  };
  controller: {
    retention: RetentionSettings;
    jobLocks: JobLockSettings;
    concurrency: number;
    requireConfirmation: boolean;
    /** Naive prompts re-send the whole transcript, so the controller must keep it. */
    keepTranscript: boolean;
    limits: { maxTurns: number; deadlineMs: number; maxToolCallsPerQuery: number; historyVerbatimMessages: number };
    budgets: { maxConversationTokens: number; maxConversationUsd: number; maxQueryTokens?: number; maxQueryUsd?: number };
    /** The sweeper's timings, its handoff SLA and the retention of closed handoff records. */
    sweeper: { intervalMs: number; outboxGraceMs: number; deadlineGraceMs: number; handoffSlaMs: number; handoffRetentionMs: number };
  };
  tools: { retention: RetentionSettings; jobLocks: JobLockSettings; concurrency: number; toolTimeoutMs: number };
  /** The commerce backend (default: the reference shop on this machine). */
  shopClient: { url: string; token?: string };
  deliveries: { jobLocks: JobLockSettings; concurrency: number; timeoutMs: number };
  shop: {
    port: number;
    host?: string;
    dataDir?: string;
    dbPath?: string;
    seed: number;
    mode: 'production' | 'demo' | 'test';
    apiToken?: string;
    faultRate: number;
    slowRate: number;
    slowMs: number;
    latencyMs?: { min: number; max: number };
  };
  simLlm: { port: number; host?: string; latency: string; faults?: string; seed: string; chunkDelayMs: number };
  tracer: {
    batchSize: number;
    claimIdleMs: number;
    port: number;
    consumerName?: string;
    captureContent: boolean;
    /** The credential of the tracer's /metrics, as the ingress' (METRICS_TOKEN, or ADMIN_TOKEN). */
    metricsToken?: string;
    adminToken?: string;
  };
  /**
   * The PostgreSQL archive: on when databaseUrl is set (the archiver role, the operator API over
   * it, short hot TTLs in Redis). The other fields have the shape of the archiver's start options.
   */
  archive: {
    databaseUrl?: string;
    schema: string;
    pii: StewardEnv['ARCHIVE_PII'];
    hotTtlSec: number;
    retention: string;
    retentionEveryMs: number;
    batchSize: number;
    claimIdleMs: number;
    consumerName?: string;
    /** /healthz, /readyz, /metrics of an archiver process; 0 = off. */
    port: number;
  };
  /**
   * The environment this configuration was loaded from (empty values removed). Settings whose
   * meaning belongs to one package (channel secrets and API bases, OTLP exporter, LLM price
   * table) are validated above and interpreted by that package from this same object, never
   * from process.env behind the caller's back.
   */
  env: Readonly<Record<string, string>>;
}

const opt = <K extends string, V>(key: K, v: V | undefined): { [P in K]?: V } =>
  (v === undefined ? {} : { [key]: v }) as { [P in K]?: V };

/**
 * Parse the environment once. An invalid value throws a ConfigError naming every bad variable
 * (not retryable: the process must not start). An empty value counts as unset (compose and
 * Kubernetes pass `VAR=` for settings left blank).
 */
export function loadConfig(env: NodeJS.ProcessEnv | Record<string, string | undefined> = process.env, role: StewardRole = 'system'): StewardConfig {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v.trim() !== '') clean[k] = v;
  const r = StewardEnv.safeParse(clean);
  if (!r.success) {
    throw new ConfigError(r.error.issues.map((i) => ({ variable: String(i.path[0] ?? '(environment)'), message: i.message })));
  }
  const e = r.data;
  if (e.JOB_LOCK_RENEW_MS >= e.JOB_LOCK_MS) {
    throw new ConfigError([{ variable: 'JOB_LOCK_RENEW_MS', message: `must be shorter than JOB_LOCK_MS (${e.JOB_LOCK_MS})` }]);
  }
  const jobLocks: JobLockSettings = { lockMs: e.JOB_LOCK_MS, renewMs: e.JOB_LOCK_RENEW_MS, stalledIntervalMs: e.STALLED_INTERVAL_MS, activeReplicas: e.ACTIVE_REPLICAS };
  const retention: RetentionSettings = { queryDoneTtlSec: e.QUERY_DONE_TTL_SEC, conversationTtlSec: e.CONVERSATION_IDLE_TTL_SEC };
  const own = (r: StewardRole, fallback: number, other: number | undefined) => (role === r ? (e.PORT ?? fallback) : (other ?? fallback));
  return {
    role,
    redis: { url: e.REDIS_URL, prefix: e.REDIS_PREFIX },
    log: { level: e.LOG_LEVEL, redact: e.REDACT_PII },
    healthPort: e.HEALTH_PORT,
    ingress: {
      retention,
      // In one process PORT is the ingress' port: it is the one the caller talks to.
      port: role === 'ingress' || role === 'system' ? (e.PORT ?? DEFAULTS.ports.ingress) : DEFAULTS.ports.ingress,
      ...opt('apiKeys', e.INGRESS_API_KEYS),
      ...opt('adminToken', e.ADMIN_TOKEN),
      deadlineMs: e.QUERY_DEADLINE_MS,
      bodyLimit: e.BODY_LIMIT_BYTES,
      doubleTexting: e.DOUBLE_TEXTING,
      jaegerUrl: e.JAEGER_URL,
      redisCommandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
      redisDeadlineMs: e.REDIS_DEADLINE_MS,
      ...opt('metricsToken', e.METRICS_TOKEN),
    },
    admission: {
      ...(e.RATE_PRINCIPAL_PER_SEC > 0 ? { perPrincipal: { rate: e.RATE_PRINCIPAL_PER_SEC, burst: Math.max(1, e.RATE_PRINCIPAL_BURST) } } : {}),
      ...(e.RATE_CUSTOMER_PER_SEC > 0 ? { perCustomer: { rate: e.RATE_CUSTOMER_PER_SEC, burst: Math.max(1, e.RATE_CUSTOMER_BURST) } } : {}),
      ...(e.RATE_CHANNEL_PER_SEC > 0 ? { perChannel: { rate: e.RATE_CHANNEL_PER_SEC, burst: Math.max(1, e.RATE_CHANNEL_BURST) } } : {}),
      ...(e.MAX_REASONING_BACKLOG > 0 ? { maxBacklog: e.MAX_REASONING_BACKLOG } : {}),
    },
    embedded: { shop: e.SHOP_URL === undefined, llm: e.OPENAI_BASE_URL === undefined },
    llm: {
      baseURL: e.OPENAI_BASE_URL ?? `http://127.0.0.1:${e.SIM_LLM_PORT ?? DEFAULTS.ports.simLlm}/v1`,
      apiKey: e.OPENAI_API_KEY ?? 'sim-llm-needs-no-key',
      model: e.LLM_MODEL,
      timeoutMs: e.LLM_TIMEOUT_MS,
      maxRetries: e.LLM_MAX_RETRIES,
      maxFaultRetries: e.LLM_MAX_FAULT_RETRIES,
      ...opt('apiVersion', e.LLM_API_VERSION),
    },
    reasoning: {
      retention,
      jobLocks,
      stream: e.LLM_STREAM === 'true',
      concurrency: e.REASONING_CONCURRENCY,
      rpm: e.LLM_RPM,
      toolStyle: e.LLM_TOOL_STYLE,
      promptMode: e.PROMPT_MODE,
      outputTokens: e.OUTPUT_TOKENS_PER_TURN,
      budget: { maxContextTokens: e.MAX_CONTEXT_TOKENS, verbatimMessages: e.HISTORY_VERBATIM_MESSAGES },
    },
    controller: {
      retention,
      jobLocks,
      concurrency: e.CONTROLLER_CONCURRENCY,
      requireConfirmation: e.REQUIRE_CONFIRMATION,
      keepTranscript: e.PROMPT_MODE === 'naive',
      limits: {
        maxTurns: e.MAX_TURNS,
        deadlineMs: e.QUERY_DEADLINE_MS,
        maxToolCallsPerQuery: e.MAX_TOOL_CALLS,
        // The controller folds old messages into the summary at the same window the prompt uses.
        historyVerbatimMessages: e.HISTORY_VERBATIM_MESSAGES,
      },
      budgets: {
        maxConversationTokens: e.LLM_BUDGET_CONVERSATION_TOKENS,
        maxConversationUsd: e.LLM_BUDGET_CONVERSATION_USD,
        ...opt('maxQueryTokens', e.LLM_BUDGET_QUERY_TOKENS),
        ...opt('maxQueryUsd', e.LLM_BUDGET_QUERY_USD),
      },
      sweeper: {
        intervalMs: e.SWEEPER_INTERVAL_MS,
        outboxGraceMs: e.SWEEPER_OUTBOX_GRACE_MS,
        deadlineGraceMs: e.SWEEPER_DEADLINE_GRACE_MS,
        handoffSlaMs: Math.round(e.HANDOFF_SLA_MINUTES * 60_000),
        handoffRetentionMs: Math.round(e.HANDOFF_RETENTION_HOURS * 3_600_000),
      },
    },
    tools: { retention, jobLocks, concurrency: e.TOOL_CONCURRENCY, toolTimeoutMs: e.TOOL_TIMEOUT_MS },
    shopClient: {
      url: e.SHOP_URL ?? `http://127.0.0.1:${e.SHOP_PORT ?? DEFAULTS.ports.shop}`,
      ...opt('token', e.SHOP_API_TOKEN),
    },
    deliveries: { jobLocks, concurrency: e.DELIVERY_CONCURRENCY, timeoutMs: e.DELIVERY_TIMEOUT_MS },
    shop: {
      port: own('shop', DEFAULTS.ports.shop, e.SHOP_PORT),
      ...opt('host', e.HOST),
      ...opt('dataDir', e.SHOP_DATA),
      ...opt('dbPath', e.SHOP_DB),
      seed: e.SHOP_SEED,
      mode: e.SHOP_MODE,
      ...opt('apiToken', e.SHOP_API_TOKEN),
      faultRate: e.SHOP_FAULT_RATE,
      slowRate: e.SHOP_SLOW_RATE,
      slowMs: e.SHOP_SLOW_MS,
      ...(e.SHOP_LATENCY_MS ? { latencyMs: msRange(e.SHOP_LATENCY_MS) } : {}),
    },
    simLlm: {
      port: own('sim-llm', DEFAULTS.ports.simLlm, e.SIM_LLM_PORT),
      ...opt('host', e.HOST),
      latency: e.SIM_LLM_LATENCY,
      ...opt('faults', e.SIM_LLM_FAULTS),
      seed: e.SIM_LLM_SEED,
      chunkDelayMs: e.SIM_LLM_CHUNK_DELAY_MS,
    },
    tracer: {
      batchSize: e.TRACER_BATCH_SIZE,
      claimIdleMs: e.TRACER_CLAIM_IDLE_MS,
      port: e.TRACER_PORT,
      ...opt('consumerName', e.TRACER_CONSUMER_NAME),
      captureContent: e.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT,
      ...opt('metricsToken', e.METRICS_TOKEN),
      ...opt('adminToken', e.ADMIN_TOKEN),
    },
    archive: {
      ...opt('databaseUrl', e.DATABASE_URL),
      schema: e.ARCHIVE_SCHEMA,
      pii: e.ARCHIVE_PII,
      hotTtlSec: e.ARCHIVE_HOT_TTL_SEC,
      retention: e.ARCHIVE_RETENTION,
      retentionEveryMs: e.ARCHIVE_RETENTION_EVERY_MS,
      batchSize: e.ARCHIVER_BATCH_SIZE,
      claimIdleMs: e.ARCHIVER_CLAIM_IDLE_MS,
      ...opt('consumerName', e.ARCHIVER_CONSUMER_NAME),
      port: e.ARCHIVER_PORT,
    },
    env: Object.freeze(clean),
  };
}

/** `20-100` → {min: 20, max: 100}; `50` → {min: 50, max: 50}. */
function msRange(v: string): { min: number; max: number } {
  const [a, b] = v.split('-').map(Number) as [number, number | undefined];
  return { min: a, max: b ?? a };
}
