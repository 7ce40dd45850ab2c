import { DelayedError, type Job } from 'bullmq';
import { errorMessage, idempotencyKey, isStewardError, stableSpanId, type ToolJob } from '@steward/core';
import { crashPoint, dispatchTurn, emitEvent, type CallResult, type ToolErrorType } from '@steward/store';
import { namesInToolCall, rememberNames } from '@steward/telemetry';
import { exceptionType, isErrorResult } from './tool-outcome.ts';
import { resolveRefs, type ToolSpec } from '@steward/tools';
import { runsTools } from '@steward/control';
import type { ToolWorkerDeps } from './deps.ts';
import { errorType, execute } from './execute.ts';
import { IDENTITY_LOCKED_RESULT, IDENTITY_TOOLS } from './identity-attempts.ts';

const SLOT_RETRY_MS = 20;

/**
 * One tool call of one turn. The result is recorded in the turn's DAG exactly once; the
 * calls waiting on it are released and, after the turn's last call, the controller is told.
 * A redelivered job whose result is already recorded only repeats the release (idempotent).
 */
export async function processCall(d: ToolWorkerDeps, t: ToolJob, job: Job, token?: string): Promise<void> {
  const spec = d.registry.get(t.name);
  // All reads go out together, the ones the call needs to run included (customer, the results it
  // depends on): the turn's latency is a chain of these steps, and a read wasted on a call that
  // turns out done or cancelled is cheaper than a round trip more on every call.
  const [recorded, q, customerId, ...deps] = await Promise.all([
    d.dags.result(t.queryId, t.turn, t.index),
    d.queries.get(t.queryId),
    spec ? d.conversations.customerId(t.conversationId) : null,
    ...(spec ? (t.dependsOn ?? []).map((i) => d.dags.result(t.queryId, t.turn, i)) : []),
  ]);
  crashPoint('tool.after_load');
  if (recorded) return release(d, t, recorded);

  // The query ended (deadline, loop): nothing may change on its behalf any more.
  if (!q || !runsTools(q)) return;

  // Per-tool concurrency cap, fleet-wide: over it, the job waits a moment and comes back.
  const holder = job.id ?? `${t.queryId}:${t.turn}:${t.index}`;
  if (spec?.maxConcurrency && !(await d.slots.acquire(spec.name, holder, spec.maxConcurrency, spec.timeoutMs ?? d.toolTimeoutMs))) {
    await job.moveToDelayed(Date.now() + SLOT_RETRY_MS, token);
    throw new DelayedError();
  }
  try {
    await runAndRecord(d, t, job, q.traceId, spec, q.principal, { customerId, deps });
    crashPoint('tool.before_ack');
  } finally {
    if (spec?.maxConcurrency) await d.slots.release(spec.name, holder);
  }
}

async function runAndRecord(
  d: ToolWorkerDeps,
  t: ToolJob,
  job: Job,
  traceId: string,
  spec: ToolSpec | undefined,
  principal: string | undefined,
  loaded: { customerId: string | null; deps: (CallResult | undefined)[] },
): Promise<void> {
  const startMs = Date.now();
  // errorType: the structured type for the control logic; detail: the exception's own code (trace only).
  let outcome: { result: string; ok: boolean; cacheHit: boolean; errorType?: ToolErrorType; detail?: string };
  let denied = false;
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
        const { response, cacheHit } = await execute(d, spec, args, customerId, idempotencyKey(t.queryId, t.turn, t.callId));
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
        const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        // Retry transient failures through BullMQ; on the last attempt record an error result
        // so the turn goes on instead of hanging on this call.
        if (retryable && !lastAttempt) throw e;
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
  const recordEvent = emitEvent(d.redis, d.keys, {
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
  });
  // The event and the release go out together; each is idempotent on redelivery.
  await Promise.all([recordEvent, release(d, t, result)]);
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
}

async function release(d: ToolWorkerDeps, t: ToolJob, result: CallResult): Promise<void> {
  const progress = await d.dags.complete(t.queryId, t.turn, t.index, result);
  crashPoint('tool.after_record');
  await dispatchTurn(d.queues, t.queryId, t.turn, progress);
}
