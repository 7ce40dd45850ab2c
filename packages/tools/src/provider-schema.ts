import { z } from 'zod';

const SAFE_INT = Number.MAX_SAFE_INTEGER;

/**
 * JSON schema of a tool's parameters as providers accept it. The input side of the zod schema
 * (a field with a default is optional for the model), without `$schema` (several
 * OpenAI-compatible servers reject unknown top-level keywords), with `additionalProperties:
 * false` on every object (the model should not invent parameters) and without zod's ±2^53
 * bounds on integers, which are noise in the prompt.
 */
export function toProviderJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const raw = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete raw.$schema;
  return clean(raw) as Record<string, unknown>;
}

function clean(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(clean);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if ((k === 'minimum' && v === -SAFE_INT) || (k === 'maximum' && v === SAFE_INT)) continue;
    out[k] = clean(v);
  }
  // A record (additionalProperties is a schema) keeps its value schema.
  if ((out.type === 'object' || out.properties !== undefined) && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}
