import type { AssistantMessage, Proposal, ProposedCall } from '@steward/core';
import { resolveCall, type CallErrorCode, type ToolRegistry } from '@steward/tools';

export interface ProposalNotes {
  repairs: { from: string; to: string }[];
  dropped: string[];
}

/**
 * Turn the model's native tool calls into a proposal: names repaired, arguments validated
 * and coerced. A call that cannot run keeps its error, which the controller feeds back to
 * the model as that call's observation.
 */
export function toProposal(
  message: AssistantMessage,
  registry: ToolRegistry,
  parseText: (content: string) => Proposal,
): { proposal: Proposal; notes: ProposalNotes } {
  const notes: ProposalNotes = { repairs: [], dropped: [] };
  const thought = message.content?.trim() || undefined;
  if (message.tool_calls?.length) {
    const calls: ProposedCall[] = message.tool_calls.map((tc) => {
      const r = resolveCall(registry, tc.function.name, tc.function.arguments);
      if (!r.ok) return { id: tc.id, name: r.name ?? tc.function.name, arguments: {}, error: r.error, errorType: callErrorType(r.code) };
      if (r.repairedFrom) notes.repairs.push({ from: r.repairedFrom, to: r.name });
      notes.dropped.push(...r.dropped.map((p) => `${r.name}.${p}`));
      return { id: tc.id, name: r.name, arguments: r.args, ...(r.repairedFrom ? { repairedFrom: r.repairedFrom } : {}) };
    });
    return { proposal: { kind: 'tool_calls', calls, ...(thought ? { thought } : {}) }, notes };
  }
  const content = message.content ?? '';
  if (!content.trim()) return { proposal: { kind: 'malformed', error: 'the reply was empty: call a tool or give the final answer' }, notes };
  const parsed = parseText(content);
  if (parsed.kind !== 'tool_calls') return { proposal: parsed, notes };
  // Text-format actions go through the same repair and validation as native calls.
  const calls = parsed.calls.map((c): ProposedCall => {
    const r = resolveCall(registry, c.name, c.arguments);
    if (!r.ok) return { ...c, arguments: {}, error: r.error, errorType: callErrorType(r.code) };
    if (r.repairedFrom) notes.repairs.push({ from: r.repairedFrom, to: r.name });
    return { id: c.id, name: r.name, arguments: r.args, ...(r.repairedFrom ? { repairedFrom: r.repairedFrom } : {}) };
  });
  return { proposal: { ...parsed, calls }, notes };
}

/** The structured type the controller reads (unparsable JSON is one kind of invalid arguments). */
function callErrorType(code: CallErrorCode): NonNullable<ProposedCall['errorType']> {
  return code === 'unknown_tool' ? 'unknown_tool' : 'invalid_arguments';
}
