// reasoning-worker as its own process: one LLM call per job from `reasoning`.
// The configuration is parsed once by loadConfig; startSystem hands the same sections over.
// It takes each turn's step where the proposal arrives, so it reads the controller's section
// too (MAX_TURNS, QUERY_DEADLINE_MS, MAX_TOOL_CALLS, REQUIRE_CONFIRMATION, LLM_BUDGET_*…).
import { loadConfig } from '@steward/core';
import { commerceTools } from '@steward/commerce';
import { onShutdown, startHealthServer } from '@steward/store';
import { createLogger } from '@steward/telemetry';
import { ToolRegistry } from '@steward/tools';
import { createLlmClient, loadPricing, parseJsonReply, parseTextReply, setActivePricing } from '@steward/llm';
import { startReasoningWorker } from './service.ts';

const cfg = loadConfig(process.env, 'reasoning-worker');
const log = createLogger({ service: 'reasoning-worker', level: cfg.log.level, redact: cfg.log.redact });
// LLM_PRICING / LLM_PRICING_FILE: a bad table stops the process here, not at the first call.
setActivePricing(loadPricing(cfg.env));
// The step rules only: the controller's concurrency, locks and sweeper are not this role's.
const { limits, requireConfirmation, budgets, keepTranscript } = cfg.controller;
const rw = await startReasoningWorker({
  redisUrl: cfg.redis.url,
  prefix: cfg.redis.prefix,
  registry: new ToolRegistry(commerceTools),
  // 429s go straight back to the worker, which pauses the whole fleet for the time asked. One
  // socket per reasoning slot: every slot's model call has a connection, none queues for one.
  llm: createLlmClient({ ...cfg.llm, maxRateLimitRetries: 0, maxSockets: cfg.reasoning.concurrency }),
  parseText: cfg.reasoning.toolStyle === 'json' ? (content) => parseJsonReply(content) : (content) => parseTextReply(content),
  log,
  ...cfg.reasoning,
  steps: { limits, requireConfirmation, budgets, keepTranscript },
});
const health = await startHealthServer(cfg.healthPort, async () => (await rw.deps.redis.ping()) === 'PONG');
log.info({ model: cfg.llm.model, baseUrl: cfg.llm.baseURL, healthPort: cfg.healthPort }, 'reasoning-worker started');
onShutdown(async () => {
  await rw.close();
  health.close();
}, log);
