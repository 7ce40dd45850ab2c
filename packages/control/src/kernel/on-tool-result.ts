import { jobIds, type ToolJob } from '@steward/core';
import { jobSpec, type JobSpec } from './transition.ts';

/**
 * A tool call's result was recorded in its turn's DAG: the observe step when no call is left,
 * else the calls whose dependencies have now all ended. Deterministic job ids make a repeat
 * (a redelivered tool job reports the same progress again) harmless.
 */
export function onToolResult(progress: { left: number; ready: readonly ToolJob[] }, at: { queryId: string; turn: number; conversationId?: string }): JobSpec[] {
  if (progress.left === 0) {
    const observe = { type: 'observe' as const, queryId: at.queryId, turn: at.turn, ...(at.conversationId ? { conversationId: at.conversationId } : {}) };
    return [jobSpec('control', jobIds.observe(at.queryId, at.turn), observe)];
  }
  return progress.ready.map((t) => jobSpec('tools', jobIds.toolCall(at.queryId, at.turn, t.index), t));
}
