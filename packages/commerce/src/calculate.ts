// τ-bench's `calculate` evaluates the expression as Python would (ints are exact, `/` is true
// division, `//` floors, `**` is power) and answers str(round(float(value), 2)). We parse the
// same tiny grammar ourselves: no eval, so nothing but arithmetic can ever run.
import { pyFloatRepr, pyRound2 } from './py-json.ts';

type Val = { int: bigint } | { float: number };

class CalcError extends Error {}

const SYNTAX = 'invalid syntax (<string>, line 1)';
/** Python would compute 9**9**9 for minutes; we refuse exponents past this many bits. */
const MAX_INT_BITS = 4096;

function toFloat(v: Val): number {
  if ('float' in v) return v.float;
  const f = Number(v.int);
  if (!Number.isFinite(f)) throw new CalcError('int too large to convert to float');
  return f;
}

function floorDivFloat(a: number, b: number): number {
  if (b === 0) throw new CalcError('float floor division by zero');
  return Math.floor(a / b);
}

function binary(op: string, a: Val, b: Val): Val {
  if ('int' in a && 'int' in b) {
    const x = a.int;
    const y = b.int;
    switch (op) {
      case '+':
        return { int: x + y };
      case '-':
        return { int: x - y };
      case '*':
        return { int: x * y };
      case '/': {
        if (y === 0n) throw new CalcError('division by zero');
        return { float: Number(x) / Number(y) };
      }
      case '//': {
        if (y === 0n) throw new CalcError('integer division or modulo by zero');
        const q = x / y;
        return { int: (x % y !== 0n && (x < 0n) !== (y < 0n)) ? q - 1n : q };
      }
      case '**': {
        if (y < 0n) {
          if (x === 0n) throw new CalcError('0.0 cannot be raised to a negative power');
          return { float: Math.pow(Number(x), Number(y)) };
        }
        const bits = x === 0n || x === 1n || x === -1n ? 0 : x.toString(2).length * Number(y);
        if (bits > MAX_INT_BITS) throw new CalcError('exponent too large');
        return { int: x ** y };
      }
    }
  }
  const x = toFloat(a);
  const y = toFloat(b);
  switch (op) {
    case '+':
      return { float: x + y };
    case '-':
      return { float: x - y };
    case '*':
      return { float: x * y };
    case '/':
      if (y === 0) throw new CalcError('float division by zero');
      return { float: x / y };
    case '//':
      return { float: floorDivFloat(x, y) };
    case '**': {
      if (x === 0 && y < 0) throw new CalcError('0.0 cannot be raised to a negative power');
      if (x < 0 && !Number.isInteger(y)) throw new CalcError("float() argument must be a string or a real number, not 'complex'");
      const r = Math.pow(x, y);
      if (!Number.isFinite(r)) throw new CalcError('(34, \'Numerical result out of range\')');
      return { float: r };
    }
  }
  throw new CalcError(SYNTAX);
}

function tokenize(src: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ') {
      i++;
    } else if ((c >= '0' && c <= '9') || c === '.') {
      const m = /^(\d+\.?\d*|\.\d+)/.exec(src.slice(i));
      if (!m) throw new CalcError(SYNTAX);
      tokens.push(m[0]);
      i += m[0].length;
    } else if (c === '*' || c === '/') {
      if (src[i + 1] === c) {
        tokens.push(c + c);
        i += 2;
      } else {
        tokens.push(c);
        i++;
      }
    } else {
      tokens.push(c);
      i++;
    }
  }
  return tokens;
}

/** Recursive descent over Python's precedence: + - < * / // < unary < **. */
function parse(tokens: string[]): Val {
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  const expr = (): Val => {
    let v = term();
    while (peek() === '+' || peek() === '-') {
      const op = tokens[pos++]!;
      v = binary(op, v, term());
    }
    return v;
  };
  const term = (): Val => {
    let v = unary();
    while (peek() === '*' || peek() === '/' || peek() === '//') {
      const op = tokens[pos++]!;
      v = binary(op, v, unary());
    }
    return v;
  };
  const unary = (): Val => {
    const t = peek();
    if (t === '-' || t === '+') {
      pos++;
      const v = unary();
      if (t === '+') return v;
      return 'int' in v ? { int: -v.int } : { float: -v.float };
    }
    return power();
  };
  const power = (): Val => {
    const base = atom();
    if (peek() === '**') {
      pos++;
      return binary('**', base, unary());
    }
    return base;
  };
  const atom = (): Val => {
    const t = tokens[pos++];
    if (t === undefined) throw new CalcError(SYNTAX);
    if (t === '(') {
      if (peek() === ')') throw new CalcError("float() argument must be a string or a real number, not 'tuple'");
      const v = expr();
      if (tokens[pos++] !== ')') throw new CalcError(SYNTAX);
      return v;
    }
    if (/^[\d.]/.test(t)) {
      // A number directly followed by another number ("1 2") is a syntax error in Python.
      if (peek() !== undefined && /^[\d.(]/.test(peek()!)) throw new CalcError(SYNTAX);
      if (t.includes('.')) return { float: Number(t) };
      if (/^0\d/.test(t) && /[1-9]/.test(t)) {
        throw new CalcError('leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers (<string>, line 1)');
      }
      return { int: BigInt(t) };
    }
    throw new CalcError(SYNTAX);
  };
  const v = expr();
  if (pos !== tokens.length) throw new CalcError(SYNTAX);
  return v;
}

export function calculate(expression: string): string {
  if (![...expression].every((c) => '0123456789+-*/(). '.includes(c))) {
    return 'Error: invalid characters in expression';
  }
  // Python's own wording for the two most common malformed inputs.
  if (expression.trim() === '') return 'Error: invalid syntax (<string>, line 0)';
  const opens = [...expression].filter((c) => c === '(').length;
  const closes = [...expression].filter((c) => c === ')').length;
  if (opens > closes) return "Error: '(' was never closed (<string>, line 1)";
  if (closes > opens) return "Error: unmatched ')' (<string>, line 1)";
  try {
    const v = parse(tokenize(expression));
    return pyFloatRepr(pyRound2(toFloat(v)));
  } catch (e) {
    if (e instanceof CalcError) return `Error: ${e.message}`;
    throw e;
  }
}
