// Turns the assistant message of a native tool-calling model into a Proposal. Never throws.
// A call whose arguments are not a JSON object keeps its place with `error` set, so the other
// calls of the turn can still run and the controller tells the model what was wrong.
import { DEFAULTS, type AssistantMessage, type Proposal, type ProposedCall } from '@steward/core';
import { extractJsonObject } from './json-extract.ts';
import { parseTextReply, type TextParseOptions } from './parse-text.ts';
import { parseJsonReply } from './json-format.ts';

/** native tool calls, the ReAct text format, or one JSON object per reply (JSON mode). */
export type ToolCallStyle = 'native' | 'text' | 'json';

const TEXT_MARKERS = /^\s*(?:\*\*)?\s*(action|final answer)\s*(?:\*\*)?\s*[:：]/im;

export function parseAssistantMessage(message: AssistantMessage, opts: TextParseOptions = {}): Proposal {
  try {
    const content = message.content?.trim() ?? '';
    const calls = message.tool_calls ?? [];
    if (calls.length === 0) {
      // Native models sometimes fall back to the text format; honour it rather than send it to the customer.
      if (TEXT_MARKERS.test(content)) return parseTextReply(content, opts);
      if (content === '') return { kind: 'malformed', error: 'Your reply was empty: call a tool or answer the customer.' };
      return { kind: 'answer', answer: content };
    }
    const max = opts.maxCalls ?? DEFAULTS.maxToolCallsPerTurn;
    if (calls.length > max) {
      return { kind: 'malformed', error: `You called ${calls.length} tools at once; at most ${max} are allowed in one turn.` };
    }
    const out: ProposedCall[] = calls.map((c, i) => {
      const args = extractJsonObject(c.function.arguments ?? '');
      const call: ProposedCall = { id: c.id || `${opts.idPrefix ?? 'call'}_${i}`, name: c.function.name, arguments: args.ok ? args.value : {} };
      if (!args.ok) call.error = `The arguments of ${c.function.name} are not a valid JSON object (${args.error}).`;
      return call;
    });
    return content ? { kind: 'tool_calls', calls: out, thought: content } : { kind: 'tool_calls', calls: out };
  } catch (e) {
    return { kind: 'malformed', error: `Your reply could not be read (${(e as Error).message}).` };
  }
}

/** Either style, by how the model was asked to answer. */
export function parseModelOutput(message: AssistantMessage, style: ToolCallStyle, opts: TextParseOptions = {}): Proposal {
  if (style === 'json') return parseJsonReply(message.content ?? '', opts);
  return style === 'native' ? parseAssistantMessage(message, opts) : parseTextReply(message.content ?? '', opts);
}
