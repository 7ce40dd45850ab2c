// Which streamed text is the customer's answer. A native reply is the answer unless it turns
// into tool calls (then what was shown is withdrawn); a text-format reply is the answer only
// after `Final Answer:`; a JSON-mode reply only inside its "answer" string. Reasoning never
// reaches here (the accumulator keeps it apart).
import type { StreamDelta } from './accumulate-stream.ts';
import type { ToolCallStyle } from './parse-native.ts';

export type AnswerStreamEvent = { kind: 'text'; text: string } | { kind: 'reset' };

const FINAL = /(?:^|\n)\s*(?:\*\*)?\s*final answer\s*(?:\*\*)?\s*[:：]\s*(?:\*\*)?\s?/i;
const ACTION = /(?:^|\n)\s*(?:\*\*)?\s*action\s*(?:\*\*)?\s*[:：]/i;
const TEXT_START = /^\s*(?:\*\*)?\s*(thought|action|final answer)\b/i;
const TOOL_TAG = '<tool_call>';
const JSON_ANSWER = /"answer"\s*:\s*"/;

/** Feed it the stream's deltas; it calls `emit` with the answer's text as it grows. */
export function answerStreamFilter(style: ToolCallStyle, emit: (e: AnswerStreamEvent) => void): (d: StreamDelta) => void {
  let raw = '';
  let sent = 0; // characters of the answer already emitted
  let stopped = false;
  let mode: 'native' | 'text' | 'json' | undefined = style === 'native' ? undefined : style;

  const withdraw = () => {
    if (sent > 0) emit({ kind: 'reset' });
    stopped = true;
  };
  const send = (answer: string) => {
    if (answer.length > sent) {
      emit({ kind: 'text', text: answer.slice(sent) });
      sent = answer.length;
    }
  };

  return (d) => {
    if (stopped) return;
    if (d.kind === 'tool_call') return withdraw();
    raw += d.text;
    // A native model may still answer in the text format: decide once the start is visible.
    if (mode === undefined) {
      if (raw.trim().length < 12 && !raw.includes('\n')) return;
      mode = TEXT_START.test(raw) ? 'text' : 'native';
    }
    if (mode === 'native') {
      const tag = raw.indexOf(TOOL_TAG);
      if (tag >= 0) return withdraw();
      // Hold back a tail that could be the start of `<tool_call>`.
      const lt = raw.lastIndexOf('<');
      const hold = lt >= 0 && TOOL_TAG.startsWith(raw.slice(lt)) ? raw.length - lt : 0;
      return send(raw.slice(0, raw.length - hold));
    }
    if (mode === 'text') {
      const m = FINAL.exec(raw);
      if (!m) return;
      if (ACTION.test(raw.slice(0, m.index))) return void (stopped = true);
      return send(raw.slice(m.index + m[0].length));
    }
    const m = JSON_ANSWER.exec(raw);
    if (m) send(readJsonString(raw.slice(m.index + m[0].length)));
  };
}

/** The decoded prefix of a JSON string body, up to its closing quote or the last complete escape. */
function readJsonString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"') break;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = s[i + 1];
    if (e === undefined) break;
    if (e === 'u') {
      const hex = s.slice(i + 2, i + 6);
      if (hex.length < 4) break;
      out += String.fromCharCode(parseInt(hex, 16));
      i += 5;
      continue;
    }
    out += ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' } as Record<string, string>)[e] ?? e;
    i++;
  }
  return out;
}
