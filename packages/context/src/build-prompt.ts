// One ReAct turn's prompt, always inside the context window: pinned parts first, then what
// matters most for this turn, shedding (compacting harder, truncating, dropping whole units)
// from the least important end until the prompt fits.
import { StewardError, type ChatMessage } from '@steward/core';
import { CONTEXT_DEFAULTS } from './constants.ts';
import { countMessageTokens, countTokens, countToolDefinitionTokens, REPLY_PRIMING_TOKENS } from './count-tokens.ts';
import { splitVerbatimWindow, toUnits } from './message-units.ts';
import type { CompactOptions } from './compact.ts';
import {
  currentTokens,
  pinnedMessageBlock,
  sectionBlock,
  SECTION_SEPARATOR,
  unitBlock,
  type Block,
  type UnitCaps,
} from './prompt-blocks.ts';

export interface RetrievedContext {
  /** Says what the record is ("order #W1234567", "search: red shoes"). */
  label: string;
  content: string;
}

export interface PromptInput {
  /** Model name, for the tokenizer. */
  model: string;
  /** Pinned: always sent (shrunk only if it alone would overflow the window). */
  system: string;
  /** Pinned policy text, appended to the system prompt. */
  policy?: string;
  /** Rolling summary of the messages that left the verbatim window (see updateSummary). */
  summary?: string;
  /** Conversation messages, oldest first, ending with the current customer message. */
  history: readonly ChatMessage[];
  /** This query's earlier turns: assistant tool-call messages and their tool results, in order. */
  scratchpad?: readonly ChatMessage[];
  /** Extra records for this turn (order records, search results), placed in the system message. */
  retrieved?: readonly RetrievedContext[];
  /** Loop-detector nudge, sent last. */
  loopWarning?: string;
  /** Tool definitions sent with the request: their tokens are reserved from the budget. */
  tools?: readonly unknown[];
}

export interface PromptBudget {
  maxContextTokens?: number;
  /** Reserved for the model's reply. */
  outputTokens?: number;
  /** Conversation messages kept verbatim (the current customer message included). */
  verbatimMessages?: number;
  recentToolResultTokens?: number;
  olderToolResultTokens?: number;
  minToolResultTokens?: number;
  historyMessageTokens?: number;
  summaryTokens?: number;
  pinnedFloorTokens?: number;
  compact?: CompactOptions;
}

export interface BuiltPrompt {
  messages: ChatMessage[];
  /** Prompt tokens: messages, reply priming and tool definitions. */
  tokens: number;
  /** The most prompt tokens allowed: maxContextTokens - outputTokens. */
  limit: number;
  /** Ids of the blocks left out ("history:3", "scratchpad:0", "summary", "orphan:2"). */
  dropped: string[];
  /** Ids of the blocks sent shortened. */
  truncated: string[];
}

/** Said in the system message when earlier steps of this query had to be left out. */
const OMITTED_NOTE = 'Note: some earlier messages or tool results were left out to fit the context window.';
const MAX_PASSES = 8;

/** Build the prompt of one turn inside `budget`. Throws only when the budget cannot hold even the pinned floors. */
export function buildPrompt(input: PromptInput, budget: PromptBudget = {}): BuiltPrompt {
  const b = withDefaults(budget);
  const model = input.model;
  const limit = b.maxContextTokens - b.outputTokens;
  const toolTokens = input.tools?.length ? countToolDefinitionTokens(input.tools, model) : 0;
  const noteTokens = countTokens(SECTION_SEPARATOR + OMITTED_NOTE, model);
  const dropped: string[] = [];
  const blocks = makeBlocks(input, b, dropped);

  let target = limit - toolTokens - REPLY_PRIMING_TOKENS - noteTokens;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    if (!shed(blocks, target)) break;
    const messages = assemble(blocks, dropped.length > 0);
    const tokens = countMessageTokens(messages, model) + toolTokens;
    if (tokens <= limit) {
      return {
        messages,
        tokens,
        limit,
        dropped: [...dropped, ...blocks.filter((x) => x.dropped).map((x) => x.id)],
        truncated: blocks.filter((x) => !x.dropped && x.at(x.level).truncated).map((x) => x.id),
      };
    }
    // Counting blocks apart differs from counting the joined prompt by a few seam tokens.
    target -= tokens - limit;
  }
  throw new StewardError(
    'prompt_budget_too_small',
    `the context budget (${b.maxContextTokens} tokens, ${b.outputTokens} reserved for output, ${toolTokens} for tool definitions) cannot hold the pinned system prompt, question and warning even when shortened`,
    { kind: 'validation', retryable: false },
  );
}

type ResolvedBudget = Required<Omit<PromptBudget, 'compact'>> & Pick<PromptBudget, 'compact'>;

function withDefaults(budget: PromptBudget): ResolvedBudget {
  const out: ResolvedBudget = { ...CONTEXT_DEFAULTS };
  for (const [k, v] of Object.entries(budget)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

function makeBlocks(input: PromptInput, b: ResolvedBudget, dropped: string[]): Block[] {
  const model = input.model;
  const compactOpts = b.compact ?? {};
  const blocks: Block[] = [];
  const systemText = input.policy ? `${input.system}${SECTION_SEPARATOR}${input.policy}` : input.system;
  blocks.push(pinnedMessageBlock('system', 'system', { role: 'system', content: systemText }, model, b.pinnedFloorTokens));

  if (input.summary) {
    const s = b.summaryTokens;
    blocks.push(sectionBlock('summary', 30, input.summary, model, [s, Math.ceil(s / 2), Math.ceil(s / 4)]));
  }
  (input.retrieved ?? []).forEach((r, i, all) => {
    const text = `[${r.label}]\n${r.content}`;
    const caps = [b.recentToolResultTokens, b.olderToolResultTokens, b.minToolResultTokens];
    // Later records go first: the list is expected most relevant first.
    blocks.push(sectionBlock(`retrieved:${i}`, 10 + (all.length - i) / (all.length + 1), text, model, caps));
  });

  toUnits(input.history).invalid.forEach((_, i) => dropped.push(`orphan:history:${i}`));
  const { units } = toUnits(splitVerbatimWindow(input.history, b.verbatimMessages).window);
  const last = units[units.length - 1];
  const current = last && !last.isToolStep && last.messages[0]!.role === 'user' ? units.pop() : undefined;
  const historyCaps: UnitCaps[] = [{ compact: 'older', toolTokens: b.olderToolResultTokens, textTokens: b.historyMessageTokens }];
  units.forEach((u, i) => {
    // Oldest first out: rank grows with recency.
    blocks.push(unitBlock(`history:${i}`, 'history', 20 + i / (units.length + 1), u.messages, model, historyCaps, compactOpts));
  });
  if (current) {
    blocks.push(pinnedMessageBlock('current', 'current', current.messages[0] as ChatMessage & { content: string }, model, b.pinnedFloorTokens));
  }

  const pad = toUnits(input.scratchpad ?? []);
  pad.invalid.forEach((_, i) => dropped.push(`orphan:scratchpad:${i}`));
  const recent: UnitCaps = { compact: 'recent', toolTokens: b.recentToolResultTokens, textTokens: b.historyMessageTokens };
  const older: UnitCaps = { compact: 'older', toolTokens: b.olderToolResultTokens, textTokens: b.historyMessageTokens };
  const minimal: UnitCaps = { compact: 'older', toolTokens: b.minToolResultTokens, textTokens: b.minToolResultTokens };
  pad.units.forEach((u, i) => {
    const latest = i === pad.units.length - 1;
    const levels = latest ? [recent, older, minimal] : [older, minimal];
    const rank = latest ? 50 : 40 + i / (pad.units.length + 1);
    blocks.push(unitBlock(`scratchpad:${i}`, 'scratchpad', rank, u.messages, model, levels, compactOpts));
  });

  if (input.loopWarning) {
    const msg = { role: 'system' as const, content: input.loopWarning };
    blocks.push(pinnedMessageBlock('loopWarning', 'warning', msg, model, b.pinnedFloorTokens));
  }
  return blocks;
}

/**
 * Move blocks down a level, or drop them, least important first, until the estimate fits.
 * Droppable blocks go before pinned ones; among pinned ones the largest shrinks first.
 * Returns false when nothing is left to shed and it still does not fit.
 */
function shed(blocks: Block[], target: number): boolean {
  let total = blocks.reduce((n, x) => n + currentTokens(x), 0);
  const droppable = blocks.filter((x) => !x.pinned).sort((a, c) => a.rank - c.rank);
  for (const x of droppable) {
    while (total > target && !x.dropped) {
      const before = currentTokens(x);
      if (x.level < x.maxLevel) x.level++;
      else x.dropped = true;
      total -= before - currentTokens(x);
    }
  }
  const pinned = blocks.filter((x) => x.pinned);
  while (total > target) {
    const x = pinned.filter((p) => p.level < p.maxLevel).sort((a, c) => currentTokens(c) - currentTokens(a))[0];
    if (!x) return false;
    const before = currentTokens(x);
    x.level++;
    total -= before - currentTokens(x);
  }
  return true;
}

function assemble(blocks: readonly Block[], droppedBefore: boolean): ChatMessage[] {
  const live = blocks.filter((x) => !x.dropped);
  const pinnedSystem = live.find((x) => x.place === 'system')!;
  const system = pinnedSystem.at(pinnedSystem.level);
  const sections = live.filter((x) => x.place === 'section').map((x) => x.at(x.level).section);
  if (droppedBefore || blocks.some((x) => x.dropped)) sections.push(OMITTED_NOTE);
  const head = system.messages[0]!;
  const systemMessage: ChatMessage = { role: 'system', content: [head.content ?? '', ...sections].join(SECTION_SEPARATOR) };
  const messagesOf = (place: Block['place']) => live.filter((x) => x.place === place).flatMap((x) => x.at(x.level).messages);
  return [systemMessage, ...messagesOf('history'), ...messagesOf('current'), ...messagesOf('scratchpad'), ...messagesOf('warning')];
}
