// Interim adapter until @steward/llm's client is wired: one chat completion through the
// `openai` package, no retries of its own (BullMQ retries the job).
import OpenAI from 'openai';
import { AssistantMessage, type LlmUsage } from '@steward/core';
import type { LlmPort } from './llm-port.ts';

export function openAiPort(o: { baseURL: string; apiKey: string; model: string; timeoutMs?: number }): LlmPort {
  const client = new OpenAI({ baseURL: o.baseURL, apiKey: o.apiKey, maxRetries: 0, timeout: o.timeoutMs ?? 20_000 });
  return {
    model: o.model,
    async complete(req) {
      const startMs = Date.now();
      const res = await client.chat.completions.create({
        model: o.model,
        messages: req.messages as OpenAI.ChatCompletionMessageParam[],
        ...(req.tools?.length ? { tools: req.tools as OpenAI.ChatCompletionTool[] } : {}),
        max_tokens: req.maxTokens,
        ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
      });
      const choice = res.choices[0];
      const message = AssistantMessage.parse({
        role: 'assistant',
        content: choice?.message.content ?? null,
        ...(choice?.message.tool_calls?.length ? { tool_calls: choice.message.tool_calls } : {}),
      });
      const usage: LlmUsage = {
        model: res.model || o.model,
        provider: 'openai',
        inputTokens: res.usage?.prompt_tokens ?? 0,
        outputTokens: res.usage?.completion_tokens ?? 0,
        cachedInputTokens: res.usage?.prompt_tokens_details?.cached_tokens ?? 0,
        costUsd: 0,
        startMs,
        endMs: Date.now(),
        retries: 0,
        ...(choice?.finish_reason ? { finishReason: choice.finish_reason } : {}),
        maxTokens: req.maxTokens,
        ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
      };
      return { message, usage };
    },
  };
}

/** Interim text handling: a reply without tool calls is the final answer. */
export function plainTextProposal(content: string): import('@steward/core').Proposal {
  const m = /Final Answer:\s*([\s\S]*)$/i.exec(content);
  return { kind: 'answer', answer: (m?.[1] ?? content).trim() };
}
