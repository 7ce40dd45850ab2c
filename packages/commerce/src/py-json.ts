// τ-bench tools answer with Python's `json.dumps(record)`. Reproducing those strings exactly
// needs two things plain JSON.stringify loses: Python's separators/escaping, and the difference
// between an int and a float with an integral value (`247.0` stays `247.0`, `14` stays `14`).
// Integral floats are therefore carried as PyFloat boxes; every other number is a plain number.

export class PyFloat {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}

/** A Python number: a plain JS number (int when integral) or a boxed integral float. */
export type PyNum = number | PyFloat;

export function num(v: unknown): number {
  if (v instanceof PyFloat) return v.value;
  if (typeof v === 'number') return v;
  throw new TypeError(`not a number: ${String(v)}`);
}

export function isPyFloat(v: unknown): boolean {
  return v instanceof PyFloat || (typeof v === 'number' && !Number.isInteger(v));
}

/** The result of float arithmetic: box it when it happens to be integral. */
export function asFloat(x: number): PyNum {
  return Number.isInteger(x) ? new PyFloat(x) : x;
}

/** Python's round(x, 2) on a float: exact decimal value of the double, ties to even. */
export function pyRound2(x: number): number {
  if (!Number.isFinite(x)) return x;
  // Ties at the third decimal only exist for doubles whose value is k/8 with k odd.
  const eighths = x * 8;
  if (Number.isInteger(eighths) && Math.abs(eighths) % 2 === 1 && Math.abs(x) < 2 ** 49) {
    const lower = Math.floor(x * 100);
    const pick = lower % 2 === 0 ? lower : lower + 1;
    return pick / 100;
  }
  if (Math.abs(x) >= 1e15) return x;
  const r = Number(x.toFixed(2));
  return r === 0 ? (Object.is(x, -0) || x < 0 ? -0 : 0) : r;
}

/** Python round(v, 2) keeping the int/float kind of v. */
export function pyRoundNum(v: PyNum): PyNum {
  if (typeof v === 'number' && Number.isInteger(v) && !Object.is(v, -0)) return v;
  return asFloat(pyRound2(num(v)));
}

/** Python's repr() of a float. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  // Fast path: in [1e-4, 1e16) both languages print the shortest round-trip digits in fixed notation.
  const ax = Math.abs(x);
  if (ax >= 1e-4 && ax < 1e16) return Number.isInteger(x) ? `${x}.0` : String(x);
  const [mant = '', expStr = '0'] = x.toExponential().split('e');
  const exp = Number(expStr);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  let out: string;
  if (exp >= -4 && exp < 16) {
    if (exp < 0) out = '0.' + '0'.repeat(-exp - 1) + digits;
    else if (digits.length > exp + 1) out = digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
    else out = digits + '0'.repeat(exp + 1 - digits.length) + '.0';
  } else {
    const m = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
    const e = Math.abs(exp) < 10 ? '0' + Math.abs(exp) : String(Math.abs(exp));
    out = `${m}e${exp < 0 ? '-' : '+'}${e}`;
  }
  return neg ? '-' + out : out;
}

/** Python json.dumps string escaping with ensure_ascii=True. */
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

export function pyString(s: string): string {
  // Fast path: most strings (ids, names, statuses) need no escaping at all.
  if (PLAIN_ASCII.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e) {
      if (c === 0x22) out += '\\"';
      else if (c === 0x5c) out += '\\\\';
      else out += s[i];
    } else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else out += '\\u' + c.toString(16).padStart(4, '0');
  }
  return out + '"';
}

function dumpNumber(v: number): string {
  return Number.isInteger(v) && !Object.is(v, -0) ? String(v) : pyFloatRepr(v);
}

/**
 * Python's json.dumps(value): `", "` and `": "` separators, ensure_ascii, float repr.
 * With `compact`, Python's separators=(",", ":") — used for storage, same number forms.
 */
export function pyDumps(value: unknown, compact = false): string {
  const comma = compact ? ',' : ', ';
  const colon = compact ? ':' : ': ';
  const walk = (v: unknown): string => {
    if (v === null || v === undefined) return 'null';
    if (v instanceof PyFloat) return pyFloatRepr(v.value);
    if (typeof v === 'number') return dumpNumber(v);
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'string') return pyString(v);
    if (Array.isArray(v)) return '[' + v.map(walk).join(comma) + ']';
    if (typeof v === 'object') {
      const parts: string[] = [];
      for (const [k, x] of Object.entries(v)) {
        if (x === undefined) continue;
        parts.push(pyString(k) + colon + walk(x));
      }
      return '{' + parts.join(comma) + '}';
    }
    return typeof v === 'bigint' ? v.toString() : 'null';
  };
  return walk(value);
}

interface ReviverContext {
  source?: string;
}

/** JSON.parse that keeps integral float literals (`247.0`, `1e3`) as PyFloat. */
export function parsePy<T = unknown>(text: string): T {
  return JSON.parse(text, function (this: unknown, _key: string, value: unknown, ctx?: ReviverContext) {
    if (typeof value === 'number' && Number.isInteger(value) && ctx?.source !== undefined && /[.eE]/.test(ctx.source)) {
      return new PyFloat(value);
    }
    return value;
  } as (this: unknown, key: string, value: unknown) => unknown) as T;
}

/** Replace PyFloat boxes by plain numbers (for JS consumers and exports). */
export function toPlain<T>(value: T): T {
  if (value instanceof PyFloat) return value.value as T;
  if (Array.isArray(value)) return value.map(toPlain) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(value)) out[k] = toPlain(x);
    return out as T;
  }
  return value;
}

/**
 * Re-serialise JSON text token by token into Python json.dumps form, keeping the key order of
 * the source even for numeric-looking keys (which a JS object would move to the front).
 */
export function reformatJsonText(text: string, compact = false): string {
  const comma = compact ? ',' : ', ';
  const colon = compact ? ':' : ': ';
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t') {
      i++;
    } else if (ch === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += pyString(JSON.parse(text.slice(i, j + 1)) as string);
      i = j + 1;
    } else if (ch === ',') {
      out += comma;
      i++;
    } else if (ch === ':') {
      out += colon;
      i++;
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      let j = i + 1;
      while (j < n && /[0-9eE.+-]/.test(text[j]!)) j++;
      const lit = text.slice(i, j);
      out += /[.eE]/.test(lit) ? pyFloatRepr(Number(lit)) : lit;
      i = j;
    } else if (text.startsWith('true', i) || text.startsWith('null', i)) {
      out += text.slice(i, i + 4);
      i += 4;
    } else if (text.startsWith('false', i)) {
      out += 'false';
      i += 5;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** Split a top-level JSON object's text into [key, valueText] pairs in source order. */
export function splitTopLevel(text: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  let i = text.indexOf('{') + 1;
  const n = text.length;
  const skipWs = (): void => {
    while (i < n && /\s/.test(text[i]!)) i++;
  };
  for (;;) {
    skipWs();
    if (text[i] === '}') break;
    if (text[i] !== '"') throw new SyntaxError(`expected a key at ${i}`);
    let j = i + 1;
    while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
    const key = JSON.parse(text.slice(i, j + 1)) as string;
    i = j + 1;
    skipWs();
    if (text[i] !== ':') throw new SyntaxError(`expected ':' at ${i}`);
    i++;
    skipWs();
    const start = i;
    let depth = 0;
    while (i < n) {
      const c = text[i]!;
      if (c === '"') {
        let k = i + 1;
        while (k < n && text[k] !== '"') k += text[k] === '\\' ? 2 : 1;
        i = k + 1;
        continue;
      }
      if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        if (depth === 0) break;
        depth--;
      } else if (c === ',' && depth === 0) break;
      i++;
    }
    pairs.push([key, text.slice(start, i).trim()]);
    skipWs();
    if (text[i] === ',') i++;
  }
  return pairs;
}

/** Python a + b: a float if either operand is a float. */
export function pyAdd(a: PyNum, b: PyNum): PyNum {
  const v = num(a) + num(b);
  return isPyFloat(a) || isPyFloat(b) ? asFloat(v) : v;
}

/** Python a - b. */
export function pySub(a: PyNum, b: PyNum): PyNum {
  const v = num(a) - num(b);
  return isPyFloat(a) || isPyFloat(b) ? asFloat(v) : v;
}

/** Python abs(x), keeping the kind. */
export function pyAbs(a: PyNum): PyNum {
  const v = Math.abs(num(a));
  return isPyFloat(a) ? asFloat(v) : v;
}
