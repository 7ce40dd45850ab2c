// What LLM calls cost, per query, per conversation and per customer per day, in Redis hashes
// (fields nanousd, input, output, calls). One Lua script records a call everywhere at once and
// remembers its call id, so a redelivered reasoning job is not billed twice; the same script
// answers the query's and the conversation's totals after the call, so the budget check that
// follows every LLM call costs no round trip of its own (recordCostAndCheck).
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { keyAround, keysFor, LUA_SEG } from '@steward/core';
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
  /**
   * Without `customerId`: the hash field that names the verified customer (the conversation's
   * `customerId`), read inside the recording script instead of by the caller before it (one round
   * trip less per LLM call). Empty or absent there: no per-customer entry, as without customerId.
   */
  customerFrom?: { key: string; field: string };
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

// KEYS: seen, query, conversation[, customerDay, or the hash naming the customer when ARGV[8] is its field].
// ARGV: nanousd, input, output, ledgerTtl, dailyTtl, dedupeTtl, useSeen, customer field ('' = KEYS[4] is the
// customer-day key), customer-day key before and after the customer id (that key is then built
// here, with the customer id escaped by redis-keys.ts's LUA_SEG).
// Returns {recorded (1|0), then for the query and the conversation: usd, nanousd, input, output, calls}.
// Dollars are counted in integer nano-dollars with HINCRBY: HINCRBYFLOAT took ~6 µs of Redis per
// call against ~0.5 µs (measured, 2026-11-30), three times per LLM call. `usd` is the float field
// that ledgers written before kept; readers add it (absent in new ledgers).
const RECORD = `${LUA_SEG}
local recorded = 1
if ARGV[7] == '1' and not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[6]) then recorded = 0 end
if recorded == 1 then
  local day = KEYS[4]
  if day and ARGV[8] ~= '' then
    local who = redis.call('HGET', day, ARGV[8])
    if who and who ~= '' then
      day = ARGV[9] .. seg(who) .. ARGV[10]
    else
      day = nil
    end
  end
  local ledgers = {KEYS[2], KEYS[3], day}
  for i = 1, #ledgers do
    redis.call('HINCRBY', ledgers[i], 'nanousd', ARGV[1])
    redis.call('HINCRBY', ledgers[i], 'input', ARGV[2])
    redis.call('HINCRBY', ledgers[i], 'output', ARGV[3])
    redis.call('HINCRBY', ledgers[i], 'calls', 1)
    redis.call('EXPIRE', ledgers[i], i == 3 and ARGV[5] or ARGV[4])
  end
end
local q = redis.call('HMGET', KEYS[2], 'usd', 'nanousd', 'input', 'output', 'calls')
local c = redis.call('HMGET', KEYS[3], 'usd', 'nanousd', 'input', 'output', 'calls')
return {recorded, q[1], q[2], q[3], q[4], q[5], c[1], c[2], c[3], c[4], c[5]}
`;

const DAY_MS = 86_400_000;
/** The last day named and the milliseconds it spans: every LLM call asks, a Date and an ISO string each time were work for nothing. */
let lastDay = { from: 0, to: 0, day: '' };

export function utcDay(ms: number = Date.now()): string {
  if (ms >= lastDay.from && ms < lastDay.to) return lastDay.day;
  const day = new Date(ms).toISOString().slice(0, 10);
  // A UTC day is exactly DAY_MS in JavaScript time (no leap seconds).
  const from = Math.floor(ms / DAY_MS) * DAY_MS;
  if (Number.isFinite(from)) lastDay = { from, to: from + DAY_MS, day };
  return day;
}

/** Add one call's cost. Returns false when `callId` was already recorded (nothing added). */
export async function recordCost(redis: Redis, prefix: string, rec: CostRecord, ttls: LedgerTtls = {}): Promise<boolean> {
  return (await record(redis, prefix, rec, ttls)).recorded;
}

/**
 * Add one call's cost and check the budgets after it, in one round trip (the controller does
 * both after every LLM call). A redelivered call id adds nothing but is still checked.
 */
export async function recordCostAndCheck(
  redis: Redis,
  prefix: string,
  rec: CostRecord,
  limits: Partial<BudgetLimits> = {},
  ttls: LedgerTtls = {},
): Promise<{ recorded: boolean; budget: BudgetCheck }> {
  const r = await record(redis, prefix, rec, ttls);
  return { recorded: r.recorded, budget: budgetAfter(r, limits) };
}

async function record(redis: Redis, prefix: string, rec: CostRecord, ttls: LedgerTtls): Promise<CostRecorded> {
  const a = costRecordArgs(prefix, rec, ttls);
  return costRecordedOf((await redis.eval(COST_RECORD_LUA, a.keys.length, ...a.keys, ...a.argv)) as CostReply);
}

/** What the recording script answers: whether it added the call, and the totals after it. */
export interface CostRecorded {
  recorded: boolean;
  query: CostTotals;
  conversation: CostTotals;
}

/** The recording script's reply as Redis returns it: recorded, then query and conversation fields. */
export type CostReply = [number, ...(string | null)[]];

/**
 * The recording script (a Lua chunk that reads only KEYS and ARGV), for a caller that runs it
 * inside a script it sends anyway: the reasoning-worker records a call's cost in the script that
 * writes the call's event (one EVALSHA per LLM call less). Its reply goes to costRecordedOf.
 */
export const COST_RECORD_LUA = RECORD;

/** The recording script's KEYS and ARGV for one call (as recordCost sends them). */
export function costRecordArgs(prefix: string, rec: CostRecord, ttls: LedgerTtls = {}): { keys: string[]; argv: string[] } {
  const keys = [
    costKeys.seen(prefix, rec.callId ?? '-'),
    costKeys.query(prefix, rec.queryId),
    costKeys.conversation(prefix, rec.conversationId),
  ];
  const day = rec.day ?? utcDay();
  // The customer-day key around the customer id, so the script builds it from the one key module.
  const [dayHead, dayTail] = keyAround((who) => costKeys.customerDay(prefix, who, day));
  if (rec.customerId) keys.push(costKeys.customerDay(prefix, rec.customerId, day));
  else if (rec.customerFrom) keys.push(rec.customerFrom.key);
  const argv = [
    String(Math.round(rec.usd * NANO)),
    String(Math.round(rec.inputTokens)),
    String(Math.round(rec.outputTokens)),
    String(ttls.ledgerTtlSec ?? BUDGET_DEFAULTS.ledgerTtlSec),
    String(ttls.dailyTtlSec ?? BUDGET_DEFAULTS.dailyTtlSec),
    String(ttls.dedupeTtlSec ?? BUDGET_DEFAULTS.dedupeTtlSec),
    rec.callId ? '1' : '0',
    !rec.customerId && rec.customerFrom ? rec.customerFrom.field : '',
    dayHead ?? '',
    dayTail ?? '',
  ];
  return { keys, argv };
}

/** The recording script's reply, read. */
export function costRecordedOf(r: CostReply): CostRecorded {
  const [recorded, ...fields] = r;
  return { recorded: recorded === 1, query: totalsOf(fields.slice(0, 5)), conversation: totalsOf(fields.slice(5, 10)) };
}

/** The budget rule on a recording's totals: what recordCostAndCheck answers, for a reply read elsewhere. */
export function budgetAfter(r: CostRecorded, limits: Partial<BudgetLimits> = {}): BudgetCheck {
  return judgeBudget(limitsOf(limits), r.conversation, r.query);
}

const NANO = 1e9;

/** Totals from the fields usd (older ledgers), nanousd, input, output, calls (absent fields count 0). */
function totalsOf([usd, nanousd, input, output, calls]: (string | null | undefined)[]): CostTotals {
  return {
    usd: Number(usd ?? 0) + Number(nanousd ?? 0) / NANO,
    inputTokens: Number(input ?? 0),
    outputTokens: Number(output ?? 0),
    calls: Number(calls ?? 0),
  };
}

export async function readCost(redis: Redis, key: string): Promise<CostTotals> {
  const h = await redis.hgetall(key);
  return totalsOf([h.usd, h.nanousd, h.input, h.output, h.calls]);
}

export const BudgetLimits = z.object({
  maxConversationTokens: z.number().nonnegative().default(BUDGET_DEFAULTS.maxConversationTokens),
  maxConversationUsd: z.number().nonnegative().default(BUDGET_DEFAULTS.maxConversationUsd),
  /** Optional caps of one query. */
  maxQueryTokens: z.number().nonnegative().optional(),
  maxQueryUsd: z.number().nonnegative().optional(),
});
export type BudgetLimits = z.infer<typeof BudgetLimits>;

// A worker passes its one configured limits object with every LLM call: parsed (defaults filled
// in, checked) once per object, not once per call. Limits objects are configuration, never changed.
const parsedLimits = new WeakMap<object, BudgetLimits>();
function limitsOf(limits: Partial<BudgetLimits>): BudgetLimits {
  let l = parsedLimits.get(limits);
  if (!l) parsedLimits.set(limits, (l = BudgetLimits.parse(limits)));
  return l;
}

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
  const l = limitsOf(limits);
  const conversation = await readCost(redis, costKeys.conversation(prefix, scope.conversationId));
  const needQuery = scope.queryId !== undefined && (l.maxQueryTokens !== undefined || l.maxQueryUsd !== undefined);
  const query = needQuery ? await readCost(redis, costKeys.query(prefix, scope.queryId!)) : undefined;
  return judgeBudget(l, conversation, query);
}

/** The budget rule on totals already read; `query` is looked at (and reported) only when a query limit is set. */
function judgeBudget(l: BudgetLimits, conversation: CostTotals, queryTotals?: CostTotals): BudgetCheck {
  const query = l.maxQueryTokens !== undefined || l.maxQueryUsd !== undefined ? queryTotals : undefined;
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
