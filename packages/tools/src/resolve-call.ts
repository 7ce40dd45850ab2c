import { z } from 'zod';
import type { ToolSpec } from './tool-spec.ts';
import type { ToolRegistry } from './registry.ts';
import { resolveToolName } from './resolve-name.ts';
import { coerceObject, type CoerceReport } from './coerce-args.ts';
import { collectRefs } from './call-refs.ts';

export type CallErrorCode = 'unknown_tool' | 'invalid_json' | 'invalid_arguments';

export type ResolvedCall =
  | {
      ok: true;
      name: string;
      args: Record<string, unknown>;
      /** The name the model wrote, when it was repaired. */
      repairedFrom?: string;
      /** Parameters the tool does not have, removed (dot paths). */
      dropped: string[];
      /** Coercions applied, e.g. `qty: "2" → 2`. */
      coerced: string[];
      /** Indexes of calls of the same turn this call references ("$call:<i>"); see call-refs.ts. */
      refs: number[];
    }
  | { ok: false; error: string; code: CallErrorCode; name?: string };

export type ValidatedArgs =
  | { ok: true; args: Record<string, unknown>; dropped: string[]; coerced: string[]; refs: number[] }
  | { ok: false; error: string; code: 'invalid_arguments' };

/**
 * Repair and validate one tool call as the model wrote it. `rawArgs` is the provider's JSON
 * string (or an already parsed object). Every error message is written for the model: it is
 * fed back as the call's observation so the next turn can fix it.
 */
export function resolveCall(registry: ToolRegistry, name: string, rawArgs: unknown): ResolvedCall {
  const resolved = resolveToolName(registry, name);
  if (!resolved.ok) return { ok: false, error: resolved.error, code: 'unknown_tool' };
  const spec = registry.get(resolved.name);
  if (!spec) return { ok: false, error: `Unknown tool ${name}.`, code: 'unknown_tool' };

  const parsed = parseArgs(rawArgs);
  if (!parsed.ok) return { ok: false, error: `Invalid arguments for ${spec.name}: ${parsed.error}`, code: 'invalid_json', name: spec.name };

  const v = validateArgs(spec, parsed.value);
  if (!v.ok) return { ...v, name: spec.name };
  return {
    ok: true,
    name: spec.name,
    args: v.args,
    ...(resolved.repairedFrom !== undefined ? { repairedFrom: resolved.repairedFrom } : {}),
    dropped: v.dropped,
    coerced: parsed.note !== undefined ? [parsed.note, ...v.coerced] : v.coerced,
    refs: v.refs,
  };
}

function parseArgs(raw: unknown): { ok: true; value: Record<string, unknown>; note?: string } | { ok: false; error: string } {
  let value = raw;
  let note: string | undefined;
  if (typeof raw === 'string') {
    try {
      value = raw.trim() === '' ? {} : (JSON.parse(raw) as unknown);
    } catch (e) {
      return { ok: false, error: `arguments are not valid JSON (${(e as Error).message})` };
    }
    // Some models encode the arguments twice ("\"{\\"order_id\\": …}\""): one more parse is safe.
    if (typeof value === 'string' && /^\s*\{/.test(value)) {
      try {
        value = JSON.parse(value) as unknown;
        note = '(arguments): double-encoded JSON decoded';
      } catch {
        // leave it: reported below as not an object
      }
    }
  }
  // No arguments at all is an empty object: tools without parameters get called this way.
  if (value === undefined || value === null) value = {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, error: 'arguments must be a JSON object' };
  }
  return { ok: true, value: value as Record<string, unknown>, ...(note !== undefined ? { note } : {}) };
}

/**
 * Coerce and validate arguments against a tool's schema. Top-level values holding a call
 * reference are kept as written and not validated: the executor validates again after
 * resolveRefs(), when their values are known.
 */
export function validateArgs(spec: ToolSpec, input: Record<string, unknown>): ValidatedArgs {
  const report: CoerceReport = { dropped: [], coerced: [] };
  const shape = spec.parameters.shape as Record<string, z.ZodType>;
  const coerced = coerceObject(shape, input, '', report);

  const refKeys = Object.keys(coerced).filter((k) => collectRefs(coerced[k]).length > 0);
  const refs = [...new Set(refKeys.flatMap((k) => collectRefs(coerced[k]).map((r) => r.index)))].sort((a, b) => a - b);
  // With references, the other fields are checked now against the plain shape (refinements of
  // the whole object need every value: the executor's validateArgs after resolveRefs runs them;
  // zod refuses .partial() on a refined object).
  const schema =
    refKeys.length > 0 ? z.object(Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, refKeys.includes(k) ? v.optional() : v]))) : spec.parameters;
  const toCheck = Object.fromEntries(Object.entries(coerced).filter(([k]) => !refKeys.includes(k)));

  const r = schema.safeParse(toCheck);
  if (!r.success) return { ok: false, error: describeIssues(spec.name, r.error, toCheck), code: 'invalid_arguments' };
  const args: Record<string, unknown> = { ...r.data };
  for (const k of refKeys) args[k] = coerced[k];
  return { ok: true, args, dropped: report.dropped, coerced: report.coerced, refs };
}

function describeIssues(tool: string, error: z.ZodError, input: Record<string, unknown>): string {
  const missing: string[] = [];
  const other: string[] = [];
  for (const issue of error.issues) {
    const top = issue.path[0];
    if (issue.path.length === 1 && typeof top === 'string' && !(top in input) && issue.code === 'invalid_type') missing.push(top);
    else other.push(`${issue.path.length ? issue.path.join('.') : '(arguments)'}: ${issue.message}`);
  }
  const parts: string[] = [];
  if (missing.length) parts.push(`missing required parameter${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
  if (other.length) parts.push(other.join('; '));
  return `Invalid arguments for ${tool}: ${parts.join('; ')}`;
}
