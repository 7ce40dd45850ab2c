// @steward/context: token counting, the budgeted prompt builder and the rolling summary.
export { CONTEXT_DEFAULTS, truncationMarker } from './constants.ts';
export {
  DEFAULT_ENCODING_RULES,
  FALLBACK_ENCODING,
  encodingForModel,
  bpeTable,
  tableForModel,
  loadedEncodings,
  setEncodingRules,
  type BpeTable,
  type EncodingName,
  type EncodingRule,
} from './encodings.ts';
export { encode, decode } from './encode.ts';
export { TextCache, TokenCountCache, paragraphs } from './token-count-cache.ts';
export {
  countTokens,
  countMessageTokens,
  countToolDefinitionTokens,
  toolDefinitionTokens,
  messageTokens,
  tokenCountCache,
  REPLY_PRIMING_TOKENS,
  TOKENS_PER_MESSAGE,
  TOKENS_PER_TOOL_CALL,
  TOKENS_PER_TOOL_DEFINITION,
  warmUpTokenizer,
} from './count-tokens.ts';
export { truncateHeadTail, type Truncated } from './truncate.ts';
export { compactToolResult, VERBOSE_KEYS, type CompactLevel, type CompactOptions } from './compact.ts';
export { toUnits, isOrphanFree, splitVerbatimWindow, type MessageUnit, type SplitUnits } from './message-units.ts';
export { buildPrompt, type BuiltPrompt, type PromptBudget, type PromptInput, type RetrievedContext, type TierFloors, type TierName } from './build-prompt.ts';
export { buildNaivePrompt, type PromptMode } from './naive-prompt.ts';
export { updateSummary, emptySummary, type SummaryOptions } from './summary.ts';
export {
  WorkingMemory,
  emptyMemory,
  parseMemory,
  MEMORY_LIMITS,
  type CustomerEntry,
  type OrderEntry,
  type ProductEntry,
  type ProposalEntry,
  type RequestEntry,
} from './memory/working-memory.ts';
export { EXTRACTORS, genericExtractor, type Extractor, type ObservedCall } from './memory/extractors.ts';
export { foldToolCalls, recordToolCalls, recordRequest, asksForWrite } from './memory/record.ts';
export { renderMemory, renderRequests, MEMORY_HEADER, type RenderMemoryOptions } from './memory/render.ts';
