// Every Redis key of steward, built from one configurable prefix. The prefix is a hash tag
// (`{steward}`) so all keys of a deployment stay in one Redis Cluster slot group, which the
// multi-key Lua scripts below require.
//
// Two rules keep record kinds apart (docs/adr/0013-ownership-model.md):
// 1. Every kind has its own first segment after the prefix (see NAMESPACES); none equals a
//    BullMQ queue name, because BullMQ builds `{prefix}:{queue}:…` on the same prefix.
// 2. A variable part never contains the separator: ids are validated at the API (no ':'), and
//    `seg` escapes ':' anyway, so an id such as `tg:5252:msgs` can never reach another key.
import { createHash } from 'node:crypto';

export type Keys = ReturnType<typeof createKeys>;

/** The first segment of each record kind (after the prefix), and what owns it. */
export const NAMESPACES = {
  events: 'store',
  qev: 'store: events of one query and its live channel',
  q: 'store: query records, steps, loop history',
  conv: 'store: conversations and their lists',
  dedupe: 'store: platform retries, per (principal, channel, messageId)',
  dag: 'store: tool DAG of one turn',
  seq: 'store: sequential tool lock',
  cache: 'store: tool result cache',
  ctag: 'store: cache tags',
  slots: 'store: per-tool concurrency',
  metrics: 'telemetry: metrics hash and its seen-guards',
  handoffs: 'store: handoff indexes (all, unclaimed, closed) and the inbox live channel',
  hrec: 'store: handoff records (was `handoff:`, which is the BullMQ handoff queue)',
  idv: 'store: identity-verification failures',
  outbox: 'store: jobs committed with a state change, not yet relayed to BullMQ',
  deadlines: 'store: running queries by deadline (the sweeper)',
  sweeper: 'store: the sweeper lease',
  ch: 'channels: signatures, deliveries, admission buckets',
  llm: 'llm: rate limiter',
  cost: 'llm: cost ledger',
  tracer: 'tracer: seen-guards',
} as const;

/** Escape the key separator (and the escape character) in one variable part of a key. */
export function seg(s: string): string {
  return /[:%]/.test(s) ? s.replace(/%/g, '%25').replace(/:/g, '%3A') : s;
}

/** Caller-chosen message ids can be long and contain anything: the key carries a digest. */
function digest(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 32);
}

export function createKeys(prefix: string) {
  const p = prefix;
  return {
    prefix: p,
    events: `${p}:events`,
    queryEvents: (q: string) => `${p}:qev:${seg(q)}`,
    queryChannel: (q: string) => `${p}:qev:${seg(q)}:live`,
    query: (q: string) => `${p}:q:${seg(q)}`,
    /** This query's ReAct scratchpad: assistant tool-call messages and tool results, in order. */
    querySteps: (q: string) => `${p}:q:${seg(q)}:steps`,
    /** Loop-detection history of this query (one JSON entry per tool call or proposed answer). */
    queryHistory: (q: string) => `${p}:q:${seg(q)}:hist`,
    conversation: (c: string) => `${p}:conv:${seg(c)}`,
    conversationMessages: (c: string) => `${p}:conv:${seg(c)}:msgs`,
    /** Everything said and done in the conversation, tool steps included (kept only when asked). */
    conversationTranscript: (c: string) => `${p}:conv:${seg(c)}:transcript`,
    /** Queries waiting behind the active one (double texting). */
    conversationPending: (c: string) => `${p}:conv:${seg(c)}:pending`,
    conversationQueries: (c: string) => `${p}:conv:${seg(c)}:queries`,
    /**
     * Pub/sub channel (holds nothing) of what the conversation's customer sees besides the answers
     * of its own queries: operator replies, the SLA notice, claim and hand-back.
     */
    conversationChannel: (c: string) => `${p}:conv:${seg(c)}:live`,
    /** A message already accepted from this principal on this channel: a retry answers with the first. */
    dedupe: (principal: string, channel: string, messageId: string) =>
      `${p}:dedupe:${seg(principal)}:${seg(channel)}:${digest(messageId)}`,
    dag: (q: string, turn: number) => `${p}:dag:${seg(q)}:t${turn}`,
    sequentialLock: (c: string) => `${p}:seq:${seg(c)}`,
    cache: (tool: string, scope: string, argsHash: string) =>
      `${p}:cache:${seg(tool)}:${seg(scope)}:${seg(argsHash)}`,
    cacheFlight: (cacheKey: string) => `${cacheKey}:flight`,
    cacheTag: (tag: string) => `${p}:ctag:${seg(tag)}`,
    toolSlots: (tool: string) => `${p}:slots:${seg(tool)}`,
    /** Jobs committed with a state change and not yet relayed to BullMQ (member JSON, score ms). */
    outbox: `${p}:outbox`,
    /** Running queries by deadline (ms): what the sweeper ends when their jobs were lost. */
    deadlines: `${p}:deadlines`,
    /** Short lease so one sweeper of the fleet works at a time. */
    sweeperLease: `${p}:sweeper`,
    metrics: `${p}:metrics`,
    /** Every handoff record by creation time (ms): the operator list pages over it newest first. */
    handoffs: `${p}:handoffs`,
    /** Not `handoff:` — that is where BullMQ keeps the `handoff` queue's jobs. */
    handoff: (q: string) => `${p}:hrec:${seg(q)}`,
    /** Failed identity verifications (a counter with a window) of one conversation or one principal. */
    identityFailures: (scope: 'conversation' | 'principal', id: string) => `${p}:idv:${scope}:${seg(id)}`,
    /** What was said while a person owned the conversation: customer, operator and note entries (JSON). */
    handoffMessages: (q: string) => `${p}:hrec:${seg(q)}:msgs`,
    /** Open (unclaimed, not yet past the SLA) handoffs by creation time: what the SLA sweep reads. */
    handoffsUnclaimed: `${p}:handoffs:unclaimed`,
    /** Resolved and returned handoffs by closing time: what retention prunes. */
    handoffsClosed: `${p}:handoffs:closed`,
    /** Live updates of every handoff, for the inbox's server-sent events. */
    handoffLive: `${p}:handoffs:live`,
  };
}
