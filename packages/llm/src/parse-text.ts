// Parses the ReAct text format (Thought / Action / Action Input / Final Answer) into a
// Proposal. Never throws: whatever cannot be understood becomes `malformed` with an error that
// tells the model what to change, which the controller sends back on the next turn.
import { DEFAULTS, type Proposal, type ProposedCall } from '@steward/core';
import { extractJsonObject } from './json-extract.ts';
import { formatReminder } from './text-format.ts';

export interface TextParseOptions {
  /** Prefix of the ids given to calls (`{prefix}_0`…); make it unique per turn, e.g. `t3`. */
  idPrefix?: string;
  /** A reply with no markers at all is taken as the answer (default); false → malformed. */
  lenient?: boolean;
  maxCalls?: number;
}

type Marker = 'thought' | 'action' | 'input' | 'final' | 'observation';
interface Segment {
  marker: Marker | 'preamble';
  text: string;
}

const MARKER_LINE = /^\s*(?:\*\*)?\s*(thought|action input|action|final answer|observation)\s*(?:\*\*)?\s*[:：]\s*(?:\*\*)?\s?/i;
const TOOL_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

const MARKERS: Record<string, Marker> = {
  thought: 'thought',
  action: 'action',
  'action input': 'input',
  'final answer': 'final',
  observation: 'observation',
};

function segments(text: string): Segment[] {
  const out: Segment[] = [{ marker: 'preamble', text: '' }];
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    const m = MARKER_LINE.exec(line);
    if (m) out.push({ marker: MARKERS[m[1]!.toLowerCase()]!, text: line.slice(m[0].length) });
    else out[out.length - 1]!.text += (out[out.length - 1]!.text ? '\n' : '') + line;
  }
  return out.filter((s) => s.marker !== 'preamble' || s.text.trim() !== '');
}

function malformed(error: string, raw: string): Proposal {
  return { kind: 'malformed', error: `${error}\n${formatReminder()}`, raw: raw.slice(0, 4_000) };
}

export function parseTextReply(text: string, opts: TextParseOptions = {}): Proposal {
  try {
    return parse(text, opts);
  } catch (e) {
    return malformed(`Your reply could not be read (${(e as Error).message}).`, text);
  }
}

function parse(text: string, opts: TextParseOptions): Proposal {
  if (text.trim() === '') return malformed('Your reply was empty.', text);
  let segs = segments(text);
  // Everything from the first Observation on was invented by the model: results come from us.
  const obs = segs.findIndex((s) => s.marker === 'observation');
  if (obs >= 0) segs = segs.slice(0, obs);
  const thoughtText = segs
    .filter((s) => s.marker === 'thought' || s.marker === 'preamble')
    .map((s) => s.text.trim())
    .filter(Boolean)
    .join('\n');
  const thought = thoughtText === '' ? {} : { thought: thoughtText };
  const hasMarker = segs.some((s) => s.marker !== 'preamble');
  const finalIdx = segs.findIndex((s) => s.marker === 'final');
  const actionIdx = segs.findIndex((s) => s.marker === 'action');

  if (actionIdx >= 0 && finalIdx >= 0) {
    return malformed('Your reply had both an Action and a Final Answer. Write either one or more Actions (and then stop), or a Final Answer.', text);
  }
  if (finalIdx >= 0) {
    const answer = segs
      .slice(finalIdx)
      .map((s) => s.text)
      .join('\n')
      .trim();
    if (answer === '') return malformed('Your Final Answer was empty.', text);
    return { kind: 'answer', answer, ...thought };
  }
  if (actionIdx >= 0) return parseActions(segs, text, opts, thought);
  if (segs.some((s) => s.marker === 'input')) return malformed('Your reply had an Action Input but no Action line naming the tool.', text);
  if (!hasMarker && opts.lenient !== false) return { kind: 'answer', answer: text.trim() };
  return malformed('Your reply had no Action and no Final Answer.', text);
}

function parseActions(segs: Segment[], raw: string, opts: TextParseOptions, thought: { thought?: string }): Proposal {
  const calls: ProposedCall[] = [];
  const prefix = opts.idPrefix ?? 'txt';
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    if (seg.marker !== 'action') continue;
    const body = seg.text.trim();
    const m = /^[`'"]?([^\s|({`'"]+)[`'"]?\s*(?:\(\s*\)\s*)?([\s\S]*)$/.exec(body);
    const name = m?.[1]?.replace(/[:.]+$/, '') ?? '';
    if (!TOOL_NAME.test(name)) {
      return malformed(`The Action line "${body.slice(0, 80)}" does not start with a tool name.`, raw);
    }
    let argsText = (m?.[2] ?? '').trim().replace(/^\|\s*/, '');
    if (argsText.startsWith('(') && argsText.endsWith(')')) argsText = argsText.slice(1, -1);
    const next = segs[i + 1];
    if (argsText === '' && next?.marker === 'input') argsText = next.text.trim();
    const args = extractJsonObject(argsText);
    if (!args.ok) {
      return malformed(
        `The arguments of Action ${name} are not a valid JSON object (${args.error}). Write them as one JSON object, e.g. Action: ${name} | {"order_id": "#W0000000"}.`,
        raw,
      );
    }
    calls.push({ id: `${prefix}_${calls.length}`, name, arguments: args.value });
  }
  const max = opts.maxCalls ?? DEFAULTS.maxToolCallsPerTurn;
  if (calls.length > max) return malformed(`Your reply had ${calls.length} Actions; at most ${max} are allowed in one reply.`, raw);
  return { kind: 'tool_calls', calls, ...thought };
}
