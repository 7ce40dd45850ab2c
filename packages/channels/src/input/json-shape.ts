/**
 * Depth and size of a JSON text, measured on the raw bytes before JSON.parse so that a hostile
 * body (a million nested brackets, a million tiny keys) is refused without allocating it.
 * Fields = keys plus array elements, counted as the `:` and `,` outside strings (plus one).
 */
export type ShapeVerdict = { ok: true } | { ok: false; code: 'json_too_deep' | 'too_many_fields'; message: string };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJ = 0x7b;
const OPEN_ARR = 0x5b;
const CLOSE_OBJ = 0x7d;
const CLOSE_ARR = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

export function checkJsonShape(buf: Uint8Array, maxDepth: number, maxFields: number): ShapeVerdict {
  let depth = 0;
  let fields = 1;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i]!;
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    switch (c) {
      case QUOTE:
        inString = true;
        break;
      case OPEN_OBJ:
      case OPEN_ARR:
        if (++depth > maxDepth) return { ok: false, code: 'json_too_deep', message: `JSON nesting deeper than ${maxDepth}` };
        break;
      case CLOSE_OBJ:
      case CLOSE_ARR:
        depth--;
        break;
      case COLON:
      case COMMA:
        if (++fields > maxFields) return { ok: false, code: 'too_many_fields', message: `more than ${maxFields} JSON fields` };
        break;
    }
  }
  return { ok: true };
}
