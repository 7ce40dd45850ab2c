// @steward/llm: the LLM client (retries, timeouts, usage and cost), output parsing (native tool
// calls and the ReAct text format), fleet-wide rate limiting and the cost ledger.
export { LLM_DEFAULTS, BUDGET_DEFAULTS } from './constants.ts';
export {
  RateLimitedError,
  LlmUnavailableError,
  LlmTimeoutError,
  LlmRequestError,
  LlmAbortedError,
  LlmBadResponseError,
  LlmModelFaultError,
  isModelFault,
  type ModelFault,
} from './errors.ts';
export { normalizeCompletion, type NormalizedCompletion, type NormalizedUsage } from './normalize-completion.ts';
export { StreamAccumulator, type StreamDelta } from './accumulate-stream.ts';
export { extractTextToolCalls, type TextToolCall } from './hermes-tool-calls.ts';
export { backoffDelay, parseRetryAfter, abortableSleep, DEFAULT_BACKOFF, type BackoffOptions } from './retry-policy.ts';
export {
  createLlmClient,
  type LlmClient,
  type LlmClientOptions,
  type LlmCompletion,
  type LlmRequest,
  type LlmToolChoice,
  type LlmToolDefinition,
  type RetryInfo,
} from './llm-client.ts';
export { providerOf } from './provider.ts';
export { createHttpTransport, type HttpTransport, type HttpTransportOptions } from './http-transport.ts';
export { SseParser, type SseEvent } from './sse-parser.ts';
// The price table and the cost ledger: one list, the one the controller's entry (./ledger) exports.
export * from './ledger.ts';
export { acquireLlmSlot, llmSlotKey, type SlotOptions, type SlotResult } from './rate-limiter.ts';
export { pauseFleet, isFleetRateLimit, fleetPauseMs, FLEET_PAUSE_LIMITER, type RateLimitTarget } from './fleet-pause.ts';
export { parseTextReply, type TextParseOptions } from './parse-text.ts';
export { parseAssistantMessage, parseModelOutput, type ToolCallStyle } from './parse-native.ts';
export { JSON_FORMAT_INSTRUCTIONS, JsonTurn, parseJsonReply } from './json-format.ts';
export { answerStreamFilter, type AnswerStreamEvent } from './answer-stream.ts';
export { renderToolsAsText, TEXT_FORMAT_INSTRUCTIONS, type TextTool } from './text-format.ts';
export { extractJsonObject, type JsonObjectResult } from './json-extract.ts';
export { startScriptedChatServer, chatCompletionBody, chatCompletionChunks, type ScriptedChatServer, type ScriptedResponse } from './testing/scripted-chat-server.ts';
