// The pieces a prompt is assembled from. Each block can render itself at several levels, each
// smaller than the last; the builder sheds tokens by moving the least important block one level
// down, or dropping it once it is at its smallest (pinned blocks are never dropped).
import type { ChatMessage } from '@steward/core';
import { countTokens, messageTokens } from './count-tokens.ts';
import { truncateHeadTail } from './truncate.ts';
import { compactToolResult, type CompactLevel, type CompactOptions } from './compact.ts';

export interface Rendered {
  /** For message blocks. */
  messages: ChatMessage[];
  /** For sections of the system message. */
  section: string;
  tokens: number;
  truncated: boolean;
}

export interface Block {
  id: string;
  /** Where it goes: a section of the system message, or messages in the conversation. */
  place: 'system' | 'section' | 'history' | 'current' | 'scratchpad' | 'warning';
  /** Priority tier (see TIERS): lower tiers are shed after higher-numbered ones. */
  tier: number;
  /** Shedding order among the droppable blocks of a tier: lower goes first. */
  rank: number;
  pinned: boolean;
  level: number;
  maxLevel: number;
  dropped: boolean;
  at(level: number): Rendered;
}

/** A tool result longer than this many characters per token of its cap cannot be sent whole. */
const RUNAWAY_CHARS_PER_TOKEN = 8;

/** Tokens a section adds to the system message: its text plus the blank line before it. */
const SECTION_SEPARATOR = '\n\n';

/**
 * Tokens a section adds: the blank line before it and its text. Before a text that starts with
 * neither whitespace nor "/" the blank line is a pre-tokenisation piece of its own (the rule
 * `paragraphs` cuts by), so the sum of the two counts is exactly the count of the joined text;
 * counting the text alone lets the system message's paragraph that is this very text (the
 * last section, the working memory in practice) find its count in the cache instead of being
 * tokenised a second time.
 */
export function sectionTokens(text: string, model: string): number {
  const first = text[0];
  if (first === undefined || first === '/' || /\s/u.test(first)) return countTokens(SECTION_SEPARATOR + text, model);
  return countTokens(SECTION_SEPARATOR, model) + countTokens(text, model);
}

function memo(fn: (level: number) => Rendered): (level: number) => Rendered {
  const cache = new Map<number, Rendered>();
  return (level) => {
    let r = cache.get(level);
    if (!r) cache.set(level, (r = fn(level)));
    return r;
  };
}

/** Halvings of `full` tokens until `floor`: the level count of a pinned text. */
function halvingLevels(full: number, floor: number): number {
  let levels = 0;
  for (let cap = full; cap > floor; cap = Math.ceil(cap / 2)) levels++;
  return levels;
}

function capAt(full: number, floor: number, level: number): number {
  return Math.max(floor, Math.ceil(full / 2 ** level));
}

/** A pinned text message (system prompt, current question, loop warning): shrinks, never drops. */
export function pinnedMessageBlock(
  id: string,
  place: 'system' | 'current' | 'warning',
  message: ChatMessage & { content: string },
  model: string,
  floor: number,
): Block {
  const full = countTokens(message.content, model);
  return {
    id,
    place,
    tier: 0,
    rank: Number.POSITIVE_INFINITY,
    pinned: true,
    level: 0,
    maxLevel: halvingLevels(full, floor),
    dropped: false,
    at: memo((level) => {
      const t = truncateHeadTail(message.content, capAt(full, floor, level), model);
      const msg = { ...message, content: t.text } as ChatMessage;
      return { messages: [msg], section: '', tokens: messageTokens(msg, model), truncated: t.truncated };
    }),
  };
}

/** A section of the system message (summary, retrieved record), cut in half per level. */
export function sectionBlock(id: string, tier: number, rank: number, text: string, model: string, caps: readonly number[], pinned = false): Block {
  return {
    id,
    place: 'section',
    tier,
    rank,
    pinned,
    level: 0,
    maxLevel: caps.length - 1,
    dropped: false,
    at: memo((level) => {
      const t = truncateHeadTail(text, caps[level]!, model);
      return { messages: [], section: t.text, tokens: sectionTokens(t.text, model), truncated: t.truncated };
    }),
  };
}

export interface UnitCaps {
  compact: CompactLevel;
  /** Cap of each tool result. */
  toolTokens: number;
  /** Cap of any other content (assistant thought or answer, earlier user message). */
  textTokens: number;
}

/** A unit of messages (one message, or a tool step); each level applies harder caps. */
export function unitBlock(
  id: string,
  place: 'history' | 'scratchpad',
  tier: number,
  rank: number,
  messages: readonly ChatMessage[],
  model: string,
  levels: readonly UnitCaps[],
  compactOpts: CompactOptions,
): Block {
  const cuts = new Map<string, ReturnType<typeof truncateHeadTail>>();
  return {
    id,
    place,
    tier,
    rank,
    pinned: false,
    level: 0,
    maxLevel: levels.length - 1,
    dropped: false,
    at: memo((level) => {
      const caps = levels[level]!;
      let truncated = false;
      let tokens = 0;
      const out = messages.map((m, i): ChatMessage => {
        let next: ChatMessage = m;
        if (m.role === 'tool') {
          // A runaway result (far over the cap) is cut whatever its level: go straight to the
          // skeleton, which keeps its ids, and render it once for all the levels that share the cap.
          const runaway = m.content.length > caps.toolTokens * RUNAWAY_CHARS_PER_TOKEN && (caps.compact === 'full' || caps.compact === 'recent');
          const mode = runaway ? 'skeleton' : caps.compact;
          const key = `${i}:${mode}:${caps.toolTokens}`;
          let t = cuts.get(key);
          if (!t) cuts.set(key, (t = truncateHeadTail(compactToolResult(m.content, mode, compactOpts), caps.toolTokens, model)));
          truncated ||= t.truncated;
          next = { ...m, content: t.text };
        } else if (m.content) {
          const t = truncateHeadTail(m.content, caps.textTokens, model);
          truncated ||= t.truncated;
          next = { ...m, content: t.text };
        }
        tokens += messageTokens(next, model);
        return next;
      });
      return { messages: out, section: '', tokens, truncated };
    }),
  };
}

/** A section rendered by a function of its level (the working memory at shrinking budgets). */
export function renderedSectionBlock(id: string, tier: number, rank: number, levels: number, render: (level: number) => string, model: string): Block {
  return {
    id,
    place: 'section',
    tier,
    rank,
    pinned: false,
    level: 0,
    maxLevel: levels - 1,
    dropped: false,
    at: memo((level) => {
      const text = render(level);
      return { messages: [], section: text, tokens: text ? sectionTokens(text, model) : 0, truncated: level > 0 };
    }),
  };
}

export function currentTokens(b: Block): number {
  return b.dropped ? 0 : b.at(b.level).tokens;
}

export { SECTION_SEPARATOR };
