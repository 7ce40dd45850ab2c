import type { Job } from 'bullmq';
import { errorMessage, isStewardError, jobIds, stableSpanId, type LlmUsage, type Proposal, type ReasonJob } from '@steward/core';
import { isModelFault } from '@steward/llm';
import { awaitsProposal } from '@steward/control';
import { crashPoint, loadTurn, type QueryRecord } from '@steward/store';
import { rememberNames } from '@steward/telemetry';
import { CONFIRMATION_LOOKBACK, costRecordOf, decideWhereProposed, needsConfirmationReads, optimisticCommitted, optimisticStep } from '@steward/steps';
import type { ReasoningDeps } from './deps.ts';
import { toProposal } from './to-proposal.ts';
import { prepareCall, takeRequest, type PreparedCall } from './prepare-call.ts';
import { answerPublisher } from './answer-publisher.ts';
import { writeLlmCall } from './llm-call-script.ts';

/**
 * Exactly one ReAct turn: build the prompt inside the token budget, make one LLM call, and take
 * the query's step on the proposal here (the kernel's onProposal and the one applier, as the
 * controller's decide would): no `decide` job, no second process per turn. A stale or repeated
 * job does nothing; one redelivered after its step was applied finds the query moved on.
 */
/** The channel whose clients always watch their queries live: the web chat's (its key bound to `web`). */
const WATCHING_CHANNEL = 'web';

export async function processTurn(d: ReasoningDeps, r: ReasonJob, job: Job): Promise<void> {
  const started = await startTurn(d, r);
  if (started) await callAndStep(d, r, job, started.q, started.call);
}

/**
 * The turn's load and its prompt, or nothing when the job is stale. Apart from the call so that
 * the loaded turn is not referenced across it (prepare-call.ts): only the query and the prepared
 * call come back.
 */
async function startTurn(d: ReasoningDeps, r: ReasonJob): Promise<{ q: QueryRecord; call: PreparedCall } | undefined> {
  // The query, its conversation, its steps, whether this turn's decide job exists (EXISTS:
  // BullMQ's getJob reads and parses the whole job) and the names the conversation's tools
  // learned (redacted from this job's lines from here on; the worker reads none before) in one script.
  // This worker no longer adds decide jobs; an older one did, during a rolling deploy, and the
  // controller still takes them: that turn is decided there, not asked of the model twice.
  // The steps are read even when the job turns out stale: rare, and cheaper than a second trip.
  const decideId = jobIds.decide(r.queryId, r.turn);
  const turn = await loadTurn(d, r.queryId, { existsKey: d.queues.control.toKey(decideId), names: d.readNames });
  if (turn?.names.length) rememberNames(turn.names);
  const q = turn?.query;
  crashPoint('reason.after_load');
  // The kernel's rule: only a query reasoning at this very turn takes this turn's call.
  if (!q || !awaitsProposal(q, r.turn)) return undefined;
  if (turn.keyExists) return undefined;
  const transcript = d.promptMode === 'naive' ? await d.conversations.transcript(q.conversationId) : [];
  return { q, call: prepareCall(d, q, turn, transcript) };
}

async function callAndStep(d: ReasoningDeps, r: ReasonJob, job: Job, q: QueryRecord, call: PreparedCall): Promise<void> {
  const startMs = Date.now();
  let proposal: Proposal;
  let usage: LlmUsage | undefined;
  let error: string | undefined;
  let reasoning: string | undefined;
  let reasoningTokens: number | undefined;
  let ttftMs: number | undefined;
  // The answer's tokens go to the query's live channel as they come (web chat, SSE), and only
  // when a live client may be watching the conversation (the ingress's mark, read with the turn):
  // a webhook, push or polling channel gets the committed answer only, and a streamed call costs
  // CPU here (SSE parsing, PUBLISH per piece) and at the model server. ADR 0032. The web chat
  // always watches (its page opens each query's stream), but opens a new conversation's stream
  // only after the first message was accepted, often after its call started: its queries stream
  // without waiting for the mark, so a new conversation's first answer is written live too.
  const live = d.stream && (q.channel === WATCHING_CHANNEL || call.watched) ? answerPublisher({ redis: d.redis, keys: d.keys, log: d.log, queryId: q.queryId, turn: r.turn, style: d.toolStyle }) : undefined;
  try {
    const res = await d.llm.complete({
      ...takeRequest(call),
      ...(live ? { onDelta: live.onDelta, onAttempt: live.onAttempt } : {}),
    });
    usage = res.usage;
    reasoning = res.reasoning;
    reasoningTokens = res.reasoningTokens;
    ttftMs = res.timeToFirstTokenMs;
    if (res.quirks.length) d.log.info({ queryId: q.queryId, quirks: res.quirks }, 'provider quirks normalised');
    const { proposal: p, notes } = toProposal(res.message, d.registry, d.parseText);
    proposal = p;
    for (const rep of notes.repairs) d.log.info({ queryId: q.queryId, from: rep.from, to: rep.to }, 'tool name repaired');
  } catch (e) {
    // A model that kept replying with nothing usable (the client already asked again) is not
    // an outage to retry and must not become a step the loop detector counts: end it by name.
    if (isModelFault(e)) {
      error = errorMessage(e);
      proposal = { kind: 'llm_error', error, fault: e.details.fault };
    } else {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if ((!isStewardError(e) || e.retryable) && !lastAttempt) {
        live?.withdraw();
        await live?.flush();
        throw e;
      }
      error = errorMessage(e);
      proposal = { kind: 'llm_error', error };
    }
  }
  // The streamed answer's last messages go out in the event's script, ahead of the event (a
  // client still sees them before the completion); those already sent are awaited with the step.
  // Taken before anything is awaited: a wait would let the publisher's deferred send run, which
  // would send them on their own.
  const last = live?.finish(proposal.kind !== 'answer');
  // The step's thought in the trace: the model's reasoning (kept out of the answer and of the
  // next request) and the text it wrote beside its tool calls. Redacted like all trace text.
  const thought = [reasoning?.trim(), proposal.kind === 'tool_calls' ? proposal.thought : undefined].filter(Boolean).join('\n\n');
  const endMs = Date.now();
  crashPoint('reason.after_llm');
  // One script writes what the call leaves behind (its llm.call event, its cost record, the
  // prompt prefix and the working memory, the stream's last messages) and reads the
  // query's fresh state, the budgets after this call and, for a guarded write, the confirmation
  // state for the step. Redis has the llm.call event before any decision or completion event of
  // the step (the trace never gets an ending before the call that led to it), and the cost is
  // recorded by the ledger's own script, once per call id, as the step would record it (costRecordOf).
  const cost = costRecordOf(d.steps, q, { turn: r.turn, ...(usage ? { usage } : {}) });
  const guarded = needsConfirmationReads(d.steps, { proposal });
  const proposed = { queryId: q.queryId, turn: r.turn, proposal, ...(usage ? { usage } : {}) };
  // The step decided now, on the query as loaded before the call, goes in the same script and is
  // applied there if the query still reasons at this turn and the budgets hold after this call
  // (ADR 0034): the turn waits for one round trip after the model where it waited for two. A
  // guarded write, or a step with decision events, is decided after the script, as before.
  const optimistic = optimisticStep(d.steps, q, proposed);
  const written = writeLlmCall(d.redis, d.keys, {
    queryKey: d.keys.query(q.queryId),
    ...(last?.messages.length ? { publish: last.messages } : {}),
    conversation: d.conversations.setFieldsArgs(q.conversationId, call.conversationFields),
    ...(cost ? { cost: { prefix: d.keys.prefix, record: cost, limits: d.steps.budgets } } : {}),
    ...(guarded
      ? { confirmation: { conversationKey: d.keys.conversation(q.conversationId), queriesKey: d.keys.conversationQueries(q.conversationId), lookback: CONFIRMATION_LOOKBACK } }
      : {}),
    ...(optimistic ? { step: optimistic } : {}),
    event: {
      id: `${q.queryId}:t${r.turn}:llm`,
      type: 'llm.call',
      queryId: q.queryId,
      conversationId: q.conversationId,
      traceId: q.traceId,
      ts: endMs,
      data: {
        turn: r.turn,
        spanId: stableSpanId(q.queryId, `t${r.turn}`, 'llm'),
        model: usage?.model ?? d.llm.model,
        provider: usage?.provider ?? 'openai',
        startMs: usage?.startMs ?? startMs,
        endMs: usage?.endMs ?? endMs,
        inputTokens: usage?.inputTokens ?? call.promptTokens,
        outputTokens: usage?.outputTokens ?? 0,
        cachedInputTokens: usage?.cachedInputTokens ?? 0,
        costUsd: usage?.costUsd ?? 0,
        retries: usage?.retries ?? 0,
        ...(usage?.finishReason ? { finishReason: usage.finishReason } : {}),
        maxTokens: d.outputTokens,
        temperature: d.temperature,
        promptTokens: call.promptTokens,
        // Share of this prompt that repeats the previous call's prefix (provider prompt caching).
        prefixReuse: call.prefixReuse,
        toolTokens: call.toolTokens,
        ...(call.tiers ? { promptTiers: call.tiers } : {}),
        ...(thought ? { thought } : {}),
        ...(reasoningTokens ? { reasoningTokens } : {}),
        ...(ttftMs === undefined ? {} : { timeToFirstTokenMs: ttftMs }),
        proposal: describe(proposal),
        ...(error ? { error } : {}),
      },
    },
  });
  // Only a guarded write's step reads these (the same rule): else nothing would await them.
  const confirmation = guarded ? written.then((w) => w.confirmation ?? { stored: null, ids: [] }) : undefined;
  // The step on what the script read (made only when it is taken: a derived promise nobody awaits
  // would be an unhandled rejection if the script failed).
  const decide = () =>
    decideWhereProposed(
      d.steps,
      q,
      proposed,
      written.then((w) => d.queries.fromHash(w.query)),
      written.then((w) => w.budget),
      confirmation,
    );
  // Applied in the script: relay its jobs (an ending: compaction, transcript). Not applied (the
  // query moved, or the budgets stop it): decided on what the script read, as without it.
  const step = optimistic ? written.then((w) => (w.step !== undefined ? optimisticCommitted(d.steps, q, optimistic, w.step) : decide())) : decide();
  await Promise.all([written, step, last?.sent]);
  crashPoint('reason.before_ack');
}


function describe(p: Proposal): string {
  switch (p.kind) {
    case 'answer':
      return `answer: ${p.answer.slice(0, 500)}`;
    case 'tool_calls':
      return p.calls.map((c) => `${c.name}(${JSON.stringify(c.arguments).slice(0, 300)})${c.error ? ` ! ${c.error}` : ''}`).join('; ');
    case 'malformed':
      return `malformed: ${p.error}`;
    case 'llm_error':
      return `llm_error: ${p.error}`;
  }
}
