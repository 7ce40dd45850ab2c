// Turns a chat-completions request into what the policy reasons about: the facts in the
// system prompt, the customer's current request, and this request's earlier steps (the tool
// calls already made and their results).
import { detectLanguage, type Language } from '@steward/core';
import { textOf, type ChatRequest, type WireMessage } from './request-schema.ts';
import { tryJson } from './tool-results.ts';

export interface Step {
  id: string;
  /** Normalised name (a known typo maps to the real tool). */
  name: string;
  /** The name as the model wrote it. */
  rawName: string;
  args: Record<string, unknown>;
  /** undefined while no result came back for this call. */
  result: string | undefined;
}

export interface Conversation {
  system: string;
  /** undefined: the prompt does not say; null: `Verified customer: none`. */
  verified: string | null | undefined;
  promptLanguage: Language | undefined;
  loopWarning: boolean;
  lastUser: string;
  /** Earlier customer messages, most recent first. */
  earlierUsers: string[];
  /** The last assistant answer before the current request (for confirmations). */
  previousAnswer: string | undefined;
  steps: Step[];
  /** Notes the control plane added after the request (`[system note] …`), e.g. "your output could not be used". */
  notes: string[];
  language: Language;
}

/** Names the policy knows; in text mode the available ones are read from the system prompt. */
export const KNOWN_TOOLS = [
  'find_user_id_by_email',
  'find_user_id_by_name_zip',
  'get_user_details',
  'get_order_details',
  'get_product_details',
  'search_products',
  'check_inventory',
  'calculate_shipping',
  'get_shipping_info',
  'cancel_pending_order',
  'return_delivered_order_items',
  'exchange_delivered_order_items',
  'transfer_to_human_agents',
  'think',
] as const;

/** The near-miss name `#sim:typo-tool` emits; repair maps it back, and so do we. */
export const TYPO_ALIASES: Readonly<Record<string, string>> = { get_ordr_details: 'get_order_details' };

const OBSERVATION = /^\s*Observation(?:\s*\([^)]*\)|\s*\d+)?\s*:\s*/i;
// The controller reports an unusable output as a user-role message with this prefix: not the customer.
const SYSTEM_NOTE = /^\s*\[system note\]\s*/i;
// One Action line: `Action: name | {json}`, or `Action: name` with the JSON on an `Action Input:` line.
const TEXT_ACTION = /^\s*Action\s*:\s*([\w.-]+)[ \t]*(?:\|[ \t]*(\{.*\}))?(?:\s*\n\s*Action Input\s*:\s*(\{.*\}))?/gim;

export function readConversation(req: ChatRequest): Conversation {
  const msgs = req.messages;
  const system = msgs
    .filter((m) => m.role === 'system' || m.role === 'developer')
    .map(textOf)
    .join('\n');
  const isCustomer = (m: WireMessage): boolean => m.role === 'user' && !OBSERVATION.test(textOf(m)) && !SYSTEM_NOTE.test(textOf(m));
  let lastUserIdx = -1;
  for (let i = msgs.length - 1; i >= 0; i--) if (isCustomer(msgs[i]!)) { lastUserIdx = i; break; }
  const lastUser = lastUserIdx >= 0 ? textOf(msgs[lastUserIdx]!) : '';
  const before = msgs.slice(0, Math.max(lastUserIdx, 0));
  const after = lastUserIdx >= 0 ? msgs.slice(lastUserIdx + 1) : msgs;
  const earlierUsers = before.filter(isCustomer).map(textOf).reverse();
  const previousAnswer = [...before].reverse().find((m) => m.role === 'assistant' && !m.tool_calls?.length && textOf(m).trim() !== '');
  const verifiedLine = /Verified customer:\s*([^\s,;]+)/i.exec(system)?.[1];
  const verified = verifiedLine === undefined ? undefined : /^(none|null|unknown|-)$/i.test(verifiedLine) ? null : verifiedLine;
  const langLine = /Customer language:\s*(en|zh)\b/i.exec(system)?.[1]?.toLowerCase();
  const promptLanguage = langLine === 'en' || langLine === 'zh' ? langLine : undefined;
  return {
    system,
    verified,
    promptLanguage,
    loopWarning: /^\s*Loop warning:/im.test(system),
    lastUser,
    earlierUsers,
    previousAnswer: previousAnswer ? textOf(previousAnswer) : undefined,
    steps: readSteps(after),
    notes: after.filter((m) => m.role === 'user' && SYSTEM_NOTE.test(textOf(m))).map((m) => textOf(m).replace(SYSTEM_NOTE, '')),
    language: answerLanguage(lastUser, promptLanguage),
  };
}

/** Chinese as soon as the request contains Chinese; otherwise the core detector decides. */
export function answerLanguage(text: string, fallback: Language | undefined): Language {
  if (/[\u3400-\u9fff]/.test(text)) return 'zh';
  // An email or an id alone says nothing about the language: the prompt's language stands.
  const words = text.replace(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, ' ').replace(/#sim:[\w-]+/g, ' ');
  return detectLanguage(words, fallback ?? 'en');
}

function readSteps(after: WireMessage[]): Step[] {
  const steps: Step[] = [];
  const attach = (result: string, callId: string | undefined): void => {
    const byId = callId === undefined ? undefined : steps.find((s) => s.id === callId);
    const target = byId ?? steps.find((s) => s.result === undefined);
    if (target) target.result = result;
  };
  for (const m of after) {
    if (m.role === 'assistant') {
      for (const c of m.tool_calls ?? []) steps.push(step(c.id ?? `call_${steps.length}`, c.function.name, c.function.arguments));
      if (!m.tool_calls?.length && !/Final Answer\s*:/i.test(textOf(m))) {
        for (const a of textOf(m).matchAll(TEXT_ACTION)) if (a[1]) steps.push(step(`text_${steps.length}`, a[1], a[2] ?? a[3] ?? '{}'));
      }
    } else if (m.role === 'tool') {
      attach(textOf(m), m.tool_call_id);
    } else if (m.role === 'user' && OBSERVATION.test(textOf(m))) {
      attach(textOf(m).replace(OBSERVATION, ''), undefined);
    }
  }
  return steps;
}

function step(id: string, rawName: string, rawArgs: string): Step {
  const parsed = tryJson(rawArgs);
  const args = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  return { id, name: TYPO_ALIASES[rawName] ?? rawName, rawName, args, result: undefined };
}

/** Tools the model may call: the request's `tools`, or in text mode those the system prompt names. */
export function availableTools(req: ChatRequest, system: string): Set<string> {
  if (req.tools?.length) {
    if (req.tool_choice === 'none') return new Set();
    return new Set(req.tools.map((t) => t.function.name));
  }
  return new Set(KNOWN_TOOLS.filter((n) => new RegExp(`\\b${n}\\b`).test(system)));
}
