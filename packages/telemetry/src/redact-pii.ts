// Personal data must never reach a log line or a span unredacted, and what an SRE needs (order,
// item, product and payment-method ids, tracking numbers, amounts) must stay readable. Two layers:
// key names over structured data (`{email: …}` is personal whatever its value looks like) and the
// patterns of pii-patterns.ts over free text. A string that is a JSON document (a tool result) is
// redacted as structure, so an address object goes as a whole, city and state included.
import { currentKnownNames, redactKnownNames } from './known-names.ts';
import { TEXT_RULES } from './pii-patterns.ts';

export interface RedactOptions {
  /**
   * Names known to belong to the customer of the text's conversation (known-names.ts), redacted
   * wherever they appear, cue word or not. Default: those of the current job's async context.
   */
  names?: readonly string[];
}

// A Redis stream entry id (`1732412345678-0`) alone in a field is not a card number.
const STREAM_ENTRY_ID = /^\d{13}-\d{1,6}$/;
// Parse only what can be a JSON object or array, and not megabytes of it.
const MAX_JSON_CHARS = 1_000_000;

/** Replace personal data in free text by placeholders. Idempotent; safe on any string. */
export function redactPii(text: string, opts: RedactOptions = {}): string {
  if (text.length === 0 || STREAM_ENTRY_ID.test(text)) return text;
  const names = opts.names ?? currentKnownNames();
  const json = redactJsonText(text, names);
  if (json !== undefined) return json;
  let out = text;
  for (const rule of TEXT_RULES) out = 'apply' in rule ? rule.apply(out) : out.replace(rule.pattern, rule.replace as string);
  return redactKnownNames(out, names);
}

function redactJsonText(text: string, names: readonly string[]): string | undefined {
  const first = text.trimStart()[0];
  if ((first !== '{' && first !== '[') || text.length > MAX_JSON_CHARS) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  return JSON.stringify(redactDeep(parsed, { names }));
}

// Keys whose value is personal whatever it looks like; compared lower-case without _ and -.
const PII_KEYS = new Set([
  'email',
  'emailaddress',
  'phone',
  'phonenumber',
  'mobile',
  'address',
  'address1',
  'address2',
  'street',
  'zip',
  'zipcode',
  'postalcode',
  'firstname',
  'lastname',
  'fullname',
  'surname',
  'givenname',
  'lastfour',
  'last4',
  'card',
  'cardnumber',
  'pan',
  'cvv',
  'cvc',
  'iban',
  'password',
  'authorization',
  'apikey',
]);
const PII_KEY_SUFFIXES = ['email', 'phone', 'address', 'cardnumber', 'lastfour', 'firstname', 'lastname', 'fullname', 'customername'];
// In an object shaped like a postal address these go too; elsewhere `state` is a query's state.
const ADDRESS_PART_KEYS = new Set(['city', 'state', 'province', 'country', 'district']);

export function isPiiKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[_-]/g, '');
  return PII_KEYS.has(k) || PII_KEY_SUFFIXES.some((s) => k.endsWith(s));
}

const isAddressLike = (o: object): boolean => 'address1' in o || 'zip' in o || 'zipcode' in o || 'postal_code' in o;

export const REDACTED = '[REDACTED]';
const MAX_DEPTH = 12;

/**
 * A deep copy of `value` with PII keys replaced and every string passed through `redactPii`.
 * Errors become `{type, message, stack}` so their text is redacted too. Cycles are cut.
 */
export function redactDeep(value: unknown, opts: RedactOptions = {}): unknown {
  return deep(value, { names: opts.names ?? currentKnownNames() }, 0, new WeakSet());
}

function deep(value: unknown, opts: Required<RedactOptions>, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactPii(value, opts);
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH || seen.has(value)) return '[…]';
  seen.add(value);
  if (value instanceof Error) {
    const out: Record<string, unknown> = { type: value.name, message: redactPii(value.message, opts) };
    if (value.stack) out.stack = redactPii(value.stack, opts);
    for (const [k, v] of Object.entries(value)) out[k] = isPiiKey(k) ? REDACTED : deep(v, opts, depth + 1, seen);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => deep(v, opts, depth + 1, seen));
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  const addressLike = isAddressLike(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const personal = isPiiKey(k) || (addressLike && ADDRESS_PART_KEYS.has(k.toLowerCase()));
    out[k] = personal && v !== undefined && v !== null && v !== '' ? REDACTED : deep(v, opts, depth + 1, seen);
  }
  return out;
}
