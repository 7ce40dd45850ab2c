// The policy's vocabulary: what one model turn decides, and the context it decides from.
import { canonicalJson } from '@steward/core';
import type { Conversation, Step } from '../conversation.ts';

export interface PlannedCall {
  name: string;
  args: Record<string, unknown>;
  /** Sent verbatim instead of JSON.stringify(args): how a malformed call is made on purpose. */
  rawArguments?: string;
}

export type Decision =
  | { kind: 'call'; calls: PlannedCall[]; thought: string }
  | { kind: 'answer'; text: string; thought: string };

export interface PolicyContext extends Conversation {
  tools: Set<string>;
  /** The customer's words the current intent came from (the request, plus an earlier message it continues). */
  focus: string;
}

/** Either the value a flow needs, or the decision to take first (call a tool, or answer). */
export type Got<T> = { ok: true; value: T } | { ok: false; decision: Decision };

export const ok = <T>(value: T): Got<T> => ({ ok: true, value });
export const stop = (decision: Decision): Got<never> => ({ ok: false, decision });

export function call(name: string, args: Record<string, unknown>, thought: string): Decision {
  return { kind: 'call', calls: [{ name, args }], thought };
}

export function answer(text: string, thought: string): Decision {
  return { kind: 'answer', text, thought };
}

/** The step of this request that called `name` (with exactly these args when given); the latest wins. */
export function findStep(ctx: PolicyContext, name: string, args?: Record<string, unknown>): Step | undefined {
  const want = args === undefined ? undefined : canonicalJson(args);
  for (let i = ctx.steps.length - 1; i >= 0; i--) {
    const s = ctx.steps[i]!;
    if (s.name === name && (want === undefined || canonicalJson(s.args) === want)) return s;
  }
  return undefined;
}

/** The first value `pick` finds in the current request, then in earlier customer messages. */
export function fromCustomer<T>(ctx: PolicyContext, pick: (text: string) => T | undefined): T | undefined {
  for (const t of [ctx.lastUser, ...ctx.earlierUsers]) {
    const v = pick(t);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** A tool argument as text (numbers too); anything else is empty. */
export function argText(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}
