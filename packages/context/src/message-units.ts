// Providers reject an assistant message whose tool_calls lack their tool results, and a tool
// message whose call is missing. The prompt builder therefore never handles single messages:
// it keeps or drops whole units (an assistant tool-call message plus all of its results).
import type { ChatMessage } from '@steward/core';

export interface MessageUnit {
  messages: ChatMessage[];
  /** Assistant tool-call message with all of its results. */
  isToolStep: boolean;
}

export interface SplitUnits {
  units: MessageUnit[];
  /** Messages that could not form a valid unit (orphan results, calls without results). */
  invalid: ChatMessage[];
}

/** Group messages into units, in order. Tool results may come in any order after their call. */
export function toUnits(messages: readonly ChatMessage[]): SplitUnits {
  const units: MessageUnit[] = [];
  const invalid: ChatMessage[] = [];
  let i = 0;
  while (i < messages.length) {
    const m = messages[i]!;
    if (m.role === 'assistant' && m.tool_calls && m.tool_calls.length > 0) {
      const pending = new Set(m.tool_calls.map((c) => c.id));
      const results: ChatMessage[] = [];
      let j = i + 1;
      for (; j < messages.length; j++) {
        const r = messages[j]!;
        if (r.role !== 'tool') break;
        if (pending.delete(r.tool_call_id)) results.push(r);
        else invalid.push(r);
      }
      if (pending.size === 0) units.push({ messages: [m, ...results], isToolStep: true });
      else invalid.push(m, ...results);
      i = j;
    } else if (m.role === 'tool') {
      invalid.push(m);
      i++;
    } else {
      units.push({ messages: [m], isToolStep: false });
      i++;
    }
  }
  return { units, invalid };
}

/** True when every tool call has its results right after it and every result has its call. */
export function isOrphanFree(messages: readonly ChatMessage[]): boolean {
  return toUnits(messages).invalid.length === 0;
}

/**
 * The last `n` messages of a history, cut at a unit boundary (a tool step is never split), and
 * the older messages that fall out of the window: those are what updateSummary takes.
 */
export function splitVerbatimWindow(
  history: readonly ChatMessage[],
  n: number,
): { older: ChatMessage[]; window: ChatMessage[] } {
  const { units } = toUnits(history);
  let count = 0;
  let start = units.length;
  while (start > 0 && count + units[start - 1]!.messages.length <= n) {
    start--;
    count += units[start]!.messages.length;
  }
  return {
    older: units.slice(0, start).flatMap((u) => u.messages),
    window: units.slice(start).flatMap((u) => u.messages),
  };
}
