import type { LlmClient } from '@steward/llm';

/** What the reasoning-worker needs from an LLM client: @steward/llm's client, or a test double. */
export type LlmPort = Pick<LlmClient, 'model' | 'complete'>;
