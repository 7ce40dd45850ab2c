// The stored working memory, read without zod when it is exactly the shape this version writes.
// Both workers parse it on most turns (the reasoning turn when a tool result changed it, every
// observe), and the zod parse of a memory with a few products of 80 variants each was ~3 % of
// the reasoning-worker's CPU and ~4 % of the tool-worker's (issue 17). `parseKnown` checks
// every field as the WorkingMemory schema does and builds the value zod builds (objects with
// their keys in the schema's order, records and arrays copied as they are); on anything it does
// not recognise — a missing or unknown field, a wrong type, a `__proto__` key — it returns
// undefined and the caller asks zod, which stays the one authority on what an odd record means.
import type { WorkingMemory } from './working-memory.ts';

type Obj = Record<string, unknown>;
type Fields = Readonly<Record<string, (x: unknown) => unknown>>;

/** Signals "not the known shape": thrown inside, turned into undefined at the top. */
class Unknown extends Error {}
const UNKNOWN = new Unknown();

function obj(v: unknown): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw UNKNOWN;
  return v as Obj;
}

function str(v: unknown): string {
  if (typeof v !== 'string') throw UNKNOWN;
  return v;
}

function num(v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw UNKNOWN;
  return v;
}

function bool(v: unknown): boolean {
  if (typeof v !== 'boolean') throw UNKNOWN;
  return v;
}

function list<T>(v: unknown, item: (x: unknown) => T): T[] {
  if (!Array.isArray(v)) throw UNKNOWN;
  const out = new Array<T>(v.length);
  for (let i = 0; i < v.length; i++) out[i] = item(v[i]);
  return out;
}

/** A record (string keys): copied key by key in the input's order, as zod's record does. */
function record<T>(v: unknown, value: (x: unknown) => T): Record<string, T> {
  const o = obj(v);
  const out: Record<string, T> = {};
  for (const k of Object.keys(o)) {
    if (k === '__proto__') throw UNKNOWN;
    out[k] = value(o[k]);
  }
  return out;
}

const text = (v: unknown): Record<string, string> => record(v, str);
const any = (v: unknown): unknown => v;

/**
 * An object of exactly `fields` (in the schema's order; `required` names those that must be
 * there): the output has the present ones in that order, as zod's object builds it. Any other
 * own key makes it unknown (zod would strip it: its answer, not ours).
 */
function shape(v: unknown, fields: Fields, required: readonly string[]): Obj {
  const o = obj(v);
  let present = 0;
  const out: Obj = {};
  for (const k in fields) {
    if (!Object.hasOwn(o, k)) {
      if (required.includes(k)) throw UNKNOWN;
      continue;
    }
    out[k] = fields[k]!(o[k]);
    present++;
  }
  if (Object.keys(o).length !== present) throw UNKNOWN;
  return out;
}

/** Each object schema's fields in order and those it requires, by entry name (the test compares them with the zod schema's). */
export const KNOWN_SHAPES: Record<string, { fields: string[]; required: readonly string[] }> = {};

/** An object schema: its fields in order, and those it requires. */
const of = (name: string, fields: Fields, required: readonly string[]) => {
  KNOWN_SHAPES[name] = { fields: Object.keys(fields), required };
  return (v: unknown) => shape(v, fields, required);
};
const listOf = (item: (x: unknown) => unknown) => (x: unknown) => list(x, item);

const paymentMethod = of(
  'paymentMethod',
  { id: str, source: str, brand: str, last_four: str, balance: num },
  ['id', 'source'],
);
const customer = of(
  'customer',
  {
    user_id: str,
    name: str,
    email: str,
    address: text,
    payment_methods: listOf(paymentMethod),
    orders: listOf(str),
    ref: num,
    call: str,
  },
  ['user_id', 'ref'],
);
const orderItem = of('orderItem', { item_id: str, product_id: str, name: str, price: num, options: text }, [
  'item_id',
]);
const order = of(
  'order',
  {
    order_id: str,
    status: str,
    address: text,
    items: listOf(orderItem),
    payments: listOf(str),
    shipments: listOf(str),
    extra: text,
    ref: num,
    call: str,
  },
  ['order_id', 'ref'],
);
const variant = of('variant', { item_id: str, options: text, price: num, available: bool, stock: num }, [
  'item_id',
]);
const product = of(
  'product',
  {
    product_id: str,
    name: str,
    info: text,
    variants: listOf(variant),
    allVariants: bool,
    ref: num,
    call: str,
  },
  ['product_id', 'ref'],
);
const fact = of('fact', { key: str, text: str, ref: num, call: str }, ['key', 'text', 'ref']);
const proposal = of('proposal', { tool: str, args: (x) => record(x, any), ref: num }, [
  'tool',
  'args',
  'ref',
]);
const request = of('request', { id: str, text: str, ref: num, resolved: bool }, [
  'id',
  'text',
  'ref',
  'resolved',
]);
const literalOne = (v: unknown): 1 => {
  if (v !== 1) throw UNKNOWN;
  return 1;
};

const memory = of(
  'memory',
  {
    v: literalOne,
    seq: num,
    customer,
    orders: listOf(order),
    products: listOf(product),
    facts: listOf(fact),
    pending: listOf(proposal),
    done: listOf(fact),
    requests: listOf(request),
  },
  ['v', 'seq', 'orders', 'products', 'facts', 'pending', 'done', 'requests'],
);

/** What `WorkingMemory.parse(value)` returns, when `value` is exactly the known shape; else undefined. */
export function parseKnown(value: unknown): WorkingMemory | undefined {
  try {
    return memory(value) as unknown as WorkingMemory;
  } catch (e) {
    if (e === UNKNOWN) return undefined;
    throw e;
  }
}
