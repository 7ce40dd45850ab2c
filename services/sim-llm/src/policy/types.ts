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

/**
 * The step of this request that called `name` with these argument values (when given; the
 * latest wins). Only the given keys are compared, strings without case: validation may have
 * added defaults or normalised the spelling, and a missed match would repeat the call.
 */
export function findStep(ctx: PolicyContext, name: string, args?: Record<string, unknown>): Step | undefined {
  for (let i = ctx.steps.length - 1; i >= 0; i--) {
    const s = ctx.steps[i]!;
    if (s.name === name && (args === undefined || Object.entries(args).every(([k, v]) => sameValue(s.args[k], v)))) return s;
  }
  return undefined;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.trim().toLowerCase() === b.trim().toLowerCase();
  return canonicalJson(a) === canonicalJson(b);
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
