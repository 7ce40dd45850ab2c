import { jobIds, text, type DecideJob, type ProposedCall, type ToolJob } from '@steward/core';
import { applyStep, crashPoint, outboxMember, type CallResult, type DagCall, type QueryRecord } from '@steward/store';
import { collectRefs, planTurn } from '@steward/tools';
import { checkBudget, recordCost } from '@steward/llm';
import { completeQuery } from './complete.ts';
import type { ControllerDeps } from './deps.ts';
import { assertTransition, checkLimits } from './policy.ts';
import { decideConfirmation, UNRESOLVED_REFERENCE_TEXT, type PendingConfirmation } from '@steward/control';
import { customerMessage, loadConfirmationSnapshot } from './confirmation-snapshot.ts';
import { decision } from './decision.ts';

/**
 * The reasoning-worker's proposal for a turn: end the query with an answer, or turn the
 * proposed tool calls into this turn's DAG. Idempotent: a redelivered decide for a turn that
 * already moved on only re-enqueues what that turn needs.
 */
export async function handleDecide(d: ControllerDeps, job: DecideJob): Promise<void> {
  const q = await d.queries.get(job.queryId);
  crashPoint('decide.after_load');
  if (!q || q.status === 'completed' || q.status === 'failed') return;
  // A redelivered decide: the step was committed with its jobs (relayed, or the sweeper's).
  if (q.turn !== job.turn || q.state !== 'reasoning') return;
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
      await completeQuery(d, q, { outcome: 'fallback', reason: budget.exceeded, incr });
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
  if (limit && p.kind !== 'answer') return void (await completeQuery(d, q, { outcome: 'fallback', reason: limit, incr }));

  if (p.kind === 'answer') {
    await completeQuery(d, q, { outcome: 'answered', reason: 'answered', answer: p.answer, incr });
    return;
  }
  if (p.kind === 'llm_error') {
    // A model that kept replying with garbage is not an outage and not a loop: its own reason.
    await completeQuery(d, q, { outcome: 'fallback', reason: p.fault ? 'model_fault' : 'llm_unavailable', incr });
    return;
  }
  // Any other proposal needs another LLM turn to be read: stop here when none is left.
  if (job.turn + 1 >= d.limits.maxTurns) {
    await completeQuery(d, q, { outcome: 'fallback', reason: 'max_turns', incr });
    return;
  }
  if (p.kind === 'malformed') {
    const note = `Your previous output could not be used: ${p.error}`;
    await applyStep(d, q.queryId, {
      from: { state: 'reasoning', turn: job.turn },
      to: { state: assertTransition(q.state, 'reject_output'), turn: job.turn + 1 },
      incr,
      steps: [{ role: 'user', content: `[system note] ${note}` }],
      jobs: [outboxMember('reasoning', jobIds.reason(q.queryId, job.turn + 1), { queryId: q.queryId, turn: job.turn + 1 })],
    });
    return;
  }

  const calls = p.calls.slice(0, d.limits.maxToolCallsPerTurn);
  if (q.toolCalls + calls.length > d.limits.maxToolCallsPerQuery) {
    await completeQuery(d, q, { outcome: 'fallback', reason: 'tool_limit', incr });
    return;
  }
  const handoff = calls.find((c) => !c.error && d.registry.get(c.name)?.effect === 'handoff');
  if (handoff) {
    const summary = typeof handoff.arguments.summary === 'string' ? handoff.arguments.summary : q.text;
    await completeQuery(d, q, {
      outcome: 'handoff',
      reason: 'handoff',
      answer: text('handoffNotice', q.language),
      handoffSummary: summary,
      incr,
    });
    return;
  }

  const { dagCalls, conversation } = await buildDag(d, q, job.turn, calls);
  crashPoint('decide.after_transition');
  // The calls free to start now, or the observe step when every call was answered up front.
  const ready = dagCalls.flatMap((c) => (c.job && c.pending === 0 ? [c.job] : []));
  const jobs =
    ready.length === 0
      ? [outboxMember('control', jobIds.observe(q.queryId, job.turn), { type: 'observe', queryId: q.queryId, turn: job.turn })]
      : ready.map((t) => outboxMember('tools', jobIds.toolCall(q.queryId, job.turn, t.index), t));
  await applyStep(d, q.queryId, {
    from: { state: 'reasoning', turn: job.turn },
    to: { state: assertTransition(q.state, 'propose_tools'), turn: job.turn },
    incr: { ...incr, toolCalls: calls.length },
    steps: [
      {
        role: 'assistant',
        content: p.thought ?? null,
        tool_calls: calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: JSON.stringify(c.arguments) } })),
      },
    ],
    dag: { turn: job.turn, calls: dagCalls },
    // The pending confirmation changes with the step: a crash before it keeps the customer's "yes" usable.
    ...(conversation ? { conversation } : {}),
    jobs,
  });
}

/**
 * Calls that cannot run (unknown tool, bad arguments, a write the customer has not confirmed)
 * are answered now; the others wait for their own dependencies only.
 */
async function buildDag(
  d: ControllerDeps,
  q: QueryRecord,
  turn: number,
  calls: ProposedCall[],
): Promise<{ dagCalls: DagCall[]; conversation: { id: string; set?: Record<string, string>; del?: string[] } | undefined }> {
  const pre: (CallResult | undefined)[] = [];
  const conv = await d.conversations.get(q.conversationId);
  const guarded = (c: ProposedCall) => !c.error && d.requireConfirmation && d.registry.get(c.name)?.requiresConfirmation === true;
  const snap = calls.some(guarded) ? await loadConfirmationSnapshot(d, q, conv.pendingConfirmation) : null;
  let ask: PendingConfirmation | null = null;
  let consumed = false;
  for (const c of calls) {
    if (c.error) {
      // The reasoning-worker's validation text, as the model must read it; the type for the logic.
      const unknown = c.error.startsWith('Unknown tool');
      pre.push({ name: c.name, callId: c.id, result: unknown ? c.error : `Error: ${c.error}`, ok: false, errorType: unknown ? 'unknown_tool' : 'invalid_arguments' });
      continue;
    }
    if (snap && guarded(c)) {
      const verdict = decideConfirmation({
        call: { name: c.name, args: c.arguments },
        requiresConfirmation: true,
        unresolvedRefs: collectRefs(c.arguments).length > 0,
        query: customerMessage(q),
        ...snap,
      });
      if (!verdict.allowed) {
        ask = verdict.ask ?? ask;
        await decision(d, q, turn, `confirmation_c${calls.indexOf(c)}`, `${c.name}: refused (${verdict.reason})`);
        const unresolved = verdict.reason === 'unresolved_reference';
        const result = unresolved ? UNRESOLVED_REFERENCE_TEXT : text('confirmationRequired', q.language);
        pre.push({ name: c.name, callId: c.id, result, ok: false, errorType: unresolved ? 'unresolved_reference' : 'confirmation_required' });
        continue;
      }
      consumed = true;
    }
    pre.push(undefined);
  }
  // One pending action per conversation: the latest refused one (the model asks about it); a
  // confirmed action is used once, another one needs another yes. Applied with the step.
  const conversation = ask
    ? { id: q.conversationId, set: { pendingConfirmation: JSON.stringify(ask) } }
    : consumed
      ? { id: q.conversationId, del: ['pendingConfirmation'] }
      : undefined;

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
      if (pc.skip && !pre[pc.index]) pre[pc.index] = { name: pc.name, callId: calls[pc.index]!.id, result: `Error: ${pc.skip}`, ok: false, errorType: 'invalid_call_ref' };
      deps[pc.index] = pc.dependsOn;
      dependents[pc.index] = pc.dependents;
    }
  } else {
    // A cycle through explicit references: refuse those calls rather than hang the turn.
    calls.forEach((c, i) => (pre[i] ??= { name: c.name, callId: c.id, result: `Error: ${plan.error}`, ok: false, errorType: 'invalid_call_ref' }));
  }
  const dagCalls = calls.map((c, i): DagCall => {
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
  return { dagCalls, conversation };
}

