// Every Redis key of steward, built from one configurable prefix, in this one module: the store's
// records, the channels' signatures, deliveries and buckets, the LLM limiter and cost ledger, the
// metrics hash and the tracer's guards. It lives in @steward/core because every package that
// touches Redis depends on core and core on nothing (telemetry and llm cannot import the store,
// which imports them). `@steward/store` re-exports createKeys, seg and NAMESPACES. The prefix is a hash tag
// (`{steward}`) so all keys of a deployment stay in one Redis Cluster slot group, which the
// multi-key Lua scripts below require.
//
// Two rules keep record kinds apart (docs/adr/0013-ownership-model.md):
// 1. Every kind has its own first segment after the prefix (see NAMESPACES); none equals a
//    BullMQ queue name, because BullMQ builds `{prefix}:{queue}:…` on the same prefix. Test:
//    packages/core/src/redis-keys.test.ts (no two builders can produce the same key).
// 2. A variable part never contains the separator: ids are validated at the API (no ':'), and
//    `seg` escapes ':' anyway, so an id such as `tg:5252:msgs` can never reach another key.
import { createHash } from 'node:crypto';

export type Keys = ReturnType<typeof createKeys>;
export type ChannelKeys = ReturnType<typeof channelKeys>;

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
  metrics: 'telemetry: metrics hash and its seen-guards (per event)',
  handoffs: 'store: handoff indexes (all, unclaimed, closed) and the inbox live channel',
  hrec: 'store: handoff records (was `handoff:`, which is the BullMQ handoff queue)',
  idv: 'store: identity-verification failures',
  outbox: 'store: jobs committed with a state change, not yet relayed to BullMQ',
  deadlines: 'store: running queries by deadline (the controllers\' deadline poll, the sweeper)',
  sweeper: 'store: the sweeper lease',
  active: 'store: the processes of a worker queue that take its jobs (ACTIVE_REPLICAS; the others stand by)',
  ch: 'channels: signatures, deliveries, admission buckets',
  llm: 'llm: rate limiter (per model)',
  cost: 'llm: cost ledger (per query, conversation, customer-day) and its seen-guards',
  tracer: 'tracer: seen-guards (per event)',
} as const;

/** Escape the key separator (and the escape character) in one variable part of a key. */
export function seg(s: string): string {
  return /[:%]/.test(s) ? s.replace(/%/g, '%25').replace(/:/g, '%3A') : s;
}

/**
 * seg in Lua, for the scripts that build a key from an id they read themselves (a query's
 * conversation, a conversation's customer). Such a script takes the key's text before and after
 * the id from the builders here (`keyAround`), so the layout stays in this one module.
 */
export const LUA_SEG = `local function seg(s)
  if string.find(s, '[:%%]') then
    s = string.gsub(s, '%%', '%%25')
    s = string.gsub(s, ':', '%%3A')
  end
  return s
end
`;

/** The text of a built key before and after its one variable part: a script puts seg(id) between. */
export function keyAround(build: (id: string) => string): [head: string, tail: string] {
  const hole = '\u0001';
  const [head = '', tail = ''] = build(hole).split(hole);
  return [head, tail];
}

/** The inverse of seg. */
export function unseg(s: string): string {
  return s.includes('%') ? s.replace(/%3A/g, ':').replace(/%25/g, '%') : s;
}

export type Namespace = keyof typeof NAMESPACES;

// SCAN MATCH is a glob: the prefix's own `{`/`}` are literal, but `*?[]\` must be escaped.
const globEscape = (s: string): string => s.replace(/[*?[\]\\]/g, '\\$&');

/** Caller-chosen message ids can be long and contain anything: the key carries a digest. */
function digest(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 32);
}

export function createKeys(prefix: string) {
  const p = prefix;
  return {
    prefix: p,
    /** A SCAN MATCH pattern of every key of one namespace (erasure, evaluation resets). */
    scanPattern: (ns: Namespace) => `${globEscape(p)}:${ns}:*`,
    /** The conversation id of a `conversation(id)` key; undefined for its lists and other keys. */
    conversationIdOf: (key: string): string | undefined => {
      const head = `${p}:conv:`;
      const rest = key.startsWith(head) ? key.slice(head.length) : '';
      return rest && !rest.includes(':') ? unseg(rest) : undefined;
    },
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
    /** Customer names the conversation's tools revealed (known-names.ts): a set, written with the tool.call event. */
    conversationNames: (c: string) => `${p}:conv:${seg(c)}:names`,
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
    /** Processes taking a queue's jobs, each scored by when its lease ends (active-lease.ts). */
    activeWorkers: (queue: string) => `${p}:active:${seg(queue)}`,
    metrics: `${p}:metrics`,
    /** Set once an event was counted in the metrics hash (a redelivered event is not counted twice). */
    metricsSeen: (eventId: string) => `${p}:metrics:seen:${seg(eventId)}`,
    /** Set once the tracer exported an event's span. */
    tracerSeen: (eventId: string) => `${p}:tracer:seen:${seg(eventId)}`,
    /** The LLM rate limiter (GCRA) of one model, or `all`. */
    llmRpm: (model: string) => `${p}:llm:rpm:${seg(model)}`,
    /** LLM cost of one query / conversation / customer on one UTC day (hashes usd, input, output, calls). */
    costQuery: (q: string) => `${p}:cost:query:${seg(q)}`,
    costConversation: (c: string) => `${p}:cost:conv:${seg(c)}`,
    costCustomerDay: (customer: string, day: string) => `${p}:cost:customer:${seg(customer)}:${seg(day)}`,
    /** Set once an LLM call was billed (a redelivered reasoning job is not billed twice). */
    costSeen: (callId: string) => `${p}:cost:seen:${seg(callId)}`,
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

/** Keys owned by the channels package, under the `ch` namespace of the same prefix. */
export function channelKeys(prefix: string) {
  const p = `${prefix}:ch`;
  return {
    /** A signed webhook request already seen (replay protection). */
    seenSignature: (channel: string, signature: string) => `${p}:sig:${seg(channel)}:${seg(signature)}`,
    /** Set once the platform accepted the answer of this query: a retried job never sends twice. */
    delivered: (queryId: string) => `${p}:delivered:${seg(queryId)}`,
    /** Held while one attempt talks to the platform (see send-lock.ts). */
    sending: (queryId: string) => `${p}:sending:${seg(queryId)}`,
    /** Set once a delivery was declared dead, so it is counted once. */
    dead: (queryId: string) => `${p}:dead:${seg(queryId)}`,
    deadList: `${p}:dead-deliveries`,
    /** Hash `{sent|dead}:{channel}` → count, for /metrics. */
    deliveryStats: `${p}:delivery-stats`,
    bucket: (scope: 'principal' | 'customer' | 'channel', id: string) => `${p}:bucket:${scope}:${seg(id)}`,
  };
}

// Packages that build keys per call (a metrics guard per event) reuse one builder per prefix.
const byPrefix = new Map<string, Keys>();

/** createKeys(prefix), built once per prefix. */
export function keysFor(prefix: string): Keys {
  let k = byPrefix.get(prefix);
  if (!k) {
    // Tests use a fresh prefix each; a deployment one. Bounded either way.
    if (byPrefix.size >= 256) byPrefix.clear();
    byPrefix.set(prefix, (k = createKeys(prefix)));
  }
  return k;
}
