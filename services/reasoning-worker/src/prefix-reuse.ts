// How much of a prompt repeats the previous call's prefix: what a provider's prompt cache
// (OpenAI, DeepSeek, Anthropic…) can bill at the cached-input price. Measured on segments
// (each tool definition, the pinned system text, each system section, each message), so it is
// a slight underestimate of the token-level prefix.
import { hash } from 'node:crypto';
import type { ChatMessage } from '@steward/core';
import { countTokens, encodingForModel, paragraphs, TextCache } from '@steward/context';

export interface Segment {
  h: string;
  t: number;
}

// The registry builds its definitions once and every turn offers a subset of those very objects:
// a definition's segment is made once per object instead of serialised, hashed and counted on
// every turn. By encoding, as the token counts are.
const toolSegments = new Map<string, WeakMap<object, Segment>>();

function toolSegment(tool: unknown, model: string): Segment {
  if (tool === null || typeof tool !== 'object') return segment('tool', JSON.stringify(tool) ?? '', model);
  const encoding = encodingForModel(model);
  let byTool = toolSegments.get(encoding);
  if (!byTool) toolSegments.set(encoding, (byTool = new WeakMap()));
  let s = byTool.get(tool);
  if (!s) byTool.set(tool, (s = segment('tool', JSON.stringify(tool), model)));
  return s;
}

// Every turn hashes the whole prompt again, and all of it but the newest messages was hashed on
// the previous turn: hashes are remembered per label by text in the context package's text cache
// (a lookup costs V8's string hash instead of a UTF-8 encode, a SHA-1 and a base64 digest),
// bounded in entries and in the characters kept.
const hashes = new TextCache<string>(4_096, 2_000_000);
// One-shot `hash` of label, NUL and text (the same bytes a Hash object was fed in three updates):
// no Hash object per new text.
const hashText = (label: string) => (text: string) => hash('sha1', `${label}\u0000${text}`, 'base64').slice(0, 12);
const hashers = new Map<string, (text: string) => string>();

function hashOf(label: string, text: string): string {
  let h = hashers.get(label);
  if (!h) hashers.set(label, (h = hashText(label)));
  return hashes.through(label, text, h);
}

function segment(label: string, text: string, model: string): Segment {
  return { h: hashOf(label, text), t: countTokens(text, model) };
}

export function promptSegments(messages: readonly ChatMessage[], tools: readonly unknown[], model: string): Segment[] {
  // Each part is hashed with a label (so a user and an assistant saying the same differ) but
  // counted without it: the prompt builder has already counted those very texts, so the counts
  // come from the token-count cache instead of being tokenised again.
  // One segment per tool definition: providers cache a token prefix, so the definitions before
  // the first one that differs from the previous call's are reused.
  const out: Segment[] = tools.map((t) => toolSegment(t, model));
  messages.forEach((m, i) => {
    const body = m.role === 'assistant' && m.tool_calls ? JSON.stringify(m.tool_calls) + (m.content ?? '') : (m.content ?? '');
    // The system message is pinned text followed by sections; split so a changed section keeps the pinned part.
    if (i === 0 && m.role === 'system') for (const text of paragraphs(body)) out.push(segment('system', text, model));
    else out.push(segment(m.role, body, model));
  });
  return out;
}

/** Share (0…1) of `next`'s tokens in the longest run of leading segments equal to `previous`'s. */
export function prefixReuseShare(previous: readonly Segment[], next: readonly Segment[]): number {
  const total = next.reduce((n, s) => n + s.t, 0);
  let same = 0;
  for (let i = 0; i < next.length && i < previous.length && previous[i]!.h === next[i]!.h; i++) same += next[i]!.t;
  return total ? Math.round((same / total) * 1000) / 1000 : 0;
}

/**
 * The segments as stored with the conversation for the next call's measure: their hashes only,
 * space-separated (the next call compares hashes and counts its own tokens). Written every turn,
 * so a third of the JSON objects' size matters.
 */
export function storedPrefix(segments: readonly Segment[]): string {
  return segments.map((s) => s.h).join(' ');
}

/** The previous call's segments from storedPrefix, or from the JSON objects written before it (rolling deploy). */
export function readPrefix(raw: string): Segment[] {
  if (!raw) return [];
  if (!raw.startsWith('[')) return raw.split(' ').map((h) => ({ h, t: 0 }));
  try {
    const v: unknown = JSON.parse(raw);
    return Array.isArray(v) ? (v as Segment[]) : [];
  } catch {
    return [];
  }
}
