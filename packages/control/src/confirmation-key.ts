import { canonicalJson, fingerprint } from '@steward/core';

// A confirmation is bound to exactly the action the customer saw: the tool and its arguments
// in canonical form. Another order, another item list or another payment method gives another
// key, so it needs its own "yes". Lists of ids are compared as multisets (the model may list
// the same items in another order), and lists of ids of the same length in one object are
// sorted together, as rows: item_ids[i] ↔ new_item_ids[i] of an exchange stay paired.

const ID_LIST_KEY = /(^|_)ids$|[a-z]Ids$/;

export function confirmationKey(toolName: string, args: Record<string, unknown>): string {
  return `${toolName}:${fingerprint(canonicalJson(normalize(args)))}`;
}

/** The canonical value a confirmation key hashes (exported for the debug trace). */
export function confirmationArgs(args: Record<string, unknown>): unknown {
  return normalize(args);
}

type Primitive = string | number | boolean;

function isPrimitiveList(v: unknown): v is Primitive[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean');
}

function normalize(value: unknown): unknown {
  if (typeof value === 'string') return value.trim();
  if (Array.isArray(value)) return value.map(normalize);
  if (value === null || typeof value !== 'object') return value;

  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = normalize(v);

  const byLength = new Map<number, string[]>();
  for (const [k, v] of Object.entries(out)) {
    if (ID_LIST_KEY.test(k) && isPrimitiveList(v)) byLength.set(v.length, [...(byLength.get(v.length) ?? []), k]);
  }
  for (const keys of byLength.values()) {
    const lists = keys.sort().map((k) => out[k] as Primitive[]);
    const n = lists[0]?.length ?? 0;
    const rows = Array.from({ length: n }, (_, i) => lists.map((l) => l[i] as Primitive));
    rows.sort((a, b) => compareRows(a, b));
    keys.forEach((k, j) => (out[k] = rows.map((r) => r[j])));
  }
  return out;
}

function compareRows(a: readonly Primitive[], b: readonly Primitive[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = JSON.stringify(a[i]);
    const y = JSON.stringify(b[i]);
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
