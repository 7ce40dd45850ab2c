export { createKeys, seg, NAMESPACES, type Keys } from './keys.ts';
export { createRedis } from './redis.ts';
export { QueryRecord, queryView, isTerminal, type QueryView } from './query-record.ts';
export { hashOfReply } from './hash-reply.ts';
export { emitEvent, emitEventThenRead, emitScriptArgs, EMIT_LUA, namesKnownInConversation, readQueriesEvents, readQueryEvents, toEvent, InvalidEventError, type EmitInput } from './events.ts';
export { QueryStore, advanceResultOf, completeResultOf, type NewQuery, type AcceptResult, type AdvanceInput, type CompleteInput, type Completed } from './queries.ts';
export { ADVANCE, COMPLETE, SLICE_FN } from './lua.ts';
export { BULL_ADD_FN, addsInScript, bullAddArgs } from './bull-add.ts';
export { DONE_TTL } from './done-ttl.ts';
export { ConversationStore, conversationState, SET_FIELDS_LUA, type ConversationState } from './conversations.ts';
export { isWatched, markWatched, WATCH_MARK_MS, WATCH_REFRESH_MS } from './watched.ts';
export { loadTurn, type LoadedTurn, type LoadTurnOptions, type TurnState } from './turn-state.ts';
export { DAG_SUPERSEDED, DagStore, proposalIn, type CallResult, type ClaimedCall, type DagCall, type DagProgress, type DagStart, type EndedTurn, type JobLock, type ObserveInScript, type StartedTurn, type ReleasedLoad, type ToolErrorType } from './dag.ts';
export { createQueues, JOB_OPTIONS, JOB_RETENTION_SEC, type Queues } from './queues.ts';
export { startWorker, type Log, type Processor, type StartWorkerOptions } from './worker.ts';
export { runWithPreloadedQuery } from './job-prelude.ts';
export { LOCK_KEEPER_CLIENT_PREFIX } from './lock-keeper.ts';
export { startHealthServer } from './health.ts';
export { ToolCache, cacheTtlFor, VOLATILE_TTL_SEC } from './cache.ts';
export { Outbox, OutboxEntry, outboxMember, memberOf } from './outbox.ts';
export { Deadlines } from './deadlines.ts';
export { applyStep, stepCommitted } from './apply-step.ts';
export { crashPoint, CRASH_POINTS, type CrashPointName } from './crash-point.ts';
export { endQuery, endCommitted, endingJobs, completeInputOf, completionEvent, rootSpanIdOf, type Ending } from './end-query.ts';
export { onShutdown } from './lifecycle.ts';
export { acceptMessage, rateLimited, type Admission, type AdmissionPlan, type BucketCharge, type IntakeContext, type IntakeDeps, type IntakeResult, type Sender } from './intake.ts';
export { TAKE_TOKENS_FN } from './token-bucket-lua.ts';
export { ToolSlots } from './tool-slots.ts';
export { openStore, type StoreContext } from './store-context.ts';
export { dispatchTurn } from './dispatch.ts';
export { HandoffStore, HandoffRecord, HandoffEntry, type HandoffFilter, type ActResult } from './handoffs.ts';
export {
  canRead,
  checkMessage,
  platformOwnerOf,
  principals,
  ID_PATTERN,
  PLATFORM_CHANNELS,
  PLATFORM_CONVERSATION_PREFIXES,
  type MessageClaims,
  type Principal,
  type PrincipalKind,
  type Refusal,
  type Verdict,
} from './ownership.ts';
