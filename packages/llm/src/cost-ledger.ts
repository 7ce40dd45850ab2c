// What LLM calls cost, per query, per conversation and per customer per day, in Redis hashes
// (fields usd, input, output, calls). One Lua script records a call everywhere at once and
// remembers its call id, so a redelivered reasoning job is not billed twice.
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { keysFor } from '@steward/core';
import { BUDGET_DEFAULTS } from './constants.ts';

export interface CostRecord {
  queryId: string;
  conversationId: string;
  /** The verified customer; absent before identification (then no per-customer entry). */
  customerId?: string | undefined;
  /** UTC day `YYYY-MM-DD`; defaults to today. */
  day?: string;
  usd: number;
  inputTokens: number;
  outputTokens: number;
  /** Unique per LLM call (e.g. the reasoning job id `{queryId}:t{n}:reason`): makes recording idempotent. */
  callId?: string;
}

export interface CostTotals {
  usd: number;
  inputTokens: number;
  outputTokens: number;
  calls: number;
}

export interface LedgerTtls {
  ledgerTtlSec?: number;
  dailyTtlSec?: number;
  dedupeTtlSec?: number;
}

/** The ledger's keys, built in @steward/core's redis-keys.ts (namespace `cost`). */
export const costKeys = {
  query: (prefix: string, queryId: string) => keysFor(prefix).costQuery(queryId),
  conversation: (prefix: string, conversationId: string) => keysFor(prefix).costConversation(conversationId),
  customerDay: (prefix: string, customerId: string, day: string) => keysFor(prefix).costCustomerDay(customerId, day),
  seen: (prefix: string, callId: string) => keysFor(prefix).costSeen(callId),
};

// KEYS: seen, query, conversation[, customerDay]. ARGV: usd, input, output, ledgerTtl, dailyTtl, dedupeTtl, useSeen.
const RECORD = `
if ARGV[7] == '1' then
  if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[6]) then return 0 end
end
for i = 2, #KEYS do
  redis.call('HINCRBYFLOAT', KEYS[i], 'usd', ARGV[1])
  redis.call('HINCRBY', KEYS[i], 'input', ARGV[2])
  redis.call('HINCRBY', KEYS[i], 'output', ARGV[3])
  redis.call('HINCRBY', KEYS[i], 'calls', 1)
  redis.call('EXPIRE', KEYS[i], i == 4 and ARGV[5] or ARGV[4])
end
return 1
`;

export function utcDay(ms: number = Date.now()): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Add one call's cost. Returns false when `callId` was already recorded (nothing added). */
export async function recordCost(redis: Redis, prefix: string, rec: CostRecord, ttls: LedgerTtls = {}): Promise<boolean> {
  const keys = [
    costKeys.seen(prefix, rec.callId ?? '-'),
    costKeys.query(prefix, rec.queryId),
    costKeys.conversation(prefix, rec.conversationId),
  ];
  if (rec.customerId) keys.push(costKeys.customerDay(prefix, rec.customerId, rec.day ?? utcDay()));
  const r = await redis.eval(
    RECORD,
    keys.length,
    ...keys,
    rec.usd.toFixed(10),
    String(Math.round(rec.inputTokens)),
    String(Math.round(rec.outputTokens)),
    String(ttls.ledgerTtlSec ?? BUDGET_DEFAULTS.ledgerTtlSec),
    String(ttls.dailyTtlSec ?? BUDGET_DEFAULTS.dailyTtlSec),
    String(ttls.dedupeTtlSec ?? BUDGET_DEFAULTS.dedupeTtlSec),
    rec.callId ? '1' : '0',
  );
  return r === 1;
}

export async function readCost(redis: Redis, key: string): Promise<CostTotals> {
  const h = await redis.hgetall(key);
  return {
    usd: Number(h.usd ?? 0),
    inputTokens: Number(h.input ?? 0),
    outputTokens: Number(h.output ?? 0),
    calls: Number(h.calls ?? 0),
  };
}

export const BudgetLimits = z.object({
  maxConversationTokens: z.number().nonnegative().default(BUDGET_DEFAULTS.maxConversationTokens),
  maxConversationUsd: z.number().nonnegative().default(BUDGET_DEFAULTS.maxConversationUsd),
  /** Optional caps of one query. */
  maxQueryTokens: z.number().nonnegative().optional(),
  maxQueryUsd: z.number().nonnegative().optional(),
});
export type BudgetLimits = z.infer<typeof BudgetLimits>;

/** Limits from LLM_BUDGET_CONVERSATION_TOKENS / _USD and LLM_BUDGET_QUERY_TOKENS / _USD. */
export function budgetLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): BudgetLimits {
  const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));
  const raw = Object.fromEntries(
    Object.entries({
      maxConversationTokens: num(env.LLM_BUDGET_CONVERSATION_TOKENS),
      maxConversationUsd: num(env.LLM_BUDGET_CONVERSATION_USD),
      maxQueryTokens: num(env.LLM_BUDGET_QUERY_TOKENS),
      maxQueryUsd: num(env.LLM_BUDGET_QUERY_USD),
    }).filter(([, v]) => v !== undefined),
  );
  const r = BudgetLimits.safeParse(raw);
  if (!r.success) throw new Error(`invalid LLM_BUDGET_* environment: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

export type BudgetCheck =
  | { ok: true; conversation: CostTotals; query?: CostTotals }
  | { ok: false; exceeded: 'token_budget' | 'cost_budget'; conversation: CostTotals; query?: CostTotals };

/**
 * Whether the conversation (and, if limits are set, the query) may make another LLM call.
 * A budget that has been reached counts as exceeded: the next call would go past it.
 */
export async function checkBudget(
  redis: Redis,
  prefix: string,
  scope: { conversationId: string; queryId?: string },
  limits: Partial<BudgetLimits> = {},
): Promise<BudgetCheck> {
  const l = BudgetLimits.parse(limits);
  const conversation = await readCost(redis, costKeys.conversation(prefix, scope.conversationId));
  const needQuery = scope.queryId !== undefined && (l.maxQueryTokens !== undefined || l.maxQueryUsd !== undefined);
  const query = needQuery ? await readCost(redis, costKeys.query(prefix, scope.queryId!)) : undefined;
  const totals = query ? { conversation, query } : { conversation };
  const tokens = (t: CostTotals) => t.inputTokens + t.outputTokens;
  if (tokens(conversation) >= l.maxConversationTokens || (query && l.maxQueryTokens !== undefined && tokens(query) >= l.maxQueryTokens)) {
    return { ok: false, exceeded: 'token_budget', ...totals };
  }
  if (conversation.usd >= l.maxConversationUsd || (query && l.maxQueryUsd !== undefined && query.usd >= l.maxQueryUsd)) {
    return { ok: false, exceeded: 'cost_budget', ...totals };
  }
  return { ok: true, ...totals };
}
