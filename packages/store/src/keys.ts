// Every Redis key of steward, built from one configurable prefix. The prefix is a hash tag
// (`{steward}`) so all keys of a deployment stay in one Redis Cluster slot group, which the
// multi-key Lua scripts below require.

export type Keys = ReturnType<typeof createKeys>;

export function createKeys(prefix: string) {
  const p = prefix;
  return {
    prefix: p,
    events: `${p}:events`,
    queryEvents: (q: string) => `${p}:qev:${q}`,
    queryChannel: (q: string) => `${p}:qev:${q}:live`,
    query: (q: string) => `${p}:q:${q}`,
    /** This query's ReAct scratchpad: assistant tool-call messages and tool results, in order. */
    querySteps: (q: string) => `${p}:q:${q}:steps`,
    /** Loop-detection history of this query (one JSON entry per tool call or proposed answer). */
    queryHistory: (q: string) => `${p}:q:${q}:hist`,
    conversation: (c: string) => `${p}:conv:${c}`,
    conversationMessages: (c: string) => `${p}:conv:${c}:msgs`,
    /** Everything said and done in the conversation, tool steps included (kept only when asked). */
    conversationTranscript: (c: string) => `${p}:conv:${c}:transcript`,
    /** Queries waiting behind the active one (double texting). */
    conversationPending: (c: string) => `${p}:conv:${c}:pending`,
    conversationQueries: (c: string) => `${p}:conv:${c}:queries`,
    dedupe: (channel: string, messageId: string) => `${p}:dedupe:${channel}:${messageId}`,
    dag: (q: string, turn: number) => `${p}:dag:${q}:t${turn}`,
    sequentialLock: (c: string) => `${p}:seq:${c}`,
    cache: (tool: string, scope: string, argsHash: string) => `${p}:cache:${tool}:${scope}:${argsHash}`,
    cacheFlight: (cacheKey: string) => `${cacheKey}:flight`,
    cacheTag: (tag: string) => `${p}:ctag:${tag}`,
    toolSlots: (tool: string) => `${p}:slots:${tool}`,
    /** Jobs committed with a state change and not yet relayed to BullMQ (member JSON, score ms). */
    outbox: `${p}:outbox`,
    /** Running queries by deadline (ms): what the sweeper ends when their jobs were lost. */
    deadlines: `${p}:deadlines`,
    /** Short lease so one sweeper of the fleet works at a time. */
    sweeperLease: `${p}:sweeper`,
    metrics: `${p}:metrics`,
    /** Every handoff record by creation time (ms): the operator list pages over it newest first. */
    handoffs: `${p}:handoffs`,
    handoff: (q: string) => `${p}:handoff:${q}`,
    /** What was said while a person owned the conversation: customer, operator and note entries (JSON). */
    handoffMessages: (q: string) => `${p}:handoff:${q}:msgs`,
    /** Open (unclaimed, not yet past the SLA) handoffs by creation time: what the SLA sweep reads. */
    handoffsUnclaimed: `${p}:handoffs:unclaimed`,
    /** Resolved and returned handoffs by closing time: what retention prunes. */
    handoffsClosed: `${p}:handoffs:closed`,
    /** Live updates of every handoff, for the inbox's server-sent events. */
    handoffLive: `${p}:handoffs:live`,
  };
}
