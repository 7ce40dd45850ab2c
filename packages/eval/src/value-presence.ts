// Whether the values a model puts in an action were in the prompt it received. The prompt's
// text is the messages only (contents and earlier tool-call arguments); tool definitions are not
// a source of customer data (their examples would count as present), except for a value a tool's
// own description names as one of its choices (e.g. a cancel reason).

export interface PromptText {
  /** Lower-cased text of every message. */
  text: string;
  /** Every number written in it. */
  numbers: Set<number>;
}

interface WireLikeMessage {
  content?: unknown;
  tool_calls?: { function: { arguments?: string } }[] | undefined;
}

const NUMBER = /-?\d+(?:\.\d+)?/g;

export function promptText(messages: readonly WireLikeMessage[]): PromptText {
  const parts: string[] = [];
  for (const m of messages) {
    if (typeof m.content === 'string') parts.push(m.content);
    else if (Array.isArray(m.content))
      for (const p of m.content as { text?: string }[]) parts.push(p.text ?? '');
    for (const c of m.tool_calls ?? []) parts.push(c.function.arguments ?? '');
  }
  const text = parts.join('\n');
  return { text: text.toLowerCase(), numbers: new Set([...text.matchAll(NUMBER)].map((x) => Number(x[0]))) };
}

/** Free text the model writes itself: nothing in it has to come from the prompt. */
const FREE_TEXT_ARGS = new Set(['thought', 'summary']);

/** The atomic values of an argument that must come from the prompt, as [path, value]. */
export function argumentValues(args: Record<string, unknown>): [string, string | number][] {
  const out: [string, string | number][] = [];
  const walk = (path: string, v: unknown): void => {
    if (typeof v === 'string') {
      if (v.trim() !== '') out.push([path, v]);
    } else if (typeof v === 'number') out.push([path, v]);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(`${path}[${i}]`, x));
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) walk(path ? `${path}.${k}` : k, x);
  };
  for (const [k, v] of Object.entries(args)) {
    if (FREE_TEXT_ARGS.has(k)) continue;
    // An arithmetic expression is the model's own; the numbers in it are not.
    if (k === 'expression' && typeof v === 'string')
      for (const n of v.matchAll(NUMBER)) out.push([k, Number(n[0])]);
    else walk(k, v);
  }
  return out;
}

export function isPresent(value: string | number, p: PromptText, toolDefinition = ''): boolean {
  if (typeof value === 'number') return p.numbers.has(value) || p.text.includes(String(value));
  const v = value.toLowerCase();
  if (p.text.includes(v)) return true;
  if (/^-?\d+(?:\.\d+)?$/.test(v) && p.numbers.has(Number(v))) return true;
  // A choice the tool's description spells out in quotes ('no longer needed').
  return toolDefinition.toLowerCase().includes(`'${v}'`);
}
