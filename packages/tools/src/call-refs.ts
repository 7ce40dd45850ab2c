import { StewardError } from '@steward/core';

// Explicit references between the calls of one turn. The model may pass the result of an
// earlier call of the same turn as an argument value, written either
//   "$call:<index>"  or  "$call:<index>.<path>"          e.g. "$call:0.items.1.product_id"
//   {"$ref": <index>} or {"$ref": <index>, "path": "<path>"}
// where <index> is the 0-based position of that call in the turn and <path> a dot path into the
// result (JSON results are parsed first; numeric segments index arrays). planTurn() turns each
// reference into a dependency edge, so the referenced call ends first; the executor then
// substitutes the values with resolveRefs() before validating and running the call.

export interface CallRef {
  index: number;
  path: string[];
}

const CALL_REF = /^\$call:(\d+)((?:\.[^.]+)*)$/;

/** The reference a single argument value stands for, or null for an ordinary value. */
export function parseRef(value: unknown): CallRef | null {
  if (typeof value === 'string') {
    const m = CALL_REF.exec(value);
    if (!m) return null;
    return { index: Number(m[1]), path: splitPath(m[2] ?? '') };
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    const idx = o.$ref;
    const onlyRefKeys = keys.every((k) => k === '$ref' || k === 'path');
    if (onlyRefKeys && typeof idx === 'number' && Number.isInteger(idx) && idx >= 0) {
      const path = typeof o.path === 'string' ? splitPath(o.path) : [];
      return { index: idx, path };
    }
  }
  return null;
}

function splitPath(p: string): string[] {
  return p.split('.').filter((s) => s.length > 0);
}

/** Every reference anywhere inside an argument object, in document order. */
export function collectRefs(value: unknown): CallRef[] {
  const ref = parseRef(value);
  if (ref) return [ref];
  if (Array.isArray(value)) return value.flatMap(collectRefs);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(collectRefs);
  return [];
}

/** A reference that cannot be resolved can never succeed on retry. */
export class CallRefError extends StewardError {
  constructor(message: string) {
    super('invalid_call_ref', message, { kind: 'validation', retryable: false });
  }
}

/**
 * Replace every reference in `args` by the value it points to. `results[i]` is the result of
 * call i of the turn (as the tool returned it: a JSON string is parsed when a path is given or
 * when it holds an object/array). Throws CallRefError for a missing result or path.
 */
export function resolveRefs(args: Record<string, unknown>, results: readonly unknown[]): Record<string, unknown> {
  return substitute(args, results) as Record<string, unknown>;
}

function substitute(value: unknown, results: readonly unknown[]): unknown {
  const ref = parseRef(value);
  if (ref) return lookup(ref, results);
  if (Array.isArray(value)) return value.map((v) => substitute(v, results));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, results);
    return out;
  }
  return value;
}

function lookup(ref: CallRef, results: readonly unknown[]): unknown {
  if (ref.index >= results.length || results[ref.index] === undefined) {
    throw new CallRefError(`$call:${ref.index} has no result (the turn has ${results.length} call results)`);
  }
  let cur = maybeJson(results[ref.index], ref.path.length > 0);
  for (const seg of ref.path) {
    if (Array.isArray(cur) && /^\d+$/.test(seg)) cur = cur[Number(seg)];
    else if (cur !== null && typeof cur === 'object' && Object.hasOwn(cur, seg)) cur = (cur as Record<string, unknown>)[seg];
    else cur = undefined;
    if (cur === undefined) throw new CallRefError(`$call:${ref.index}.${ref.path.join('.')}: no value at "${seg}"`);
  }
  return cur;
}

/** Tool results are strings; structured ones are JSON. A plain string stays a string. */
function maybeJson(v: unknown, mustParse: boolean): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  if (!mustParse && !(t.startsWith('{') || t.startsWith('['))) return v;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    if (mustParse) throw new CallRefError('cannot follow a path into a result that is not JSON');
    return v;
  }
}
