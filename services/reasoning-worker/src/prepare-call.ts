import type { ChatMessage } from '@steward/core';
import { buildNaivePrompt, buildPrompt, countTokens, countToolDefinitionTokens, type BuiltPrompt } from '@steward/context';
import type { LlmRequest } from '@steward/llm';
import { isWatched, type QueryRecord, type TurnState } from '@steward/store';
import type { ReasoningDeps } from './deps.ts';
import { prefixReuseShare, promptSegments, readPrefix, storedPrefix } from './prefix-reuse.ts';
import { promptMemory } from './prompt-memory.ts';
import { turnInput } from './turn-input.ts';

/**
 * What a turn keeps across its model call: the few figures its event and step need. The loaded
 * conversation and steps, the prompt builder's input, the prompt's segments and (once taken) the
 * request's messages are not referenced during the call: V8 keeps an async function's locals and
 * arguments alive across each await, and in the peak profile every reasoning-worker holds ~65
 * turns across 800 ms calls, so every scavenge copied (and then promoted) what they held.
 */
export interface PreparedCall {
  /** Until the call takes it (takeRequest): the LLM client keeps only its encoded body. */
  request: CallRequest | undefined;
  promptTokens: number;
  tiers: BuiltPrompt['tiers'];
  toolTokens: number;
  prefixReuse: number;
  /**
   * The conversation fields the call's script stores: the prompt prefix's hashes, and the working
   * memory when this turn recorded a new request in it (ADR 0042).
   */
  conversationFields: { promptPrefix: string; memory?: string };
  /** A live client may be watching the conversation (ADR 0032). */
  watched: boolean;
}

type CallRequest = Pick<LlmRequest, 'messages' | 'tools' | 'responseFormat' | 'maxTokens' | 'temperature'>;

/** The request, handed to the call once: nothing of the turn references its messages after. */
export function takeRequest(call: PreparedCall): CallRequest {
  const { request } = call;
  if (!request) throw new Error('the prepared call was already made');
  call.request = undefined;
  return request;
}

export function prepareCall(d: ReasoningDeps, q: QueryRecord, turn: TurnState, transcript: ChatMessage[]): PreparedCall {
  const naive = d.promptMode === 'naive';
  const { conversation: conv, steps } = turn;
  const native = d.toolStyle === 'native';
  const remembered = naive ? undefined : promptMemory(conv.memory, q.queryId, q.text);
  const memory = remembered?.memory;
  const { input, tools, textTools } = turnInput({
    model: d.llm.model,
    registry: d.registry,
    toolStyle: d.toolStyle,
    toolSelection: d.toolSelection,
    naive,
    conversation: conv,
    language: q.language,
    text: q.text,
    steps,
    ...(memory ? { memory } : {}),
    transcript,
    ...(q.nudge ? { nudge: q.nudge } : {}),
  });
  const prompt = naive ? buildNaivePrompt(input) : buildPrompt(input, d.budget);
  // What offering these tools costs in this prompt (native definitions, or their text in the system prompt).
  const toolTokens = native ? countToolDefinitionTokens(tools, d.llm.model) : countTokens(textTools, d.llm.model);
  const segments = promptSegments(prompt.messages, tools, d.llm.model);
  const prefixReuse = prefixReuseShare(readPrefix(conv.promptPrefix), segments);
  // The working memory with this request recorded must be stored before anything acts on this
  // turn: it goes in the script the turn sends after the call anyway (writeLlmCall), which stores
  // it before it applies the step or adds any job (ADR 0042). Nothing reads it while the model
  // works; a call that fails for a retry stores nothing, and the retry derives the same memory.
  const conversationFields = { promptPrefix: storedPrefix(segments), ...(remembered?.changed === undefined ? {} : { memory: remembered.changed }) };
  return {
    request: {
      messages: prompt.messages,
      ...(native ? { tools } : {}),
      ...(d.toolStyle === 'json' ? { responseFormat: 'json_object' as const } : {}),
      maxTokens: d.outputTokens,
      temperature: d.temperature,
    },
    promptTokens: prompt.tokens,
    tiers: prompt.tiers,
    toolTokens,
    prefixReuse,
    conversationFields,
    watched: isWatched(conv),
  };
}
