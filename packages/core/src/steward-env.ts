// Every environment variable of steward (the README's configuration table), one zod entry each.
// Parsed once at start-up by loadConfig; the defaults come from DEFAULTS, nowhere else.
import { z } from 'zod';
import { DEFAULTS } from './constants.ts';

const int = (def: number) => z.coerce.number().int().nonnegative().default(def);
const num = (def: number) => z.coerce.number().nonnegative().default(def);
const optNum = z.coerce.number().nonnegative().optional();
const port = (def: number) => z.coerce.number().int().min(0).max(65_535).default(def);
const optPort = z.coerce.number().int().min(0).max(65_535).optional();
const rate = z.coerce.number().min(0).max(1).default(0);
const bool = (def: boolean) =>
  z
    .enum(['true', 'false', 'TRUE', 'FALSE', 'True', 'False', '1', '0'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === 'TRUE' || v === 'True' || v === '1');
const text = z.string().min(1).optional();
const url = z.url().optional();
/** `name=value,name=value` (WEBHOOK_SECRETS, WEBHOOK_CALLBACKS, OTEL_EXPORTER_OTLP_HEADERS). */
const pairs = z
  .string()
  .regex(/^\s*[^=,\s][^=,]*=[^,]+(,\s*[^=,\s][^=,]*=[^,]+)*\s*$/, 'expected name=value pairs separated by commas')
  .optional();
/** A JSON object, checked here so a typo stops the service at start, not at the first LLM call. */
const jsonObject = z
  .string()
  .refine((s) => {
    try {
      const v: unknown = JSON.parse(s);
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    } catch {
      return false;
    }
  }, 'expected a JSON object')
  .optional();

/** The archive's tables with a retention of their own (packages/archive deletes by these names). */
export const ARCHIVE_RETENTION_TABLES = ['conversations', 'queries', 'messages', 'steps', 'events', 'writes'] as const;
/** `table=<n><d|h|m|s>` pairs, e.g. `conversations=400d,steps=90d`. */
const retentionPart = `\\s*(${ARCHIVE_RETENTION_TABLES.join('|')})\\s*=\\s*\\d+\\s*[dhms]\\s*`;
const retention = z
  .string()
  .regex(new RegExp(`^${retentionPart}(,${retentionPart})*$`), `expected table=<n>d|h|m|s pairs, tables: ${ARCHIVE_RETENTION_TABLES.join(', ')}`);

export const StewardEnv = z.object({
  // every service
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'expected redis:// or rediss:// URL').default(DEFAULTS.redisUrl),
  REDIS_PREFIX: z.string().min(1).default(DEFAULTS.redisPrefix),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REDACT_PII: bool(true),
  PORT: optPort,
  HOST: text,
  HEALTH_PORT: port(DEFAULTS.healthPort),
  // ingress
  INGRESS_API_KEYS: text,
  ADMIN_TOKEN: text,
  QUERY_DEADLINE_MS: int(DEFAULTS.deadlineMs),
  BODY_LIMIT_BYTES: int(DEFAULTS.bodyLimitBytes),
  DOUBLE_TEXTING: z.enum(['queue', 'restart']).default('queue'),
  /** A stalled Redis turns into 503 + Retry-After after these bounds instead of a hung request. */
  REDIS_COMMAND_TIMEOUT_MS: int(DEFAULTS.ingress.redisCommandTimeoutMs),
  REDIS_DEADLINE_MS: int(DEFAULTS.ingress.intakeDeadlineMs),
  /** Bearer token Prometheus must send to the ingress' GET /metrics; unset = open (private network only). */
  METRICS_TOKEN: z.string().min(16).optional(),
  JAEGER_URL: z.url().default(DEFAULTS.jaegerUrl),
  RATE_PRINCIPAL_PER_SEC: num(DEFAULTS.rates.principalPerSec),
  RATE_PRINCIPAL_BURST: num(DEFAULTS.rates.principalBurst),
  RATE_CUSTOMER_PER_SEC: num(DEFAULTS.rates.customerPerSec),
  RATE_CUSTOMER_BURST: num(DEFAULTS.rates.customerBurst),
  RATE_CHANNEL_PER_SEC: num(DEFAULTS.rates.channelPerSec),
  RATE_CHANNEL_BURST: num(DEFAULTS.rates.channelBurst),
  MAX_REASONING_BACKLOG: int(DEFAULTS.maxReasoningBacklog),
  // ingress, reasoning-worker, controller, tool-worker: how long Redis keeps what (DEFAULTS)
  QUERY_DONE_TTL_SEC: z.coerce.number().int().min(60).default(DEFAULTS.queryDoneTtlSec),
  CONVERSATION_IDLE_TTL_SEC: z.coerce.number().int().min(3600).default(DEFAULTS.conversationTtlSec),
  // every worker (reasoning, controller, tools, deliveries): BullMQ job locks, see DEFAULTS.jobLocks
  JOB_LOCK_MS: z.coerce.number().int().min(100).default(DEFAULTS.jobLocks.lockMs),
  JOB_LOCK_RENEW_MS: z.coerce.number().int().min(50).default(DEFAULTS.jobLocks.renewMs),
  STALLED_INTERVAL_MS: z.coerce.number().int().min(50).default(DEFAULTS.jobLocks.stalledIntervalMs),
  // every worker: how many processes of each queue take its jobs (0 = all); the others stand by
  ACTIVE_REPLICAS: z.coerce.number().int().min(0).default(DEFAULTS.jobLocks.activeReplicas),
  // reasoning-worker
  OPENAI_BASE_URL: url,
  OPENAI_API_KEY: text,
  LLM_MODEL: z.string().min(1).default(DEFAULTS.llmModel),
  LLM_TOOL_STYLE: z.enum(['native', 'text', 'json']).default('native'),
  /** Stream answers to the web chat and SSE as they are generated ("false" to turn off). */
  LLM_STREAM: z.enum(['true', 'false']).default('true'),
  /** Azure OpenAI only: the api-version query parameter (e.g. 2024-10-21). */
  LLM_API_VERSION: text,
  LLM_MAX_FAULT_RETRIES: int(DEFAULTS.llmMaxFaultRetries),
  LLM_TIMEOUT_MS: int(DEFAULTS.llmTimeoutMs),
  LLM_MAX_RETRIES: int(DEFAULTS.llmMaxRetries),
  LLM_RPM: int(0),
  LLM_PRICING: jsonObject,
  LLM_PRICING_FILE: text,
  MAX_CONTEXT_TOKENS: int(DEFAULTS.maxContextTokens),
  OUTPUT_TOKENS_PER_TURN: int(DEFAULTS.outputTokensPerTurn),
  HISTORY_VERBATIM_MESSAGES: int(DEFAULTS.historyVerbatimMessages),
  PROMPT_MODE: z.enum(['budgeted', 'naive']).default('budgeted'),
  REASONING_CONCURRENCY: int(DEFAULTS.concurrency.reasoning),
  // controller
  MAX_TURNS: int(DEFAULTS.maxTurns),
  MAX_TOOL_CALLS: int(DEFAULTS.maxToolCallsPerQuery),
  REQUIRE_CONFIRMATION: bool(true),
  LLM_BUDGET_CONVERSATION_TOKENS: num(DEFAULTS.budgets.conversationTokens),
  LLM_BUDGET_CONVERSATION_USD: num(DEFAULTS.budgets.conversationUsd),
  LLM_BUDGET_QUERY_TOKENS: optNum,
  LLM_BUDGET_QUERY_USD: optNum,
  CONTROLLER_CONCURRENCY: int(DEFAULTS.concurrency.control),
  HANDOFF_SLA_MINUTES: num(DEFAULTS.handoffSlaMs / 60_000),
  HANDOFF_RETENTION_HOURS: num(DEFAULTS.handoffRetentionMs / 3_600_000),
  SWEEPER_INTERVAL_MS: z.coerce.number().int().positive().default(DEFAULTS.sweeper.intervalMs),
  SWEEPER_OUTBOX_GRACE_MS: int(DEFAULTS.sweeper.outboxGraceMs),
  SWEEPER_DEADLINE_GRACE_MS: int(DEFAULTS.sweeper.deadlineGraceMs),
  // tool-worker (and shop: SHOP_API_TOKEN)
  SHOP_URL: url,
  SHOP_API_TOKEN: text,
  TOOL_TIMEOUT_MS: int(DEFAULTS.toolTimeoutMs),
  TOOL_CONCURRENCY: int(DEFAULTS.concurrency.tools),
  // deliveries
  DELIVERY_CONCURRENCY: int(DEFAULTS.concurrency.deliveries),
  DELIVERY_TIMEOUT_MS: int(DEFAULTS.deliveryTimeoutMs),
  // shop
  SHOP_PORT: optPort,
  SHOP_DATA: text,
  SHOP_DB: text,
  SHOP_SEED: z.coerce.number().int().default(DEFAULTS.shop.seed),
  /** production needs SHOP_API_TOKEN (24+ characters) and has no /v1/export or /v1/reset; demo/test have both. */
  SHOP_MODE: z.enum(['production', 'demo', 'test']).default('production'),
  SHOP_FAULT_RATE: rate,
  SHOP_SLOW_RATE: rate,
  SHOP_SLOW_MS: int(DEFAULTS.shop.slowMs),
  /** Every tool call takes this long, e.g. `20-100` (ms, uniform): a merchant system's latency, for benchmarks. */
  SHOP_LATENCY_MS: z
    .string()
    .regex(/^\d+(-\d+)?$/, 'a number of ms or a range like 20-100')
    .optional(),
  // sim-llm
  SIM_LLM_PORT: optPort,
  SIM_LLM_LATENCY: z
    .string()
    .regex(/^\s*\d+\s*(?:ms)?\s*(?:(?:±|\+-|\+\/-)\s*\d+\s*(?:ms)?)?\s*$/, 'expected milliseconds, e.g. 300 or 300±100ms')
    .default('0'),
  /** Streamed replies: ms between two chunks (the demo uses 15 so the web chat shows the answer being written). */
  SIM_LLM_CHUNK_DELAY_MS: int(0),
  SIM_LLM_FAULTS: z
    .string()
    .regex(/^(\s*(429|500|timeout|malformed)\s*:\s*(0(\.\d+)?|1(\.0+)?)\s*)(,\s*(429|500|timeout|malformed)\s*:\s*(0(\.\d+)?|1(\.0+)?)\s*)*$/, 'expected kind:rate pairs, e.g. 429:0.3,timeout:0.02')
    .optional(),
  SIM_LLM_SEED: z.string().min(1).default('1'),
  // tracer
  OTEL_EXPORTER_OTLP_ENDPOINT: url,
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(['http/protobuf', 'http/json', 'grpc']).default('http/protobuf'),
  OTEL_EXPORTER_OTLP_HEADERS: pairs,
  OTEL_SERVICE_NAME: z.string().min(1).default('steward'),
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'none']).default('otlp'),
  OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: bool(false),
  TRACER_BATCH_SIZE: z.coerce.number().int().positive().default(DEFAULTS.tracer.batchSize),
  TRACER_CLAIM_IDLE_MS: int(DEFAULTS.tracer.claimIdleMs),
  TRACER_PORT: port(DEFAULTS.ports.tracerMetrics),
  TRACER_CONSUMER_NAME: text,
  // archiver (DATABASE_URL and ARCHIVE_SCHEMA also ingress: the operator API over the archive)
  /** Unset = no archive: nothing is written, no operator routes over it, Redis TTLs as they are. */
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'expected a postgres:// or postgresql:// URL').optional(),
  /** Schema of the archive's tables and of its migrations table (a lower-case SQL identifier). */
  ARCHIVE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL identifier, e.g. steward_archive').default(DEFAULTS.archive.schema),
  /** `redact`: emails, phones, addresses, card digits in archived free text become placeholders; `keep`: stored as said. */
  ARCHIVE_PII: z.enum(['redact', 'keep']).default('redact'),
  /** TTL given to a query's Redis records once archived; 0 keeps the normal TTLs. */
  ARCHIVE_HOT_TTL_SEC: int(DEFAULTS.archive.hotTtlSec),
  ARCHIVE_RETENTION: retention.default(DEFAULTS.archive.retention),
  /** Period of the retention job; 0 = no scheduled runs. */
  ARCHIVE_RETENTION_EVERY_MS: int(DEFAULTS.archive.retentionEveryMs),
  ARCHIVER_BATCH_SIZE: z.coerce.number().int().positive().default(DEFAULTS.archive.batchSize),
  ARCHIVER_CLAIM_IDLE_MS: int(DEFAULTS.archive.claimIdleMs),
  /** Stable per replica (the pod name) so a restarted replica resumes its own pending entries at once. */
  ARCHIVER_CONSUMER_NAME: text,
  ARCHIVER_PORT: port(DEFAULTS.ports.archiverMetrics),
  // channels (ingress verifies, deliveries sends)
  SLACK_SIGNING_SECRET: text,
  SLACK_BOT_TOKEN: text,
  WHATSAPP_APP_SECRET: text,
  WHATSAPP_VERIFY_TOKEN: text,
  WHATSAPP_ACCESS_TOKEN: text,
  WHATSAPP_PHONE_NUMBER_ID: text,
  TELEGRAM_SECRET_TOKEN: text,
  TELEGRAM_BOT_TOKEN: text,
  WEBHOOK_SECRETS: pairs,
  WEBHOOK_CALLBACKS: pairs,
  WEB_CHAT_DEMO_KEY: z.string().min(8).optional(),
});
export type StewardEnv = z.infer<typeof StewardEnv>;

/** The variables of the table, in its order (the README test compares the two). */
export const STEWARD_ENV_VARIABLES = Object.keys(StewardEnv.shape) as (keyof StewardEnv)[];
