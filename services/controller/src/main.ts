// controller as its own process: consumes `control` (decide, observe, deadline) and `handoff`.
import { z } from 'zod';
import { CommonEnv, DEFAULTS, intFromEnv, parseEnv } from '@steward/core';
import { commerceTools } from '@steward/commerce';
import { onShutdown, startHealthServer } from '@steward/store';
import { createLogger } from '@steward/telemetry';
import { ToolRegistry } from '@steward/tools';
import { budgetLimitsFromEnv } from '@steward/llm';
import { startController } from './service.ts';

const env = parseEnv(
  CommonEnv.extend({
    MAX_TURNS: intFromEnv(DEFAULTS.maxTurns),
    QUERY_DEADLINE_MS: intFromEnv(DEFAULTS.deadlineMs),
    MAX_TOOL_CALLS: intFromEnv(DEFAULTS.maxToolCallsPerQuery),
    QUERY_TOKEN_BUDGET: intFromEnv(0),
    QUERY_COST_BUDGET_USD: z.coerce.number().nonnegative().default(0),
    CONTROLLER_CONCURRENCY: intFromEnv(50),
    REQUIRE_CONFIRMATION: z.enum(['true', 'false']).default('true'),
    HEALTH_PORT: intFromEnv(9464),
  }),
);
const log = createLogger({ service: 'controller', level: env.LOG_LEVEL, redact: env.REDACT_PII });
const ctl = await startController({
  redisUrl: env.REDIS_URL,
  prefix: env.REDIS_PREFIX,
  registry: new ToolRegistry(commerceTools),
  log,
  concurrency: env.CONTROLLER_CONCURRENCY,
  requireConfirmation: env.REQUIRE_CONFIRMATION === 'true',
  budgets: budgetLimitsFromEnv(),
  limits: {
    maxTurns: env.MAX_TURNS,
    deadlineMs: env.QUERY_DEADLINE_MS,
    maxToolCallsPerQuery: env.MAX_TOOL_CALLS,
    tokenBudget: env.QUERY_TOKEN_BUDGET,
    costBudgetUsd: env.QUERY_COST_BUDGET_USD,
  },
});
const health = await startHealthServer(env.HEALTH_PORT, async () => (await ctl.deps.redis.ping()) === 'PONG');
log.info({ healthPort: env.HEALTH_PORT }, 'controller started');
onShutdown(async () => {
  await ctl.close();
  health.close();
}, log);
