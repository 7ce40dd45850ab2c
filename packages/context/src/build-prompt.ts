// One ReAct turn's prompt, always inside the context window, filled tier by tier:
//   0 pinned      system prompt + policy (the stable, cacheable prefix), current question, loop warning
//   1 requests    the customer's open requests (the original one stays until resolved)
//   2 memory      the conversation's working memory (ids of everything tool results showed)
//   3 steps       this query's tool calls and results
//   4 recent      the last messages verbatim
//   5 summary     the rolling summary of older messages
// Each tier has a floor. Over the window, the lowest tier is shortened first, down to its floor,
// then the next; only when every tier is at its floor do tiers go below it, lowest first; pinned
// parts shrink last. What a tier does not use is left for the others. A tool result is shortened
// only then, first to its skeleton (descriptions cut, ids kept).
import { StewardError, type ChatMessage } from '@steward/core';
import { CONTEXT_DEFAULTS } from './constants.ts';
import { countTokens, countToolDefinitionTokens, messageTokens, REPLY_PRIMING_TOKENS } from './count-tokens.ts';
import { splitVerbatimWindow, toUnits } from './message-units.ts';
import type { CompactOptions } from './compact.ts';
import { renderMemory, renderRequests } from './memory/render.ts';
import type { WorkingMemory } from './memory/working-memory.ts';
import { updateSummary } from './summary.ts';
import {
  currentTokens,
  pinnedMessageBlock,
  renderedSectionBlock,
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
  /** Rolling summary of the messages already folded out of the conversation (see updateSummary). */
  summary?: string;
  /** Conversation messages, oldest first, ending with the current customer message. */
  history: readonly ChatMessage[];
  /** This query's earlier turns: assistant tool-call messages and their tool results, in order. */
  scratchpad?: readonly ChatMessage[];
  /** The conversation's working memory (entities, pending confirmation, open requests). */
  memory?: WorkingMemory;
  /** Extra records for this turn (order records, search results), placed in the system message. */
  retrieved?: readonly RetrievedContext[];
  /** Loop-detector nudge, sent last. */
  loopWarning?: string;
  /** Tool definitions sent with the request: their tokens are reserved from the budget. */
  tools?: readonly unknown[];
}

export interface TierFloors {
  requests: number;
  memory: number;
  steps: number;
  recent: number;
  summary: number;
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
  memoryTokens?: number;
  requestTokens?: number;
  tierFloors?: TierFloors;
  pinnedFloorTokens?: number;
  compact?: CompactOptions;
}

export type TierName = 'pinned' | keyof TierFloors;

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
  /** Tokens each tier took (block estimates; tool definitions count as pinned). */
  tiers?: Record<TierName, number>;
}

const TIERS: readonly TierName[] = ['pinned', 'requests', 'memory', 'steps', 'recent', 'summary'];
const tierOf = (t: TierName): number => TIERS.indexOf(t);

/** Said in the system message when earlier steps of this query had to be left out. */
const OMITTED_NOTE = 'Note: some earlier messages or tool results were left out to fit the context window.';
const MAX_PASSES = 8;
/** Scratchpad levels from this one on lose ids: the memory must then carry that call's entities. */
const LOSSY_STEP_LEVEL = 3;

/** Build the prompt of one turn inside `budget`. Throws only when the budget cannot hold even the pinned floors. */
export function buildPrompt(input: PromptInput, budget: PromptBudget = {}): BuiltPrompt {
  const b = withDefaults(budget);
  const model = input.model;
  const limit = b.maxContextTokens - b.outputTokens;
  const toolTokens = input.tools?.length ? countToolDefinitionTokens(input.tools, model) : 0;
  const noteTokens = countTokens(SECTION_SEPARATOR + OMITTED_NOTE, model);
  // The memory leaves out what this query's steps show in full, unless a step loses its ids.
  let shown = new Set(toUnits(input.scratchpad ?? []).units.flatMap((u) => u.messages.flatMap((m) => (m.role === 'tool' ? [m.tool_call_id] : []))));
  const orphans: string[] = [];
  const blocks = makeBlocks(input, b, orphans, shown);
  for (let attempt = 0; ; attempt++) {
    const built = fit(blocks, [...orphans], limit, limit - toolTokens - REPLY_PRIMING_TOKENS - noteTokens, toolTokens, b, model);
    const lost = blocks
      .filter((x) => x.place === 'scratchpad' && (x.dropped || x.level >= LOSSY_STEP_LEVEL))
      .flatMap((x) => x.at(0).messages.flatMap((m) => (m.role === 'tool' && shown.has(m.tool_call_id) ? [m.tool_call_id] : [])));
    const at = blocks.findIndex((x) => x.id === 'memory');
    if (!input.memory || lost.length === 0 || attempt >= 2) return built;
    // Render the memory again with the entities of the cut steps; the other blocks keep their renderings.
    shown = new Set([...shown].filter((id) => !lost.includes(id)));
    const memory = memoryBlock(input.memory, b, model, shown, windowTextOf(input.history, b.verbatimMessages), stepTicks(input.scratchpad));
    if (at >= 0) blocks.splice(at, 1);
    if (memory) blocks.push(memory);
    for (const x of blocks) {
      x.level = 0;
      x.dropped = false;
    }
  }
}

function windowTextOf(history: readonly ChatMessage[], verbatim: number): string {
  return splitVerbatimWindow(history, verbatim).window.map((m) => m.content ?? '').join('\n');
}

/**
 * Reference ticks of this query: the observe step records one per tool step. An entity
 * referenced during this query is rendered in full (when its step is not shown whole), one from
 * earlier queries only when the recent messages or a pending write name it.
 */
function stepTicks(scratchpad: readonly ChatMessage[] | undefined): number {
  return toUnits(scratchpad ?? []).units.filter((u) => u.isToolStep).length;
}

function memoryBlock(memory: WorkingMemory, b: ResolvedBudget, model: string, shown: ReadonlySet<string>, recentText: string, recentTicks: number): Block | undefined {
  const budgets = [b.memoryTokens, Math.ceil(b.memoryTokens / 2), b.tierFloors.memory, Math.ceil(b.tierFloors.memory / 2)];
  // Each level is rendered once: the emptiness check below and the block share the level-0 text.
  const texts = new Map<number, string>();
  const render = (level: number): string => {
    let text = texts.get(level);
    if (text === undefined) texts.set(level, (text = renderMemory(memory, { model, maxTokens: budgets[level]!, shownCalls: shown, recentText, recentTicks }).text));
    return text;
  };
  return render(0) ? renderedSectionBlock('memory', tierOf('memory'), 0, budgets.length, render, model) : undefined;
}

function fit(blocks: Block[], dropped: string[], limit: number, start: number, toolTokens: number, b: ResolvedBudget, model: string): BuiltPrompt {
  let target = start;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    if (!shed(blocks, target, b.tierFloors)) break;
    const { messages, systemMessage, blockTokens } = assemble(blocks, dropped.length > 0);
    // Exactly countMessageTokens(messages): every message but the system one is a block's
    // rendering, whose tokens the block counted with messageTokens already; only the joined
    // system message is new text.
    const tokens = REPLY_PRIMING_TOKENS + messageTokens(systemMessage, model) + blockTokens + toolTokens;
    if (tokens <= limit) {
      const tiers = Object.fromEntries(TIERS.map((t) => [t, 0])) as Record<TierName, number>;
      for (const x of blocks) tiers[TIERS[x.tier]!] += currentTokens(x);
      tiers.pinned += toolTokens;
      return {
        messages,
        tokens,
        limit,
        dropped: [...dropped, ...blocks.filter((x) => x.dropped).map((x) => x.id)],
        truncated: blocks.filter((x) => !x.dropped && x.at(x.level).truncated).map((x) => x.id),
        tiers,
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
  const out: ResolvedBudget = { ...CONTEXT_DEFAULTS, tierFloors: { ...CONTEXT_DEFAULTS.tierFloors } };
  for (const [k, v] of Object.entries(budget)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

function makeBlocks(input: PromptInput, b: ResolvedBudget, dropped: string[], shown: ReadonlySet<string>): Block[] {
  const model = input.model;
  const compactOpts = b.compact ?? {};
  const blocks: Block[] = [];
  const systemText = input.policy ? `${input.system}${SECTION_SEPARATOR}${input.policy}` : input.system;
  blocks.push(pinnedMessageBlock('system', 'system', { role: 'system', content: systemText }, model, b.pinnedFloorTokens));

  toUnits(input.history).invalid.forEach((_, i) => dropped.push(`orphan:history:${i}`));
  const { older, window } = splitVerbatimWindow(input.history, b.verbatimMessages);
  const { units } = toUnits(window);
  const last = units[units.length - 1];
  const current = last && !last.isToolStep && last.messages[0]!.role === 'user' ? units.pop() : undefined;
  const windowText = window.map((m) => m.content ?? '').join('\n');

  if (input.memory) {
    // Requests still in the verbatim window are already in the prompt.
    const inWindow = new Set(window.filter((m) => m.role === 'user').map((m) => (m.content ?? '').trim()));
    const requests = renderRequests(input.memory, inWindow);
    if (requests) {
      const r = b.requestTokens;
      blocks.push(sectionBlock('requests', tierOf('requests'), 0, requests, model, [r, Math.ceil(r / 2), Math.ceil(r / 4), b.pinnedFloorTokens], true));
    }
    const memory = memoryBlock(input.memory, b, model, shown, windowText, stepTicks(input.scratchpad));
    if (memory) blocks.push(memory);
  }

  // Messages that left the verbatim window are folded into the summary now, not when the query ends.
  const summary = older.length ? updateSummary(input.summary ?? '', older, { model, maxTokens: b.summaryTokens }) : (input.summary ?? '');
  if (summary) {
    const s = b.summaryTokens;
    blocks.push(sectionBlock('summary', tierOf('summary'), 0, summary, model, [s, Math.ceil(s / 2), Math.ceil(s / 4)]));
  }
  (input.retrieved ?? []).forEach((r, i, all) => {
    const text = `[${r.label}]\n${r.content}`;
    const caps = [b.recentToolResultTokens, b.olderToolResultTokens, b.minToolResultTokens];
    // Later records go first: the list is expected most relevant first.
    blocks.push(sectionBlock(`retrieved:${i}`, tierOf('steps'), (all.length - i) / (all.length + 1), text, model, caps));
  });

  const historyCaps: UnitCaps[] = [{ compact: 'full', toolTokens: b.recentToolResultTokens, textTokens: b.historyMessageTokens }];
  units.forEach((u, i) => {
    // Oldest first out: rank grows with recency.
    blocks.push(unitBlock(`history:${i}`, 'history', tierOf('recent'), i / (units.length + 1), u.messages, model, historyCaps, compactOpts));
  });
  if (current) {
    blocks.push(pinnedMessageBlock('current', 'current', current.messages[0] as ChatMessage & { content: string }, model, b.pinnedFloorTokens));
  }

  const pad = toUnits(input.scratchpad ?? []);
  pad.invalid.forEach((_, i) => dropped.push(`orphan:scratchpad:${i}`));
  const text = b.historyMessageTokens;
  const levels: UnitCaps[] = [
    { compact: 'full', toolTokens: b.recentToolResultTokens, textTokens: text },
    { compact: 'recent', toolTokens: b.recentToolResultTokens, textTokens: text },
    { compact: 'skeleton', toolTokens: b.recentToolResultTokens, textTokens: text },
    // From here on ids may be lost (LOSSY_STEP_LEVEL): the memory then carries them.
    { compact: 'older', toolTokens: b.olderToolResultTokens, textTokens: b.olderToolResultTokens },
    { compact: 'older', toolTokens: b.minToolResultTokens, textTokens: b.minToolResultTokens },
  ];
  pad.units.forEach((u, i) => {
    // The latest step is what the model reasons over now: it is shortened last.
    const rank = i === pad.units.length - 1 ? 1 : i / (pad.units.length + 1);
    blocks.push(unitBlock(`scratchpad:${i}`, 'scratchpad', tierOf('steps'), rank, u.messages, model, levels, compactOpts));
  });

  if (input.loopWarning) {
    const msg = { role: 'system' as const, content: input.loopWarning };
    blocks.push(pinnedMessageBlock('loopWarning', 'warning', msg, model, b.pinnedFloorTokens));
  }
  return blocks;
}

/**
 * Shorten (move a level down) or drop blocks until the estimate fits: first every tier down to
 * its floor, lowest priority first; then below the floors in the same order; pinned blocks
 * last, largest first. Returns false when nothing is left to shed and it still does not fit.
 */
function shed(blocks: Block[], target: number, floors: TierFloors): boolean {
  let total = blocks.reduce((n, x) => n + currentTokens(x), 0);
  const tierTokens = (t: number): number => blocks.filter((x) => x.tier === t).reduce((n, x) => n + currentTokens(x), 0);
  for (const respectFloors of [true, false]) {
    for (let t = TIERS.length - 1; t >= 1 && total > target; t--) {
      const floor = respectFloors ? floors[TIERS[t] as keyof TierFloors] : 0;
      const own = blocks.filter((x) => x.tier === t && !x.pinned).sort((a, c) => a.rank - c.rank);
      // Level by level across the tier, so every block keeps its ids before any is cut deeper.
      for (let moved = true; moved && total > target && tierTokens(t) > floor; ) {
        moved = false;
        for (const x of own) {
          if (total <= target || tierTokens(t) <= floor || x.dropped) continue;
          const before = currentTokens(x);
          if (x.level < x.maxLevel) x.level++;
          else x.dropped = true;
          total -= before - currentTokens(x);
          moved = true;
        }
      }
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

function assemble(blocks: readonly Block[], droppedBefore: boolean): { messages: ChatMessage[]; systemMessage: ChatMessage; blockTokens: number } {
  const live = blocks.filter((x) => !x.dropped);
  const pinnedSystem = live.find((x) => x.place === 'system')!;
  const system = pinnedSystem.at(pinnedSystem.level);
  // Sections in tier order, after the pinned text: the stable prefix comes first.
  const sections = live
    .filter((x) => x.place === 'section')
    .sort((a, c) => a.tier - c.tier)
    .map((x) => x.at(x.level).section)
    .filter(Boolean);
  if (droppedBefore || blocks.some((x) => x.dropped)) sections.push(OMITTED_NOTE);
  const head = system.messages[0]!;
  const systemMessage: ChatMessage = { role: 'system', content: [head.content ?? '', ...sections].join(SECTION_SEPARATOR) };
  const messages: ChatMessage[] = [systemMessage];
  let blockTokens = 0;
  for (const place of MESSAGE_PLACES) {
    for (const x of live) {
      if (x.place !== place) continue;
      const r = x.at(x.level);
      messages.push(...r.messages);
      blockTokens += r.tokens;
    }
  }
  return { messages, systemMessage, blockTokens };
}

/** Where the messages after the system message come from, in prompt order. */
const MESSAGE_PLACES: readonly Block['place'][] = ['history', 'current', 'scratchpad', 'warning'];
