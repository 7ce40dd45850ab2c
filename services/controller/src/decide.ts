import { jobIds, text, type DecideJob, type ProposedCall, type ToolJob } from '@steward/core';
import type { CallResult, DagCall, QueryRecord } from '@steward/store';
import { planTurn } from '@steward/tools';
import { checkBudget, recordCost } from '@steward/llm';
import { completeQuery } from './complete.ts';
import type { ControllerDeps } from './deps.ts';
import { confirmationKey, isAffirmative, assertTransition, checkLimits } from './policy.ts';
import { enqueueReady } from './enqueue-ready.ts';

/**
 * The reasoning-worker's proposal for a turn: end the query with an answer, or turn the
 * proposed tool calls into this turn's DAG. Idempotent: a redelivered decide for a turn that
 * already moved on only re-enqueues what that turn needs.
 */
export async function handleDecide(d: ControllerDeps, job: DecideJob): Promise<void> {
  const q = await d.queries.get(job.queryId);
  if (!q || q.status === 'completed' || q.status === 'failed') return;
  if (q.turn !== job.turn || q.state !== 'reasoning') {
    if (q.turn === job.turn && q.state === 'acting') await enqueueReady(d, q.queryId, job.turn);
    return;
  }
  const now = d.now?.() ?? Date.now();
  const u = job.usage;
  const incr: Record<string, number> = u
    ? { inputTokens: u.inputTokens, outputTokens: u.outputTokens, costUsd: u.costUsd }
    : {};
  const p = job.proposal;
  if (u) {
    // Cost ledger: per query, conversation and customer-day; the reasoning job id makes it once-only.
    const customerId = await d.conversations.customerId(q.conversationId);
    await recordCost(d.redis, d.keys.prefix, {
      queryId: q.queryId,
      conversationId: q.conversationId,
      ...(customerId ? { customerId } : {}),
      usd: u.costUsd,
      inputTokens: u.inputTokens,
      outputTokens: u.outputTokens,
      callId: jobIds.reason(q.queryId, job.turn),
    });
    const budget = await checkBudget(d.redis, d.keys.prefix, { conversationId: q.conversationId, queryId: q.queryId }, d.budgets);
    if (!budget.ok && p.kind !== 'answer') {
      await completeQuery(d, q, { outcome: 'fallback', reason: budget.exceeded, state: 'failed', incr });
      return;
    }
  }

  const limit = checkLimits(d.limits, {
    turn: job.turn,
    startedMs: q.startedMs ?? q.createdMs,
    deadlineAtMs: q.deadlineAtMs,
    nowMs: now,
    toolCalls: q.toolCalls,
    tokens: q.inputTokens + q.outputTokens + (incr.inputTokens ?? 0) + (incr.outputTokens ?? 0),
    costUsd: q.costUsd + (incr.costUsd ?? 0),
  });
  if (limit && p.kind !== 'answer') return void (await completeQuery(d, q, { outcome: 'fallback', reason: limit, state: 'failed', incr }));

  if (p.kind === 'answer') {
    assertTransition(d, q, 'reasoning', 'propose_answer');
    await completeQuery(d, q, { outcome: 'answered', reason: 'answered', state: 'completed', answer: p.answer, incr });
    return;
  }
  if (p.kind === 'llm_error') {
    // A model that kept replying with garbage is not an outage and not a loop: its own reason.
    await completeQuery(d, q, { outcome: 'fallback', reason: p.fault ? 'model_fault' : 'llm_unavailable', state: 'failed', incr });
    return;
  }
  // Any other proposal needs another LLM turn to be read: stop here when none is left.
  if (job.turn + 1 >= d.limits.maxTurns) {
    await completeQuery(d, q, { outcome: 'fallback', reason: 'max_turns', state: 'failed', incr });
    return;
  }
  if (p.kind === 'malformed') {
    const note = `Your previous output could not be used: ${p.error}`;
    const r = await d.queries.advance(q.queryId, {
      from: { state: 'reasoning', turn: job.turn },
      to: { state: 'reasoning', turn: job.turn + 1 },
      incr,
      steps: [{ role: 'user', content: `[system note] ${note}` }],
    });
    if (r !== 'ended') await d.queues.add('reasoning', jobIds.reason(q.queryId, job.turn + 1), { queryId: q.queryId, turn: job.turn + 1 });
    return;
  }

  const calls = p.calls.slice(0, d.limits.maxToolCallsPerTurn);
  if (q.toolCalls + calls.length > d.limits.maxToolCallsPerQuery) {
    await completeQuery(d, q, { outcome: 'fallback', reason: 'tool_limit', state: 'failed', incr });
    return;
  }
  const handoff = calls.find((c) => !c.error && d.registry.get(c.name)?.effect === 'handoff');
  if (handoff) {
    const summary = typeof handoff.arguments.summary === 'string' ? handoff.arguments.summary : q.text;
    await completeQuery(d, q, {
      outcome: 'handoff',
      reason: 'handoff',
      state: 'handed_off',
      answer: text('handoffNotice', q.language),
      handoffSummary: summary,
      incr,
    });
    return;
  }

  const dagCalls = await buildDag(d, q, job.turn, calls);
  assertTransition(d, q, 'reasoning', 'propose_tools');
  const r = await d.queries.advance(q.queryId, {
    from: { state: 'reasoning', turn: job.turn },
    to: { state: 'acting', turn: job.turn },
    incr: { ...incr, toolCalls: calls.length },
    steps: [
      {
        role: 'assistant',
        content: p.thought ?? null,
        tool_calls: calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: JSON.stringify(c.arguments) } })),
      },
    ],
  });
  if (r === 'ended') return;
  const created = await d.dags.init(q.queryId, job.turn, dagCalls);
  if (!created) return enqueueReady(d, q.queryId, job.turn);
  // A fresh DAG: its ready calls are known here, no need to read them back.
  const ready = dagCalls.flatMap((c) => (c.job && c.pending === 0 ? [c.job] : []));
  if (ready.length === 0) {
    await d.queues.add('control', jobIds.observe(q.queryId, job.turn), { type: 'observe', queryId: q.queryId, turn: job.turn });
    return;
  }
  await Promise.all(ready.map((t) => d.queues.add('tools', jobIds.toolCall(q.queryId, job.turn, t.index), t)));
}

/**
 * Calls that cannot run (unknown tool, bad arguments, a write the customer has not confirmed)
 * are answered now; the others wait for their own dependencies only.
 */
async function buildDag(d: ControllerDeps, q: QueryRecord, turn: number, calls: ProposedCall[]): Promise<DagCall[]> {
  const pre: (CallResult | undefined)[] = [];
  const conv = await d.conversations.get(q.conversationId);
  let pendingConfirmation: string | null = null;
  for (const c of calls) {
    if (c.error) {
      pre.push({ name: c.name, callId: c.id, result: c.error.startsWith('Unknown tool') ? c.error : `Error: ${c.error}`, ok: false });
      continue;
    }
    const spec = d.registry.get(c.name);
    if (spec?.requiresConfirmation && d.requireConfirmation) {
      const key = confirmationKey(c.name, c.arguments);
      const confirmed = conv.pendingConfirmation === key && isAffirmative(q.text);
      if (!confirmed) {
        pendingConfirmation = key;
        pre.push({ name: c.name, callId: c.id, result: text('confirmationRequired', q.language), ok: false });
        continue;
      }
    }
    pre.push(undefined);
  }
  if (pendingConfirmation) await d.conversations.setFields(q.conversationId, { pendingConfirmation });
  else if (conv.pendingConfirmation && pre.some((r, i) => !r && d.registry.get(calls[i]!.name)?.requiresConfirmation)) {
    // The confirmed action is used once; another one needs another yes.
    await d.conversations.clearField(q.conversationId, 'pendingConfirmation');
  }

  // Plan every call, pre-answered ones marked skipped, so "$call:<i>" references keep the
  // indexes the model wrote.
  const plan = planTurn(
    d.registry,
    calls.map((c, i) => ({ name: c.name, arguments: c.arguments, ...(pre[i] ? { error: pre[i].result } : {}) })),
  );
  const deps: number[][] = calls.map(() => []);
  const dependents: number[][] = calls.map(() => []);
  if (plan.ok) {
    for (const pc of plan.plan.calls) {
      if (pc.skip && !pre[pc.index]) pre[pc.index] = { name: pc.name, callId: calls[pc.index]!.id, result: `Error: ${pc.skip}`, ok: false };
      deps[pc.index] = pc.dependsOn;
      dependents[pc.index] = pc.dependents;
    }
  } else {
    // A cycle through explicit references: refuse those calls rather than hang the turn.
    calls.forEach((c, i) => (pre[i] ??= { name: c.name, callId: c.id, result: `Error: ${plan.error}`, ok: false }));
  }
  return calls.map((c, i): DagCall => {
    const result = pre[i];
    if (result) return { pending: 0, dependents: [], result };
    const job: ToolJob = {
      queryId: q.queryId,
      conversationId: q.conversationId,
      turn,
      index: i,
      callId: c.id,
      name: c.name,
      arguments: c.arguments,
      dependsOn: deps[i]!,
    };
    return { pending: deps[i]!.filter((j) => !pre[j]).length, dependents: dependents[i]!, job };
  });
}

