import type { Redis } from 'ioredis';
import { COST_RECORD_LUA, budgetAfter, costRecordArgs, costRecordedOf, type BudgetCheck, type BudgetLimits, type CostRecord, type CostReply } from '@steward/llm/ledger';
import { EMIT_LUA, SET_FIELDS_LUA, emitScriptArgs, hashOfReply, type EmitInput, type Keys } from '@steward/store';
import type { ConfirmationReads } from '@steward/steps';

// Everything a turn writes once its model call returned, in one script (one EVALSHA per LLM call
// where there were up to four: the event, the cost record, the prompt prefix, the streamed
// answer's last PUBLISH), then what the step reads: the query's fresh state and, for a guarded
// write, the confirmation state (two commands fewer beside the script). Each part is the store's or
// the ledger's own script, run as a Lua function over its own slice of KEYS and ARGV, so the
// keys, TTLs and rules stay defined in one place; the parts are now also atomic together.
//
// KEYS: 1–3 the event's (EMIT_LUA), 4 the query hash to read, 5 the conversation hash to write
//       ('' = no fields), 6 the conversation hash and 7 its queries list to read for the
//       confirmation policy ('' = no reads), 8… the cost record's (COST_RECORD_LUA; none = no cost).
// ARGV: 1 how many event arguments, 2 how many messages to publish, 3 how many conversation
//       arguments (0 = none), 4 how many cost keys (0 = none), 5 how many query ids to read back
//       (0 = no confirmation reads); then in order the event's arguments, the messages, the
//       conversation's (ttl, field, value, …), the cost record's.
// The messages go to the query's live channel (the event's ARGV[4]) before the event, as they
// did when they were sent ahead of it. Returns {the query hash (flat), the cost reply or false,
// the pending confirmation or false, the conversation's last query ids}.
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
local function slice(t, from, n)
  local out = {}
  for i = 1, n do out[i] = t[from + i - 1] end
  return out
end
local ne, np, ns, nk, nq = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local at = 6
local emitArgv = slice(ARGV, at, ne)
at = at + ne
for i = 0, np - 1 do redis.call('PUBLISH', emitArgv[4], ARGV[at + i]) end
at = at + np
if ns > 0 then setFields({KEYS[5]}, slice(ARGV, at, ns)) end
at = at + ns
emit({KEYS[1], KEYS[2], KEYS[3]}, emitArgv)
local cost = false
if nk > 0 then cost = record(slice(KEYS, 8, nk), slice(ARGV, at, #ARGV - at + 1)) end
local pending, ids = false, {}
if nq > 0 then
  pending = redis.call('HGET', KEYS[6], 'pendingConfirmation')
  ids = redis.call('LRANGE', KEYS[7], -nq, -1)
end
return {redis.call('HGETALL', KEYS[4]), cost, pending, ids}
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
}

export interface LlmCallWritten {
  query: Record<string, string>;
  /** The budgets after this call's cost; undefined when no cost was recorded. */
  budget: BudgetCheck | undefined;
  /** The confirmation reads; undefined when not asked. */
  confirmation: ConfirmationReads | undefined;
}

/** Write the call's event, cost, conversation fields and last stream messages, and read the query. */
export async function writeLlmCall(redis: Redis, keys: Keys, w: LlmCallWrite): Promise<LlmCallWritten> {
  const e = emitScriptArgs(keys, w.event);
  const publish = w.publish ?? [];
  const conv = w.conversation?.argv ?? [];
  const cost = w.cost ? costRecordArgs(w.cost.prefix, w.cost.record) : undefined;
  const reply = (await redis.eval(
    LLM_CALL,
    7 + (cost?.keys.length ?? 0),
    ...e.keys,
    w.queryKey,
    w.conversation?.key ?? '',
    w.confirmation?.conversationKey ?? '',
    w.confirmation?.queriesKey ?? '',
    ...(cost?.keys ?? []),
    e.argv.length,
    publish.length,
    conv.length,
    cost?.keys.length ?? 0,
    w.confirmation?.lookback ?? 0,
    ...e.argv,
    ...publish,
    ...conv,
    ...(cost?.argv ?? []),
  )) as [string[], CostReply | null, string | null, string[]];
  const [flat, costReply, pending, ids] = reply;
  return {
    query: hashOfReply(flat),
    budget: w.cost && costReply ? budgetAfter(costRecordedOf(costReply), w.cost.limits) : undefined,
    confirmation: w.confirmation ? { stored: pending ?? null, ids } : undefined,
  };
}
