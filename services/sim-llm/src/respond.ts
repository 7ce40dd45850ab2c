// Shapes a decision as a chat.completion: native tool calls, or the ReAct text format
// (Thought / Action / Final Answer) when the request carries no tools or asks for text.
import { canonicalJson, fingerprint } from '@steward/core';
import type { Decision, PlannedCall } from './policy/types.ts';
import type { ChatRequest } from './request-schema.ts';
import { clipTokens, countTokens, promptTokens } from './tokens.ts';

export interface CompletionToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  system_fingerprint: string;
  choices: {
    index: 0;
    message: { role: 'assistant'; content: string | null; tool_calls?: CompletionToolCall[]; refusal: null };
    finish_reason: 'stop' | 'tool_calls' | 'length';
    logprobs: null;
  }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

export interface RespondOptions {
  textFormat: boolean;
  /** JSON mode (`response_format: json_object`): one JSON object, tool calls or answer. */
  jsonFormat?: boolean;
  /** Break the tool-call arguments on purpose (`#sim:malformed`, the malformed fault). */
  malformed: boolean;
}

export function buildCompletion(req: ChatRequest, d: Decision, opts: RespondOptions): ChatCompletion {
  const requestHash = fingerprint(canonicalJson(req.messages));
  const maxTokens = req.max_completion_tokens ?? req.max_tokens ?? undefined;
  let content: string | null;
  let toolCalls: CompletionToolCall[] | undefined;
  let finish: 'stop' | 'tool_calls' | 'length';
  if (opts.jsonFormat) {
    const reply =
      d.kind === 'call'
        ? { thought: d.thought, tool_calls: d.calls.map((c) => ({ name: c.name, arguments: c.args })) }
        : { thought: d.thought, answer: d.text };
    content = JSON.stringify(reply);
    // The malformed fault in JSON mode: the object is cut short.
    if (opts.malformed) content = content.slice(0, Math.max(1, content.length - 3));
    finish = 'stop';
  } else if (opts.textFormat) {
    // Several Action lines are several calls in parallel, as the text format allows.
    content =
      d.kind === 'call'
        ? [`Thought: ${d.thought}`, ...d.calls.map((c) => `Action: ${c.name} | ${argsText(c, opts.malformed)}`)].join('\n')
        : `Thought: ${d.thought}\nFinal Answer: ${d.text}`;
    finish = 'stop';
  } else if (d.kind === 'call' || opts.malformed) {
    const calls = d.kind === 'call' ? d.calls : [{ name: 'get_order_details', args: { order_id: '#W0000000' } }];
    // Ids derive from the request: the same conversation state always gets the same call ids.
    toolCalls = calls.map((c, i) => ({
      id: `call_${fingerprint(`${requestHash}:${i}:${c.name}`)}`,
      type: 'function',
      function: { name: c.name, arguments: argsText(c, opts.malformed) },
    }));
    content = d.thought || null;
    finish = 'tool_calls';
  } else {
    content = d.text;
    finish = 'stop';
  }
  if (maxTokens !== undefined && toolCalls === undefined && content !== null && countTokens(content) > maxTokens) {
    content = clipTokens(content, maxTokens);
    finish = 'length';
  }
  const completionTokens =
    countTokens(content ?? '') + (toolCalls ?? []).reduce((n, c) => n + countTokens(c.function.name) + countTokens(c.function.arguments), 0);
  const prompt = promptTokens(req);
  return {
    id: `chatcmpl-${requestHash}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: req.model,
    system_fingerprint: 'sim-llm-deterministic',
    choices: [{ index: 0, message: { role: 'assistant', content, ...(toolCalls ? { tool_calls: toolCalls } : {}), refusal: null }, finish_reason: finish, logprobs: null }],
    usage: { prompt_tokens: prompt, completion_tokens: completionTokens, total_tokens: prompt + completionTokens },
  };
}

function argsText(c: PlannedCall, malformed: boolean): string {
  if (c.rawArguments !== undefined) return c.rawArguments;
  const json = JSON.stringify(c.args);
  // Cut before the closing brace and leave a quote open: no JSON repair can guess the value.
  return malformed ? `${json.slice(0, Math.max(1, json.length - 2))}, "` : json;
}
