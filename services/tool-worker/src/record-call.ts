// A call's execution and the record of its result: the tool run as the conversation's verified
// customer (or the error result that stands for it), its tool.call event, and the record script
// that releases its dependents (processCall decides who runs what; this runs one call).
import { errorMessage, idempotencyKey, isStewardError, stableSpanId, type ToolJob } from '@steward/core';
import { crashPoint, emitEvent, stepCommitted, type CallResult, type DagProgress, type EmitInput, type ObserveInScript, type QueryRecord, type ToolErrorType } from '@steward/store';
import { observeBeforeRecord, type ObserveStep } from '@steward/steps';
import { namesInToolCall, rememberNames } from '@steward/telemetry';
import { resolveRefs, type ToolSpec } from '@steward/tools';
import type { Run } from './call-run.ts';
import type { ToolWorkerDeps } from './deps.ts';
import { errorType, execute } from './execute.ts';
import { IDENTITY_LOCKED_RESULT, IDENTITY_TOOLS } from './identity-attempts.ts';
import type { TurnResults } from './turn-results.ts';
import { exceptionType, isErrorResult } from './tool-outcome.ts';

/** Run the call and record its result; undefined when a transient failure was handed to run.retry. */
export async function runAndRecord(
  d: ToolWorkerDeps,
  t: ToolJob,
  run: Run,
  q: QueryRecord,
  spec: ToolSpec | undefined,
  loaded: { customerId: string | null; deps: (CallResult | undefined)[] },
): Promise<DagProgress | undefined> {
  const { traceId, principal } = q;
  const startMs = Date.now();
  // errorType: the structured type for the control logic; detail: the exception's own code (trace only).
  let outcome: { result: string; ok: boolean; cacheHit: boolean; errorType?: ToolErrorType; detail?: string };
  let denied = false;
  // A cache miss's store, awaited beside the record below (see Execution.cached).
  let cached: Promise<void> | undefined;
  const { customerId, deps } = loaded;
  if (!spec) {
    outcome = { result: `Error: unknown tool ${t.name}`, ok: false, cacheHit: false, errorType: 'unknown_tool' };
  } else {
    const failed = deps.find((r) => !r || !r.ok);
    const verifying = IDENTITY_TOOLS.has(spec.name) && d.identity !== undefined;
    if (failed) {
      outcome = { result: `Error: not run because ${failed?.name ?? 'a dependency'} failed`, ok: false, cacheHit: false, errorType: 'dependency_failed' };
    } else if (verifying && !(await d.identity!.allowed(t.conversationId, principal))) {
      outcome = { result: IDENTITY_LOCKED_RESULT, ok: false, cacheHit: false, errorType: 'identity_locked' };
    } else {
      try {
        const results: unknown[] = [];
        (t.dependsOn ?? []).forEach((i, k) => (results[i] = deps[k]!.result));
        const args = resolveRefs(t.arguments, results);
        const { response, cacheHit, cached: storing } = await execute(d, spec, args, customerId, idempotencyKey(t.queryId, t.turn, t.callId));
        cached = storing;
        if (!spec.readOnly) crashPoint('tool.after_write');
        if (response.identifiedUserId) await d.conversations.bindCustomer(t.conversationId, response.identifiedUserId);
        else if (verifying && isErrorResult(response.result)) await d.identity!.failed(t.conversationId, principal);
        // A write drops the cached reads of what it changed: the shop names the entities it
        // touched; a local write tool names them through its cacheTags.
        const touched = [...(response.touched ?? []), ...(!spec.readOnly && !isErrorResult(response.result) ? (spec.cacheTags?.(args) ?? []) : [])];
        if (touched.length) await d.cache.invalidate(touched);
        denied = response.denied === true;
        const ok = !isErrorResult(response.result);
        outcome = { result: response.result, ok, cacheHit, ...(ok ? {} : { errorType: denied ? 'denied' : 'tool_error' }) };
      } catch (e) {
        const retryable = !isStewardError(e) || e.retryable;
        // Retry transient failures through BullMQ; on the last attempt record an error result
        // so the turn goes on instead of hanging on this call.
        if (retryable && !run.lastAttempt) {
          await run.retry(e);
          return undefined;
        }
        d.log.warn({ queryId: t.queryId, tool: t.name, err: errorMessage(e) }, 'tool call failed');
        const code = errorType(e);
        outcome = { result: `Error: ${t.name} is unavailable right now`, ok: false, cacheHit: false, errorType: exceptionType(code), detail: code };
      }
    }
  }
  // The customer's name, once a tool said it, is redacted from this job's further log lines.
  rememberNames(namesInToolCall(t.name, t.arguments, outcome.result));
  const endMs = Date.now();
  const result: CallResult = {
    name: t.name,
    callId: t.callId,
    result: outcome.result,
    ok: outcome.ok,
    cacheHit: outcome.cacheHit,
    ...(outcome.errorType ? { errorType: outcome.errorType } : {}),
  };
  const event: EmitInput = {
    id: `${t.queryId}:t${t.turn}:c${t.index}:tool`,
    type: 'tool.call',
    queryId: t.queryId,
    conversationId: t.conversationId,
    traceId,
    ts: endMs,
    data: {
      turn: t.turn,
      index: t.index,
      callId: t.callId,
      spanId: stableSpanId(t.queryId, `t${t.turn}`, `c${t.index}`),
      name: t.name,
      startMs,
      endMs,
      cacheHit: outcome.cacheHit,
      ok: outcome.ok,
      ...(outcome.errorType ? { errorType: outcome.detail ?? outcome.errorType } : {}),
      arguments: t.arguments,
      result: outcome.result.slice(0, 4000),
    },
  };
  // The event is written by the script that records the result (one round trip), beside a cache
  // miss's store; both are idempotent on redelivery. The turn's last result: with the turn's
  // observe step, when this job knows every other result (ADR 0041); not after a denial, whose
  // audit event goes on the trace before the step, as it did.
  const observe = run.turn && !denied ? observeHere(d, t, q, run.turn, result) : undefined;
  const [progress] = await Promise.all([release(d, t, result, run, event, observe), cached]);
  if (denied) {
    await emitEvent(d.redis, d.keys, {
      id: `${t.queryId}:t${t.turn}:c${t.index}:denied`,
      type: 'audit.denied',
      queryId: t.queryId,
      conversationId: t.conversationId,
      traceId,
      data: { tool: t.name, customerId, turn: t.turn },
    });
  }
  return progress;
}

export async function release(
  d: ToolWorkerDeps,
  t: ToolJob,
  result: CallResult,
  run: Pick<Run, 'owner' | 'lock'>,
  event?: EmitInput,
  observe?: ObserveInScript & Pick<ObserveStep, 'relay'>,
): Promise<DagProgress> {
  const load = { conversationId: t.conversationId, ...(run.lock ? { lock: run.lock } : {}) };
  const progress = await d.dags.complete(t.queryId, t.turn, t.index, result, run.owner, load, event, observe);
  crashPoint('tool.after_record');
  // The observe step applied with the record: what follows a step's commit (its crash point, the relay).
  if (observe && progress.observed) await stepCommitted(d.steps, progress.observed, observe.relay);
  return progress;
}

/**
 * The turn's observe step, decided before this call's result is recorded when the job knows
 * every other result of the turn (this call is its last), for the record's script to apply; the
 * script compares those results and the memory with what is stored (ADR 0041). Undefined: the
 * step is taken after the record, as before (other results still to come, or a step that cannot
 * be decided ahead: observeBeforeRecord).
 */
function observeHere(d: ToolWorkerDeps, t: ToolJob, q: QueryRecord, turn: TurnResults, result: CallResult): (ObserveInScript & Pick<ObserveStep, 'relay'>) | undefined {
  turn.know(t.index, result);
  if (!turn.lastIs(t.index)) return undefined;
  const { proposal, history, memory } = turn.started;
  const step = observeBeforeRecord(d.steps, q, t.turn, { results: turn.all(), proposal, history, memory });
  if (!step) return undefined;
  crashPoint('observe.after_load');
  return { ...step, ...turn.shas(t.index) };
}
