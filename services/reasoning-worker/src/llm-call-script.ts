import type { Redis } from 'ioredis';
import { BudgetLimits, COST_RECORD_LUA, budgetAfter, costRecordArgs, costRecordedOf, type BudgetCheck, type CostRecord, type CostReply } from '@steward/llm/ledger';
import { ADVANCE, COMPLETE, DONE_TTL, EMIT_LUA, SET_FIELDS_LUA, SLICE_FN, emitScriptArgs, hashOfReply, type EmitInput, type Keys } from '@steward/store';
import type { ConfirmationReads, OptimisticStep } from '@steward/steps';

// Everything a turn writes once its model call returned, in one script (one EVALSHA per LLM call
// where there were up to four: the event, the cost record, the prompt prefix, the streamed
// answer's last PUBLISH), then what the step reads: the query's fresh state and, for a guarded
// write, the confirmation state (two commands fewer beside the script). Each part is the store's or
// the ledger's own script, run as a Lua function over its own slice of KEYS and ARGV, so the
// keys, TTLs and rules stay defined in one place; the parts are now also atomic together.
// With a step decided before the call (optimisticStep, ADR 0034) the script then applies it —
// the store's own ADVANCE, or COMPLETE and the done TTL — if the query still reasons at this
// turn and, for a step the budgets stop, they hold after this call's cost (the ledger's rule,
// `within` below: budgetAfter's judgement, on the same totals). Else it applies nothing and
// answers the query's hash for the step to be decided as before.
//
// KEYS: 1–3 the event's (EMIT_LUA), 4 the query hash to read, 5 the conversation hash to write
//       ('' = no fields), 6 the conversation hash and 7 its queries list to read for the
//       confirmation policy ('' = no reads), then the cost record's (COST_RECORD_LUA; none = no
//       cost), then the step's (ADVANCE's 5, or COMPLETE's 6 and DONE_TTL's 4).
// ARGV: 1 how many event arguments, 2 how many messages to publish, 3 how many conversation
//       arguments (0 = none), 4 how many cost keys (0 = none), 5 how many query ids to read back
//       (0 = no confirmation reads), 6 how many cost arguments, 7 the step ('' = none, 'advance',
//       'complete'), 8 how many step keys, 9 how many step arguments, 10 the turn the step is for,
//       11 '1' = the step needs the budgets, 12–15 the budget limits (conversation tokens, USD,
//       query tokens or '', query USD or ''); then in order the event's arguments, the messages,
//       the conversation's (ttl, field, value, …), the cost record's, the step's, DONE_TTL's.
// The messages go to the query's live channel (the event's ARGV[4]) before the event, as they
// did when they were sent ahead of it. Returns {the query hash (flat; false once a step was
// applied), the cost reply or false, the pending confirmation or false, the conversation's last
// query ids, the step script's reply or false, why no step was applied ('' | 'moved' | 'budget')}.
const LLM_CALL = `
local function emit(KEYS, ARGV)
${EMIT_LUA}
end
local function setFields(KEYS, ARGV)
${SET_FIELDS_LUA}
end
local function record(KEYS, ARGV)
${COST_RECORD_LUA}
end
local function advance(KEYS, ARGV)
${ADVANCE}
end
local function complete(KEYS, ARGV)
${COMPLETE}
end
local function doneTtl(KEYS, ARGV)
${DONE_TTL}
end
${SLICE_FN}
local function n(v) return tonumber(v) or 0 end
-- The ledger's budget rule (judgeBudget) on the recording's reply {recorded, then usd, nanousd,
-- input, output, calls of the query and of the conversation}: the same sums in the same order.
local function within(c)
  if n(c[9]) + n(c[10]) >= tonumber(ARGV[12]) then return false end
  if ARGV[14] ~= '' and n(c[4]) + n(c[5]) >= tonumber(ARGV[14]) then return false end
  if n(c[7]) + n(c[8]) / 1e9 >= tonumber(ARGV[13]) then return false end
  if ARGV[15] ~= '' and n(c[2]) + n(c[3]) / 1e9 >= tonumber(ARGV[15]) then return false end
  return true
end
local ne, np, ns, nk, nq, nc = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local kind, nsk, nsa = ARGV[7], tonumber(ARGV[8]), tonumber(ARGV[9])
local at = 16
local emitArgv = slice(ARGV, at, ne)
at = at + ne
for i = 0, np - 1 do redis.call('PUBLISH', emitArgv[4], ARGV[at + i]) end
at = at + np
if ns > 0 then setFields({KEYS[5]}, slice(ARGV, at, ns)) end
at = at + ns
emit({KEYS[1], KEYS[2], KEYS[3]}, emitArgv)
local cost = false
if nk > 0 then cost = record(slice(KEYS, 8, nk), slice(ARGV, at, nc)) end
at = at + nc
local pending, ids = false, {}
if nq > 0 then
  pending = redis.call('HGET', KEYS[6], 'pendingConfirmation')
  ids = redis.call('LRANGE', KEYS[7], -nq, -1)
end
local step, refused = false, ''
if kind ~= '' then
  local q = redis.call('HMGET', KEYS[4], 'status', 'state', 'turn')
  if q[1] == 'completed' or q[1] == 'failed' or q[2] ~= 'reasoning' or tonumber(q[3]) ~= tonumber(ARGV[10]) then
    refused = 'moved'
  elseif ARGV[11] == '1' and cost and not within(cost) then
    refused = 'budget'
  else
    local sk = slice(KEYS, 8 + nk, nsk)
    local sa = slice(ARGV, at, nsa)
    if kind == 'advance' then
      step = advance(sk, sa)
    else
      step = complete(slice(sk, 1, 6), sa)
      if step[1] == 1 then doneTtl(slice(sk, 7, 4), slice(ARGV, at + nsa, 2)) end
    end
    return {false, cost, pending, ids, step, ''}
  end
end
return {redis.call('HGETALL', KEYS[4]), cost, pending, ids, step, refused}
`;

export interface LlmCallWrite {
  /** The llm.call event (it must belong to a query: its live channel carries `publish`). */
  event: EmitInput & { queryId: string };
  /** The query's hash, read once all of it is written. */
  queryKey: string;
  /** The streamed answer's messages not yet sent (JSON), published before the event. */
  publish?: readonly string[];
  /** Conversation fields to store (ConversationStore.setFieldsArgs). */
  conversation?: { key: string; argv: readonly string[] };
  /** The call's cost, recorded once per call id and checked against `limits`. */
  cost?: { prefix: string; record: CostRecord; limits: Partial<BudgetLimits> };
  /**
   * Read for the confirmation policy once the rest is written: the conversation hash's
   * `pendingConfirmation` and the last `lookback` ids of its queries list (loadConfirmationSnapshot's reads).
   */
  confirmation?: { conversationKey: string; queriesKey: string; lookback: number };
  /** A step decided before the call, applied after all of the above if it still holds (OptimisticStep). */
  step?: OptimisticStep;
}

export interface LlmCallWritten {
  /** The query's hash; empty when the step was applied (nothing reads it then). */
  query: Record<string, string>;
  /** The budgets after this call's cost; undefined when no cost was recorded. */
  budget: BudgetCheck | undefined;
  /** The confirmation reads; undefined when not asked. */
  confirmation: ConfirmationReads | undefined;
  /** The step script's reply when `step` was applied (undefined: not asked, or it did not hold: `refused` says why). */
  step: unknown;
  refused: '' | 'moved' | 'budget';
}

/** Write the call's event, cost, conversation fields and last stream messages, and read the query (or apply the step). */
export async function writeLlmCall(redis: Redis, keys: Keys, w: LlmCallWrite): Promise<LlmCallWritten> {
  const e = emitScriptArgs(keys, w.event);
  const publish = w.publish ?? [];
  const conv = w.conversation?.argv ?? [];
  const cost = w.cost ? costRecordArgs(w.cost.prefix, w.cost.record) : undefined;
  const step = w.step;
  const stepKeys = step ? (step.kind === 'complete' ? [...step.keys, ...step.doneTtl.keys] : step.keys) : [];
  const limits = step?.budget && w.cost ? budgetArgs(w.cost.limits) : ['', '', '', ''];
  const reply = (await redis.eval(
    LLM_CALL,
    7 + (cost?.keys.length ?? 0) + stepKeys.length,
    ...e.keys,
    w.queryKey,
    w.conversation?.key ?? '',
    w.confirmation?.conversationKey ?? '',
    w.confirmation?.queriesKey ?? '',
    ...(cost?.keys ?? []),
    ...stepKeys,
    e.argv.length,
    publish.length,
    conv.length,
    cost?.keys.length ?? 0,
    w.confirmation?.lookback ?? 0,
    cost?.argv.length ?? 0,
    step?.kind ?? '',
    stepKeys.length,
    step?.argv.length ?? 0,
    step?.turn ?? 0,
    step?.budget && w.cost ? '1' : '',
    ...limits,
    ...e.argv,
    ...publish,
    ...conv,
    ...(cost?.argv ?? []),
    ...(step?.argv ?? []),
    ...(step?.kind === 'complete' ? step.doneTtl.argv : []),
  )) as [string[] | null, CostReply | null, string | null, string[], unknown, '' | 'moved' | 'budget'];
  const [flat, costReply, pending, ids, stepReply, refused] = reply;
  return {
    query: hashOfReply(flat ?? []),
    budget: w.cost && costReply ? budgetAfter(costRecordedOf(costReply), w.cost.limits) : undefined,
    confirmation: w.confirmation ? { stored: pending ?? null, ids } : undefined,
    step: stepReply ?? undefined,
    refused,
  };
}

// The parsed limits of each configured limits object (configuration: parsed once, never changed).
const parsed = new WeakMap<object, BudgetLimits>();

/** The budget limits as the script's ARGV 12–15 (the defaults filled in as the ledger fills them). */
export function budgetArgs(limits: Partial<BudgetLimits>): [string, string, string, string] {
  let l = parsed.get(limits);
  if (!l) parsed.set(limits, (l = BudgetLimits.parse(limits)));
  return [String(l.maxConversationTokens), String(l.maxConversationUsd), l.maxQueryTokens === undefined ? '' : String(l.maxQueryTokens), l.maxQueryUsd === undefined ? '' : String(l.maxQueryUsd)];
}
