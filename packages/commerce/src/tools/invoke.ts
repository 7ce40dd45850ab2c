// One tool call as a verified customer: validate, authorize, run, and for writes store the
// answer under the idempotency key in the same transaction as the change (exactly-once).
import { StewardError, type ShopToolResponse } from '@steward/core';
import type { ShopEngine } from '../engine/engine.ts';
import type { ToolOutcome } from './outcome.ts';
import { PM_NOT_FOUND, ORDER_NOT_FOUND, USER_NOT_FOUND } from './outcome.ts';
import { TOOL_IMPLS } from './registry.ts';

export interface InvokeContext {
  /** The conversation's verified customer; null before identification. */
  customerId: string | null;
  idempotencyKey?: string | undefined;
}

export class UnknownToolError extends StewardError {
  constructor(name: string) {
    super('unknown_tool', `unknown tool: ${name}`, { kind: 'not_found', retryable: false });
  }
}

function toResponse(o: ToolOutcome): ShopToolResponse {
  const r: ShopToolResponse = { result: o.result };
  if (o.identifiedUserId !== undefined) r.identifiedUserId = o.identifiedUserId;
  if (o.denied) r.denied = true;
  if (o.touched && o.touched.length > 0) r.touched = o.touched;
  return r;
}

/** What an unidentified caller gets for a customer-bound tool: the τ-bench "not found". */
function refusedBeforeIdentification(name: string): ToolOutcome {
  const result = name === 'get_user_details' || name === 'modify_user_address' ? USER_NOT_FOUND : ORDER_NOT_FOUND;
  return { result, denied: true };
}

/** A payment method of another customer reads as missing; flag it for the audit trail. */
function flagForeignPaymentMethod(engine: ShopEngine, args: Record<string, unknown>, customerId: string | null, o: ToolOutcome): ToolOutcome {
  if (o.result !== PM_NOT_FOUND || typeof args.payment_method_id !== 'string') return o;
  const owners = engine.paymentMethodOwners(args.payment_method_id);
  return owners.length > 0 && (customerId === null || !owners.includes(customerId)) ? { ...o, denied: true } : o;
}

export function invokeTool(engine: ShopEngine, name: string, rawArgs: Record<string, unknown>, ctx: InvokeContext): ShopToolResponse {
  const impl = TOOL_IMPLS.get(name);
  if (!impl) throw new UnknownToolError(name);
  const parsed = impl.params.safeParse(rawArgs ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}`).join('; ');
    return { result: `Error: invalid arguments for ${name}: ${issues}` };
  }
  const args = parsed.data;
  const run = (): ToolOutcome => {
    if (!impl.anonymous && ctx.customerId === null) return refusedBeforeIdentification(name);
    const o = impl.run(engine, args as never, { customerId: ctx.customerId });
    return flagForeignPaymentMethod(engine, args, ctx.customerId, o);
  };
  if (!impl.write) return toResponse(run());
  return engine.tx(() => {
    const key = ctx.idempotencyKey;
    if (key !== undefined) {
      const stored = engine.sql('SELECT response FROM idempotency WHERE key = ?').get(key);
      if (stored) return { ...(JSON.parse(stored.response as string) as ShopToolResponse), replayed: true };
    }
    const response = toResponse(run());
    if (key !== undefined) {
      engine.sql('INSERT INTO idempotency VALUES (?, ?, ?, ?)').run(key, name, JSON.stringify(response), Date.now());
    }
    return response;
  });
}
