// What one reasoning turn sends, as a pure function of the conversation, the query and its
// steps: the prompt builder's input, the tools offered and the budget. The worker (processTurn)
// and the in-process baseline of the load benchmark (test/bench/baseline.ts) both call these, so
// the benchmark's "cost of durability" compares the same agent with and without queues.
import { DEFAULTS, type ChatMessage, type Language } from '@steward/core';
import type { PromptBudget, PromptInput, WorkingMemory } from '@steward/context';
import { JSON_FORMAT_INSTRUCTIONS, renderToolsAsText, TEXT_FORMAT_INSTRUCTIONS } from '@steward/llm';
import type { ToolRegistry } from '@steward/tools';
import { POLICY, systemPrompt } from './system-prompt.ts';
import { ALWAYS_OFFERED, selectTools } from './select-tools.ts';

/** The prompt budget of a worker started with these options (the one config's defaults when unset). */
export function reasoningBudget(o: { outputTokens?: number; budget?: PromptBudget }): { budget: PromptBudget; outputTokens: number } {
  const outputTokens = o.outputTokens ?? DEFAULTS.outputTokensPerTurn;
  return {
    outputTokens,
    budget: { maxContextTokens: DEFAULTS.maxContextTokens, outputTokens, summaryTokens: DEFAULTS.summaryTokens, ...o.budget },
  };
}

export interface TurnContext {
  model: string;
  registry: ToolRegistry;
  toolStyle: 'native' | 'text' | 'json';
  toolSelection: 'relevant' | 'all';
  naive: boolean;
  conversation: { customerId: string | null; summary: string; messages: ChatMessage[] };
  language: Language;
  /** The current customer message (the naive prompt appends it to the transcript). */
  text: string;
  /** This query's earlier turns. */
  steps: ChatMessage[];
  /** The working memory with this query's request recorded (budgeted prompts only). */
  memory?: WorkingMemory;
  /** Everything ever said and done (naive prompts only). */
  transcript?: ChatMessage[];
  nudge?: string;
}

export function turnInput(c: TurnContext): {
  input: PromptInput;
  tools: ReturnType<ToolRegistry['toOpenAiTools']>;
  /** The tool definitions as text in the system prompt (text and json styles; '' when native). */
  textTools: string;
} {
  // The budgeted prompt offers the tools this request and the working memory can need; the naive one offers all.
  const chosen = c.naive || c.toolSelection === 'all' ? null : selectTools(c.registry.names(), c.conversation.messages, c.steps, c.conversation.customerId !== null, c.memory);
  const { tools, textTools } = offer(c.registry, c.toolStyle, chosen);
  const input: PromptInput = {
    model: c.model,
    system: systemPrompt({ customerId: c.conversation.customerId, language: c.language }) + textTools,
    policy: POLICY,
    // Naive: everything ever said and done, re-sent every turn (the token benchmark's baseline).
    ...(c.conversation.summary && !c.naive ? { summary: c.conversation.summary } : {}),
    history: c.naive ? [...(c.transcript ?? []), { role: 'user' as const, content: c.text }] : c.conversation.messages,
    scratchpad: c.steps,
    ...(c.memory ? { memory: c.memory } : {}),
    ...(c.nudge ? { loopWarning: `Loop warning: ${c.nudge}` } : {}),
    tools,
  };
  return { input, tools, textTools };
}

type Offer = { tools: ReturnType<ToolRegistry['toOpenAiTools']>; textTools: string };

// What a set of chosen tools is offered as, per registry and style: the same few sets come up
// turn after turn, and each was filtered, sorted and (text styles) rendered anew on every turn.
// The arrays and the definition objects in them are shared and never changed (the prompt builder
// and the LLM client only read them; the prefix measure remembers segments per definition object).
const offers = new WeakMap<ToolRegistry, Map<string, Offer>>();
const MAX_OFFERS = 256;

function offer(registry: ToolRegistry, style: TurnContext['toolStyle'], chosen: ReadonlySet<string> | null): Offer {
  let byKey = offers.get(registry);
  if (!byKey) offers.set(registry, (byKey = new Map()));
  const key = `${style}\u0000${chosen ? [...chosen].sort().join(',') : '*'}`;
  let o = byKey.get(key);
  if (o) return o;
  const native = style === 'native';
  // The tools offered on every call come first, the rest in the registry's fixed order: the
  // definitions before the first one that changes between calls stay a cacheable prefix.
  const offered = stableFirst(registry.list().filter((t) => !chosen || chosen.has(t.name)), (t) => t.name);
  const tools = native ? stableFirst(registry.toOpenAiTools().filter((t) => !chosen || chosen.has(t.function.name)), (t) => t.function.name) : [];
  const textTools = native ? '' : `\n\n${renderToolsAsText(offered)}\n\n${style === 'json' ? JSON_FORMAT_INSTRUCTIONS : TEXT_FORMAT_INSTRUCTIONS}`;
  // Bounded: a registry with many tools could make many sets; starting over costs one turn's work per set.
  if (byKey.size >= MAX_OFFERS) byKey.clear();
  byKey.set(key, (o = { tools, textTools }));
  return o;
}

function stableFirst<T>(list: T[], name: (t: T) => string): T[] {
  const always = (t: T): number => (ALWAYS_OFFERED.includes(name(t)) ? 0 : 1);
  return [...list].sort((a, b) => always(a) - always(b));
}
