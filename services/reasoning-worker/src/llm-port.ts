import type { AssistantMessage, ChatMessage, LlmUsage } from '@steward/core';

/** What the reasoning-worker needs from an LLM client (packages/llm implements it). */
export interface LlmPort {
  readonly model: string;
  complete(req: {
    messages: ChatMessage[];
    tools?: unknown[];
    maxTokens: number;
    temperature?: number;
    signal?: AbortSignal;
  }): Promise<{ message: AssistantMessage; usage: LlmUsage }>;
}
