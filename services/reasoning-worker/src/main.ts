// reasoning-worker as its own process: one LLM call per job from `reasoning`.
import { z } from 'zod';
import { CommonEnv, DEFAULTS, intFromEnv, parseEnv } from '@steward/core';
import { commerceTools } from '@steward/commerce';
import { onShutdown, startHealthServer } from '@steward/store';
import { createLogger } from '@steward/telemetry';
import { ToolRegistry } from '@steward/tools';
import { createLlmClient, parseJsonReply, parseTextReply } from '@steward/llm';
import { startReasoningWorker } from './service.ts';

const env = parseEnv(
  CommonEnv.extend({
    OPENAI_BASE_URL: z.string().default(`http://127.0.0.1:${DEFAULTS.ports.simLlm}/v1`),
    OPENAI_API_KEY: z.string().default('sim-llm-needs-no-key'),
    LLM_MODEL: z.string().default(DEFAULTS.llmModel),
    LLM_TIMEOUT_MS: intFromEnv(20_000),
    LLM_RPM: intFromEnv(0),
    LLM_MAX_RETRIES: intFromEnv(3),
    LLM_TOOL_STYLE: z.enum(['native', 'text', 'json']).default('native'),
    // Stream answers to the web chat and SSE as they are generated ("false" to turn off).
    LLM_STREAM: z.enum(['true', 'false']).default('true'),
    // Azure OpenAI only: the api-version query parameter (e.g. 2024-10-21).
    LLM_API_VERSION: z.string().optional(),
    LLM_MAX_FAULT_RETRIES: intFromEnv(2),
    REASONING_CONCURRENCY: intFromEnv(50),
    MAX_CONTEXT_TOKENS: intFromEnv(DEFAULTS.maxContextTokens),
    OUTPUT_TOKENS_PER_TURN: intFromEnv(DEFAULTS.outputTokensPerTurn),
    HISTORY_VERBATIM_MESSAGES: intFromEnv(DEFAULTS.historyVerbatimMessages),
    PROMPT_MODE: z.enum(['budgeted', 'naive']).default('budgeted'),
    HEALTH_PORT: intFromEnv(9464),
  }),
);
const log = createLogger({ service: 'reasoning-worker', level: env.LOG_LEVEL, redact: env.REDACT_PII });
const rw = await startReasoningWorker({
  redisUrl: env.REDIS_URL,
  prefix: env.REDIS_PREFIX,
  registry: new ToolRegistry(commerceTools),
  llm: createLlmClient({
    baseURL: env.OPENAI_BASE_URL,
    apiKey: env.OPENAI_API_KEY,
    model: env.LLM_MODEL,
    timeoutMs: env.LLM_TIMEOUT_MS,
    maxRetries: env.LLM_MAX_RETRIES,
    maxFaultRetries: env.LLM_MAX_FAULT_RETRIES,
    ...(env.LLM_API_VERSION ? { apiVersion: env.LLM_API_VERSION } : {}),
    // 429s go straight back to the worker, which pauses the whole fleet for the time asked.
    maxRateLimitRetries: 0,
  }),
  parseText: env.LLM_TOOL_STYLE === 'json' ? (content) => parseJsonReply(content) : (content) => parseTextReply(content),
  toolStyle: env.LLM_TOOL_STYLE,
  stream: env.LLM_STREAM === 'true',
  log,
  concurrency: env.REASONING_CONCURRENCY,
  rpm: env.LLM_RPM,
  promptMode: env.PROMPT_MODE,
  outputTokens: env.OUTPUT_TOKENS_PER_TURN,
  budget: { maxContextTokens: env.MAX_CONTEXT_TOKENS, verbatimMessages: env.HISTORY_VERBATIM_MESSAGES },
});
const health = await startHealthServer(env.HEALTH_PORT, async () => (await rw.deps.redis.ping()) === 'PONG');
log.info({ model: env.LLM_MODEL, baseUrl: env.OPENAI_BASE_URL, healthPort: env.HEALTH_PORT }, 'reasoning-worker started');
onShutdown(async () => {
  await rw.close();
  health.close();
}, log);
