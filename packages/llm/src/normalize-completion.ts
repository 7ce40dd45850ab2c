// One chat completion, whatever the provider's dialect, into the one shape the rest of steward
// knows: an assistant message with JSON-object-string tool-call arguments and unique ids, the
// reasoning kept apart (never shown to the customer, never sent back), usage with cache hits.
// A response that cannot be used throws an error that says whether to retry.
import type { AssistantMessage, ToolCallMessagePart } from '@steward/core';
import { LlmBadResponseError, LlmModelFaultError, RateLimitedError } from './errors.ts';
import { extractTextToolCalls } from './hermes-tool-calls.ts';
import { extractJsonObject } from './json-extract.ts';
import { isPlainWireCompletion, WireCompletion, WireUsage, type WireToolCall } from './wire-completion.ts';
import type { StreamedBody } from './accumulate-stream.ts';

export interface NormalizedUsage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  /** Part of outputTokens spent on reasoning (OpenAI o-series, DeepSeek reasoner). */
  reasoningTokens: number;
}

export interface NormalizedCompletion {
  message: AssistantMessage;
  /** The model's reasoning (DeepSeek `reasoning_content`, Ollama `reasoning`): for the trace only. */
  reasoning?: string;
  finishReason: string | undefined;
  model: string | undefined;
  usage: NormalizedUsage;
  /** The provider's quirks met on the way, for the trace (`hermes_tool_calls`, `object_arguments`…). */
  quirks: string[];
}

const ERROR_SNIPPET = 300;

export function normalizeCompletion(body: unknown, opts: { idPrefix?: string } = {}): NormalizedCompletion {
  if (typeof body === 'string') throw notJson(body);
  // The usual reply skips the schema's walk and copy; any other is parsed, and refused by name.
  if (isPlainWireCompletion(body)) return normalizeWire(body, opts);
  const parsed = WireCompletion.safeParse(body);
  if (!parsed.success) throw notACompletion(body);
  return normalizeWire(parsed.data, opts);
}

/**
 * A streamed reply as StreamAccumulator folded it. Every field the accumulator took from a chunk
 * was type-checked as it was read, so the body already has WireCompletion's shape except the
 * usage object, which is copied as the server sent it: only that is parsed here. The schema parse
 * of the whole folded body was ~1 % of the reasoning-worker's CPU and could not fail elsewhere.
 */
export function normalizeStreamed(body: StreamedBody, opts: { idPrefix?: string } = {}): NormalizedCompletion {
  const usage = body.usage === undefined ? undefined : WireUsage.safeParse(body.usage);
  if (usage && !usage.success) throw notACompletion(body);
  return normalizeWire({ ...body, usage: usage?.data }, opts);
}

function notACompletion(body: unknown): LlmBadResponseError {
  return new LlmBadResponseError(`LLM response is not a chat completion: ${snippet(JSON.stringify(body) ?? String(body))}`);
}

function normalizeWire(res: WireCompletion, opts: { idPrefix?: string }): NormalizedCompletion {
  if (res.error !== undefined && res.error !== null && !res.choices?.length) throw errorBody(res.error);
  const choice = res.choices?.[0];
  if (!choice) throw new LlmBadResponseError('LLM response has an empty `choices` list (the provider returned no completion)');
  const m = choice.message;
  if (!m) throw new LlmBadResponseError('LLM response has no choices[0].message');
  const quirks: string[] = [];
  const finishReason = choice.finish_reason ?? undefined;

  let content = m.content ?? null;
  const wireCalls: WireToolCall[] = [...(m.tool_calls ?? [])];
  if (content !== null) {
    const text = extractTextToolCalls(content);
    if (text && text.calls.length) {
      quirks.push('text_tool_calls');
      content = text.rest || null;
      for (const c of text.calls) {
        if (c.error) throw new LlmModelFaultError(finishReason === 'length' ? 'truncated' : 'malformed_tool_call', `The model wrote a tool call the server did not parse: ${c.error}`);
        wireCalls.push({ type: 'function', function: { name: c.name, arguments: c.arguments } });
      }
    }
  }
  // OpenAI's refusal is a reply to the user in its own field; it is the answer.
  if ((content === null || content.trim() === '') && m.refusal) {
    quirks.push('refusal');
    content = m.refusal;
  }
  const toolCalls = normalizeToolCalls(wireCalls, finishReason, quirks, opts.idPrefix ?? 'call');
  if (toolCalls.length && finishReason === 'stop') quirks.push('stop_with_tool_calls');
  const message: AssistantMessage = { role: 'assistant', content };
  if (toolCalls.length) message.tool_calls = toolCalls;
  if (!toolCalls.length && (content === null || content.trim() === '')) {
    // Empty and cut by max_tokens: a reasoning model spent the whole budget thinking.
    if (finishReason === 'length') throw new LlmModelFaultError('truncated', 'The model used its whole output-token limit without replying (reasoning?); raise OUTPUT_TOKENS_PER_TURN');
    throw new LlmModelFaultError('empty_reply', `The model returned an empty reply (finish_reason ${finishReason ?? 'missing'})`);
  }
  const reasoning = m.reasoning_content ?? m.reasoning ?? undefined;
  return {
    message,
    ...(reasoning ? { reasoning } : {}),
    finishReason,
    model: res.model ?? undefined,
    usage: normalizeUsage(res.usage ?? undefined),
    quirks,
  };
}

function normalizeToolCalls(calls: readonly WireToolCall[], finishReason: string | undefined, quirks: string[], idPrefix: string): ToolCallMessagePart[] {
  const seen = new Set<string>();
  return calls.map((c, i) => {
    const name = c.function?.name ?? '';
    if (!name) throw new LlmModelFaultError('malformed_tool_call', `Tool call ${i} of the model has no function name`);
    let args = c.function?.arguments ?? '';
    if (typeof args !== 'string') {
      quirks.push('object_arguments');
      args = JSON.stringify(args);
    }
    if (args.trim() === '') args = '{}';
    const parsed = extractJsonObject(args);
    if (!parsed.ok) {
      // Cut by max_tokens in the middle of the arguments: the same request would be cut again.
      if (finishReason === 'length') {
        throw new LlmModelFaultError('truncated', `The model hit its output-token limit in the middle of the arguments of ${name}; raise OUTPUT_TOKENS_PER_TURN`);
      }
      throw new LlmModelFaultError('malformed_tool_call', `The arguments of ${name} are not a JSON object (${parsed.error})`);
    }
    // Ids tie a tool result to its call and feed idempotency keys: they must exist and be unique.
    // Made from the position, so a redelivered turn gets the same ones.
    let id = c.id ?? '';
    if (!id) {
      quirks.push('missing_tool_call_id');
      id = `${idPrefix}_${i}`;
    } else if (seen.has(id)) {
      quirks.push('duplicate_tool_call_id');
      id = `${id}_${i}`;
    }
    seen.add(id);
    return { id, type: 'function' as const, function: { name, arguments: JSON.stringify(parsed.value) } };
  });
}

function normalizeUsage(u: WireUsage | undefined): NormalizedUsage {
  const inputTokens = u?.prompt_tokens ?? 0;
  // DeepSeek reports its context cache as hit/miss counts instead of prompt_tokens_details.
  const cachedInputTokens = u?.prompt_tokens_details?.cached_tokens ?? u?.prompt_cache_hit_tokens ?? 0;
  return {
    inputTokens,
    outputTokens: u?.completion_tokens ?? 0,
    cachedInputTokens: Math.min(cachedInputTokens, inputTokens),
    reasoningTokens: u?.completion_tokens_details?.reasoning_tokens ?? 0,
  };
}

function snippet(s: string): string {
  const flat = s.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > ERROR_SNIPPET ? `${flat.slice(0, ERROR_SNIPPET)}…` : flat;
}

/** A 200 whose body is not JSON: nearly always a base URL that points at a web page, not the API. */
function notJson(body: string): LlmBadResponseError {
  const html = /^\s*</.test(body);
  return new LlmBadResponseError(
    html
      ? `LLM endpoint answered with an HTML page, not JSON: check OPENAI_BASE_URL (it usually ends in /v1). Page: ${snippet(body)}`
      : `LLM endpoint answered with something that is not JSON: ${snippet(body)}`,
    { retryable: false },
  );
}

/** 200 with `{error: {...}}`, as some gateways send: a rate limit or an upstream failure. */
function errorBody(error: unknown): Error {
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as Record<string, unknown>;
  const message = typeof e.message === 'string' ? e.message : JSON.stringify(error);
  const code = [e.code, e.type, e.status].map((x) => (typeof x === 'string' || typeof x === 'number' ? String(x) : '')).join(' ');
  if (/429|rate/i.test(code) || /rate limit/i.test(message)) return new RateLimitedError(`LLM rate limited (error in a 200 response): ${snippet(message)}`);
  return new LlmBadResponseError(`LLM returned an error in a 200 response: ${snippet(message)}`);
}
