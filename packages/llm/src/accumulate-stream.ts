// The chunks of a streamed chat completion (`stream: true`), folded back into the body a
// non-streamed call would have returned, so that one normaliser reads both. Tool-call pieces
// are joined by their `index`; servers that send each call whole (Ollama) or without an index
// are handled too. Usage arrives in a last chunk with no choices (`stream_options.include_usage`).
import type { WireCompletion, WireMessage } from './wire-completion.ts';

export type StreamDelta =
  /** Text of the reply, as it is generated. */
  | { kind: 'content'; text: string }
  /** The reply turned out to call tools: any text shown so far was not an answer. */
  | { kind: 'tool_call' };

interface ToolCallAcc {
  id?: string;
  name: string;
  arguments: string | Record<string, unknown>;
}

/**
 * The non-streamed body a stream amounts to: WireCompletion's shape, each field checked as it
 * was read from its chunk, except `usage`, kept as the server sent it (normalizeStreamed parses it).
 */
export type StreamedBody = Omit<WireCompletion, 'usage'> & { usage?: unknown };

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export class StreamAccumulator {
  chunks = 0;
  /** Milliseconds from the start of the call to the first generated token (text, reasoning or tool call). */
  firstTokenAtMs: number | undefined;
  private content = '';
  private sawContent = false;
  private reasoning = '';
  private refusal = '';
  private readonly calls: ToolCallAcc[] = [];
  private finishReason: string | undefined;
  private model: string | undefined;
  private usage: unknown;
  private announcedToolCall = false;

  private readonly now: () => number;
  private readonly onDelta: ((d: StreamDelta) => void) | undefined;

  constructor(now: () => number, onDelta?: (d: StreamDelta) => void) {
    this.now = now;
    this.onDelta = onDelta;
  }

  push(chunk: unknown): void {
    const c = obj(chunk);
    if (!c) return;
    this.chunks++;
    this.model ??= str(c.model);
    if (obj(c.usage)) this.usage = c.usage;
    const choice = Array.isArray(c.choices) ? obj(c.choices[0]) : undefined;
    if (!choice) return;
    const fr = str(choice.finish_reason);
    if (fr) this.finishReason = fr;
    const d = obj(choice.delta) ?? obj(choice.message);
    if (!d) return;
    const text = str(d.content);
    const thinking = str(d.reasoning_content) ?? str(d.reasoning);
    if (thinking) {
      this.reasoning += thinking;
      this.markFirstToken();
    }
    if (str(d.refusal)) this.refusal += str(d.refusal);
    if (text) {
      this.content += text;
      this.sawContent = true;
      this.markFirstToken();
      this.onDelta?.({ kind: 'content', text });
    }
    // Most chunks carry text only: no empty list per chunk for their absent tool calls.
    if (Array.isArray(d.tool_calls)) for (const raw of d.tool_calls as unknown[]) this.addToolCall(obj(raw));
  }

  private markFirstToken(): void {
    this.firstTokenAtMs ??= this.now();
  }

  private addToolCall(tc: Obj | undefined): void {
    if (!tc) return;
    this.markFirstToken();
    if (!this.announcedToolCall) {
      this.announcedToolCall = true;
      this.onDelta?.({ kind: 'tool_call' });
    }
    const fn = obj(tc.function) ?? {};
    const index = typeof tc.index === 'number' ? tc.index : undefined;
    const id = str(tc.id);
    // Without an index, a piece belongs to the call with its id, or starts a new call when it names a function.
    let acc = index !== undefined ? this.calls[index] : id ? this.calls.find((x) => x.id === id) : str(fn.name) ? undefined : this.calls.at(-1);
    if (!acc) {
      acc = { name: '', arguments: '' };
      if (index !== undefined) this.calls[index] = acc;
      else this.calls.push(acc);
    }
    if (id) acc.id = id;
    if (str(fn.name)) acc.name += str(fn.name);
    const args = fn.arguments;
    if (typeof args === 'string') acc.arguments = typeof acc.arguments === 'string' ? acc.arguments + args : args;
    else if (obj(args)) acc.arguments = obj(args)!;
  }

  /** The equivalent non-streamed response body, for normalizeStreamed (or normalizeCompletion). */
  result(): StreamedBody {
    const toolCalls = this.calls
      .filter((c): c is ToolCallAcc => c !== undefined)
      .map((c) => ({ ...(c.id ? { id: c.id } : {}), type: 'function', function: { name: c.name, arguments: c.arguments } }));
    const message: WireMessage = { role: 'assistant', content: this.sawContent ? this.content : null };
    if (this.reasoning) message.reasoning_content = this.reasoning;
    if (this.refusal) message.refusal = this.refusal;
    if (toolCalls.length) message.tool_calls = toolCalls;
    return {
      ...(this.model ? { model: this.model } : {}),
      // No chunk at all, or only a usage chunk: an empty `choices`, as the normaliser reports it.
      choices: this.chunks === 0 || (!this.sawContent && !toolCalls.length && !this.reasoning && !this.refusal && !this.finishReason) ? [] : [{ index: 0, message, finish_reason: this.finishReason ?? null }],
      ...(this.usage ? { usage: this.usage } : {}),
    };
  }
}
