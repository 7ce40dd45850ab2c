import { jobIds, type ChatMessage, type ObserveJob } from '@steward/core';
import { completeQuery } from './complete.ts';
import type { ControllerDeps } from './deps.ts';
import { loopTurn } from './history.ts';
import type { LoopTurn } from '@steward/control';
import { applyStep, crashPoint, outboxMember, type CallResult } from '@steward/store';
import { assertTransition, detectLoop } from './policy.ts';
import { decision } from './decision.ts';
import { rememberToolResults } from './remember.ts';

/**
 * All calls of a turn have ended: record their results in the scratchpad, look for loops,
 * and start the next turn. Idempotent: a redelivered observe finds the query moved on and
 * only re-enqueues the next turn.
 */
export async function handleObserve(d: ControllerDeps, job: ObserveJob): Promise<void> {
  const q = await d.queries.get(job.queryId);
  crashPoint('observe.after_load');
  if (!q || q.status === 'completed' || q.status === 'failed') return;
  const next = job.turn + 1;
  // A redelivered observe: the step was committed with its jobs (relayed, or the sweeper's).
  if (q.state !== 'acting' || q.turn !== job.turn) return;

  const [{ results, left }, steps, previous] = await Promise.all([
    d.dags.results(q.queryId, job.turn),
    d.queries.steps(q.queryId),
    d.queries.history<LoopTurn>(q.queryId),
  ]);
  if (left !== 0 || results.some((r) => r === undefined)) {
    d.log.warn({ queryId: q.queryId, turn: job.turn, left }, 'observe before the turn ended');
    return;
  }
  const proposed = lastToolCalls(steps);
  const done = results as CallResult[];
  const toolMessages: ChatMessage[] = done.map((r) => ({ role: 'tool', tool_call_id: r.callId, content: r.result }));
  // The working memory carries what these results showed into every later prompt of the conversation.
  await rememberToolResults(d, q.conversationId, done, proposed);
  const entries = [loopTurn(done, proposed)];
  const history = [...previous, ...entries];
  const loop = detectLoop(history, d.limits);

  if (loop.level === 'critical') {
    await d.queries.advance(q.queryId, {
      from: { state: 'acting', turn: job.turn },
      to: { state: assertTransition(q.state, 'tools_done'), turn: job.turn },
      steps: toolMessages,
      history: entries,
    });
    await decision(d, q, job.turn, 'loop_critical', loop.detail);
    await completeQuery(d, { ...q, state: 'observing' }, { outcome: 'fallback', reason: 'loop_detected' });
    return;
  }
  if (next >= d.limits.maxTurns) {
    await completeQuery(d, q, { outcome: 'fallback', reason: 'max_turns' });
    return;
  }
  const r = await applyStep(d, q.queryId, {
    from: { state: 'acting', turn: job.turn },
    to: { state: assertTransition(q.state, 'tools_done', 'start'), turn: next },
    steps: toolMessages,
    history: entries,
    set: { nudge: loop.level === 'warning' ? loop.nudge : '' },
    jobs: [outboxMember('reasoning', jobIds.reason(q.queryId, next), { queryId: q.queryId, turn: next })],
  });
  if (r === 'applied' && loop.level === 'warning') await decision(d, q, job.turn, 'loop_warning', loop.detail);
}

/** The arguments of the turn's tool calls, by index, from the assistant message that proposed them. */
function lastToolCalls(steps: ChatMessage[]): Record<string, unknown>[] {
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i]!;
    if (s.role === 'assistant' && s.tool_calls?.length) {
      return s.tool_calls.map((c) => {
        try {
          return JSON.parse(c.function.arguments) as Record<string, unknown>;
        } catch {
          return {};
        }
      });
    }
  }
  return [];
}
