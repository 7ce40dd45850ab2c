import type { z } from 'zod';
import { parseRef } from './call-refs.ts';

// Safe argument coercions: only those that cannot change what the model meant. A numeric
// string for a number, "true"/"false" for a boolean, one string where a list of strings is
// expected, and null for an optional field (models write null for "not given"). Anything
// else is left for the zod schema to reject with a message the model can act on.

export interface CoerceReport {
  /** Parameters the tool does not have, as dot paths; they are removed. */
  dropped: string[];
  /** Human-readable notes, e.g. `qty: "2" → 2`. */
  coerced: string[];
}

type Def = { type: string; innerType?: z.ZodType; in?: z.ZodType; element?: z.ZodType; shape?: Record<string, z.ZodType> };

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);
const NUMERIC = /^\s*-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { def: Def }).def;
}

/** The schema under optional/default/nullable/pipe wrappers, and whether it accepts absence. */
function unwrap(schema: z.ZodType): { base: z.ZodType; optional: boolean } {
  let cur = schema;
  let optional = false;
  for (let i = 0; i < 20; i++) {
    const def = defOf(cur);
    if (def.type === 'optional' || def.type === 'default' || def.type === 'prefault') optional = true;
    if (WRAPPERS.has(def.type) && def.innerType) cur = def.innerType;
    else if (def.type === 'pipe' && def.in) cur = def.in;
    else break;
  }
  return { base: cur, optional };
}

function acceptsNull(schema: z.ZodType): boolean {
  return schema.safeParse(null).success;
}

/**
 * Coerce `value` towards `schema`, recording what changed. Returns `undefined` for a value
 * that should be omitted. Call references ("$call:0") are kept untouched: they are resolved
 * and validated by the executor.
 */
export function coerceValue(schema: z.ZodType, value: unknown, path: string, report: CoerceReport): unknown {
  if (parseRef(value)) return value;
  const { base, optional } = unwrap(schema);
  const def = defOf(base);
  if (value === null && optional && !acceptsNull(schema)) {
    report.coerced.push(`${path}: null → omitted`);
    return undefined;
  }
  switch (def.type) {
    case 'number':
      if (typeof value === 'string' && NUMERIC.test(value)) {
        const n = Number(value);
        if (Number.isFinite(n)) {
          report.coerced.push(`${path}: "${value}" → ${n}`);
          return n;
        }
      }
      return value;
    case 'boolean':
      if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) {
        const b = value.trim().toLowerCase() === 'true';
        report.coerced.push(`${path}: "${value}" → ${b}`);
        return b;
      }
      return value;
    case 'array': {
      const element = def.element;
      if (!element) return value;
      if (typeof value === 'string' && defOf(unwrap(element).base).type === 'string') {
        report.coerced.push(`${path}: "${value}" → ["${value}"]`);
        return [value];
      }
      if (Array.isArray(value)) return value.map((v, i) => coerceValue(element, v, `${path}.${i}`, report));
      return value;
    }
    case 'object':
      if (value !== null && typeof value === 'object' && !Array.isArray(value) && def.shape) {
        return coerceObject(def.shape, value as Record<string, unknown>, path, report);
      }
      return value;
    default:
      return value;
  }
}

/** Coerce each known field of an object and drop the fields the schema does not declare. */
export function coerceObject(
  shape: Record<string, z.ZodType>,
  value: Record<string, unknown>,
  path: string,
  report: CoerceReport,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const p = path ? `${path}.${k}` : k;
    const field = Object.hasOwn(shape, k) ? shape[k] : undefined;
    if (!field) {
      report.dropped.push(p);
      continue;
    }
    const c = coerceValue(field, v, p, report);
    if (c !== undefined) out[k] = c;
  }
  return out;
}
