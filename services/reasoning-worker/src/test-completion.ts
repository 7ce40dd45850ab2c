import type { AssistantMessage, LlmUsage } from '@steward/core';
import type { LlmCompletion } from '@steward/llm';

/**
 * A reply as the LLM client returns it, for the model doubles of this service's tests: a text
 * answer (a string) or any assistant message, with a zero-cost usage record unless told otherwise.
 */
export function completion(reply: string | AssistantMessage, usage: Partial<LlmUsage> = {}): LlmCompletion {
  const now = Date.now();
  const message: AssistantMessage = typeof reply === 'string' ? { role: 'assistant', content: reply } : reply;
  return {
    message,
    usage: { model: 'test-model', provider: 'test', inputTokens: 10, outputTokens: 5, cachedInputTokens: 0, costUsd: 0, startMs: now, endMs: now, retries: 0, ...usage },
    retries: 0,
    finishReason: message.tool_calls?.length ? 'tool_calls' : 'stop',
    reasoningTokens: 0,
    quirks: [],
  };
}
