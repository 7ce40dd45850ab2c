import type { Redis } from 'ioredis';
import type { Proposal } from '@steward/core';
import type { PromptBudget } from '@steward/context';
import type { ConversationStore, Keys, Log, QueryStore, Queues } from '@steward/store';
import type { ToolRegistry } from '@steward/tools';
import type { StepDeps } from '@steward/steps';
import type { LlmPort } from './llm-port.ts';

export interface ReasoningDeps {
  redis: Redis;
  keys: Keys;
  queries: QueryStore;
  conversations: ConversationStore;
  queues: Queues;
  registry: ToolRegistry;
  llm: LlmPort;
  parseText: (content: string) => Proposal;
  /** 'naive' re-sends the full history every turn (only for the token benchmark's baseline). */
  promptMode: 'budgeted' | 'naive';
  /** 'native' tool calls, or the text format (Thought / Action / Final Answer) for models without them. */
  toolStyle: 'native' | 'text' | 'json';
  /**
   * Stream an LLM call and publish the answer's text on the query's live channel, when a live
   * client may be watching the conversation (its `watchedUntil` mark, ADR 0032); false: never.
   */
  stream: boolean;
  /** 'relevant' offers the tools the request is about (see select-tools.ts); 'all' every tool. */
  toolSelection: 'relevant' | 'all';
  budget: PromptBudget;
  outputTokens: number;
  temperature: number;
  log: Log;
  /** The log redacts: the turn's load reads the names its conversation's tools learned (known-names.ts). */
  readNames: boolean;
  /** The query's step is taken here, where the proposal arrives: the same rules as the controller's. */
  steps: StepDeps;
}
