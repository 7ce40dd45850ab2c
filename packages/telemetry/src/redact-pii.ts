// Personal data must never reach a log line or a span unredacted. Two layers: patterns over free
// text (a customer types their email into a message; a tool result echoes an address) and
// key names over structured data (`{email: …}` is personal whatever its value looks like).

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
// "last_four": "4242", last four 4242, card ending in 4242: four digits that identify a card.
const LAST_FOUR = /(last[_\s-]?(?:four|4)(?:\s*digits)?["'\s:=]*|ending\s+(?:in|with)\s*)\d{4}\b/gi;
// Chinese mobile numbers: 1[3-9] + 9 digits, optionally with +86 / 86.
const CN_MOBILE = /(?<![\d])(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?![\d])/g;
// Card numbers and any other 12–19 digit run (account numbers, IBAN digits), spaces/dashes allowed.
const LONG_DIGITS = /(?<![\d])\d(?:[\s-]?\d){11,18}(?![\d])/g;
// International numbers written with a + and at least 8 digits.
const INTL_PHONE = /(?<![\w+])\+\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){2,5}(?![\d])/g;
// North-American style: (415) 555-0134, 415-555-0134, 415.555.0134, 1-415-555-0134.
const NA_PHONE = /(?<![\d])(?:1[\s.-])?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?![\d])/g;
const STREET_WORDS =
  'Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|Parkway|Pkwy|Circle|Cir|Highway|Hwy|Square|Sq|Trail|Trl|Alley|Broadway';
// "123 Main Street", "4821 N. Oak Ave, Apt 5", "386 Broadway": a house number, up to four
// words, a street type.
const STREET = new RegExp(
  `(?<![\\w])\\d{1,6}[A-Za-z]?\\s+(?:[A-Za-z][A-Za-z'.-]*\\s+){0,4}(?:${STREET_WORDS})\\b\\.?(?:,?\\s*(?:Apt|Apartment|Suite|Ste|Unit|#)\\.?\\s*[\\w-]+)?`,
  'g',
);
// 上海市浦东新区世纪大道100号 / 中山路25号: a road name, a number, 号.
const CN_ADDRESS = /[\u4e00-\u9fa5]{0,16}(?:路|街|大道|巷|道)\d{1,5}(?:弄\d{1,5})?号(?:[\u4e00-\u9fa5\d]{0,12}(?:室|楼|栋|单元))?/g;
// Whatever a JSON field named like an address line holds, even without a street type.
const ADDRESS_FIELD = /("(?:address(?:_?line)?[12]?|street)"\s*:\s*")((?:[^"\\]|\\.)*)"/gi;
// A zip code that follows a redacted address within the same line ("…, Austin, TX 78701").
const ZIP_AFTER_ADDRESS = /(\[address\][^\n\d]{0,60}?)\b\d{5}(?:-\d{4})?\b/g;
// "zip": "78701", zip code 78701, postal code: 78701.
const ZIP_LABELLED = /((?:zip|postal)(?:[_\s-]?code)?["'\s:=]+)[A-Za-z0-9]{3,5}(?:[\s-][A-Za-z0-9]{3,4})?\b/gi;

// A Redis stream entry id (`1732412345678-0`) alone in a field is not a card number.
const STREAM_ENTRY_ID = /^\d{13}-\d{1,6}$/;

/** Replace personal data in free text by placeholders. Idempotent; safe on any string. */
export function redactPii(text: string): string {
  if (text.length === 0 || STREAM_ENTRY_ID.test(text)) return text;
  return text
    .replace(EMAIL, '[email]')
    .replace(LAST_FOUR, '$1[last4]')
    .replace(CN_MOBILE, '[phone]')
    .replace(INTL_PHONE, '[phone]')
    .replace(LONG_DIGITS, '[number]')
    .replace(NA_PHONE, '[phone]')
    .replace(ADDRESS_FIELD, (_m, label: string, value: string) => (value ? `${label}[address]"` : `${label}"`))
    .replace(STREET, '[address]')
    .replace(CN_ADDRESS, '[address]')
    .replace(ZIP_AFTER_ADDRESS, '$1[zip]')
    .replace(ZIP_LABELLED, '$1[zip]');
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
const PII_KEY_SUFFIXES = ['email', 'phone', 'address', 'cardnumber', 'lastfour'];

export function isPiiKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[_-]/g, '');
  return PII_KEYS.has(k) || PII_KEY_SUFFIXES.some((s) => k.endsWith(s));
}

export const REDACTED = '[REDACTED]';
const MAX_DEPTH = 12;

/**
 * A deep copy of `value` with PII keys replaced and every string passed through `redactPii`.
 * Errors become `{type, message, stack}` so their text is redacted too. Cycles are cut.
 */
export function redactDeep(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return redactPii(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH || seen.has(value)) return '[…]';
  seen.add(value);
  if (value instanceof Error) {
    const out: Record<string, unknown> = { type: value.name, message: redactPii(value.message) };
    if (value.stack) out.stack = redactPii(value.stack);
    for (const [k, v] of Object.entries(value)) out[k] = isPiiKey(k) ? REDACTED : redactDeep(v, depth + 1, seen);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1, seen));
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isPiiKey(k) && v !== undefined && v !== null ? REDACTED : redactDeep(v, depth + 1, seen);
  }
  return out;
}
