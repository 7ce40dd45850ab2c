// The JSON-mode variant of the text format, for models that support neither native tool calls
// nor the Thought / Action lines reliably, but can be held to one JSON object per reply by the
// provider's `response_format: {type: "json_object"}`. The object is validated with zod; what
// does not fit becomes `malformed` with an error that tells the model what to change.
import { z } from 'zod';
import { DEFAULTS, type Proposal } from '@steward/core';
import { extractJsonObject } from './json-extract.ts';

export const JSON_FORMAT_INSTRUCTIONS = [
  'Reply with exactly one JSON object and nothing else.',
  'To use tools: {"thought": "<your reasoning>", "tool_calls": [{"name": "<tool_name>", "arguments": {"argument": "value"}}]}',
  'Several entries in "tool_calls" run in parallel. Then stop and wait: the results come back as Observation.',
  'When you can answer the customer: {"thought": "<your reasoning>", "answer": "<your reply to the customer>"}',
].join('\n');

const JsonToolCall = z.object({ name: z.string().min(1), arguments: z.record(z.string(), z.unknown()).default({}) });

/** One reply in JSON mode: either tool calls or an answer, never both. */
export const JsonTurn = z.union([
  z.object({ thought: z.string().optional(), tool_calls: z.array(JsonToolCall).min(1), answer: z.undefined().optional() }),
  z.object({ thought: z.string().optional(), answer: z.string().min(1), tool_calls: z.undefined().optional() }),
]);
export type JsonTurn = z.infer<typeof JsonTurn>;

function malformed(error: string, raw: string): Proposal {
  return { kind: 'malformed', error: `${error}\nReply again with one JSON object.\n${JSON_FORMAT_INSTRUCTIONS}`, raw: raw.slice(0, 4_000) };
}

export function parseJsonReply(text: string, opts: { idPrefix?: string; maxCalls?: number } = {}): Proposal {
  if (text.trim() === '') return malformed('Your reply was empty.', text);
  const obj = extractJsonObject(text);
  if (!obj.ok) return malformed(`Your reply is not a JSON object (${obj.error}).`, text);
  const turn = JsonTurn.safeParse(obj.value);
  if (!turn.success) {
    const both = 'answer' in obj.value && 'tool_calls' in obj.value;
    return malformed(
      both ? 'Your reply had both "tool_calls" and "answer": give one of them.' : `Your reply needs either "tool_calls" (a non-empty list of {"name", "arguments"}) or "answer" (a non-empty string).`,
      text,
    );
  }
  const t = turn.data;
  const thought = t.thought?.trim() ? { thought: t.thought.trim() } : {};
  if (t.answer !== undefined) return { kind: 'answer', answer: t.answer.trim(), ...thought };
  const max = opts.maxCalls ?? DEFAULTS.maxToolCallsPerTurn;
  if (t.tool_calls.length > max) return malformed(`Your reply had ${t.tool_calls.length} tool calls; at most ${max} are allowed in one reply.`, text);
  return {
    kind: 'tool_calls',
    calls: t.tool_calls.map((c, i) => ({ id: `${opts.idPrefix ?? 'call'}_${i}`, name: c.name, arguments: c.arguments })),
    ...thought,
  };
}
