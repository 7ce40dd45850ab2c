// A chat.completion sent as OpenAI streams it (`stream: true`): server-sent events of
// chat.completion.chunk objects — the role first, then the text in small pieces, each tool call
// opened with its id and name and its arguments in pieces, the finish reason, the usage chunk
// (only with `stream_options.include_usage`), then `data: [DONE]`.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerResponse } from 'node:http';
import type { ChatCompletion } from './respond.ts';

/** Text pieces of about this many characters: roughly one token each. */
const PIECE = 4;

function pieces(s: string): string[] {
  const out: string[] = [];
  // Split after spaces where possible, so pieces look like tokens.
  for (let i = 0; i < s.length; ) {
    let end = Math.min(s.length, i + PIECE);
    const space = s.indexOf(' ', i + 1);
    if (space > 0 && space < i + PIECE * 2) end = space + 1;
    out.push(s.slice(i, end));
    i = end;
  }
  return out;
}

export function completionChunks(c: ChatCompletion, includeUsage: boolean): unknown[] {
  const choice = c.choices[0]!;
  const base = { id: c.id, object: 'chat.completion.chunk', created: c.created, model: c.model, system_fingerprint: c.system_fingerprint };
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  const out: unknown[] = [chunk({ role: 'assistant', content: '', refusal: null })];
  for (const p of pieces(choice.message.content ?? '')) out.push(chunk({ content: p }));
  for (const [index, tc] of (choice.message.tool_calls ?? []).entries()) {
    out.push(chunk({ tool_calls: [{ index, id: tc.id, type: 'function', function: { name: tc.function.name, arguments: '' } }] }));
    for (const p of pieces(tc.function.arguments)) out.push(chunk({ tool_calls: [{ index, function: { arguments: p } }] }));
  }
  out.push(chunk({}, choice.finish_reason));
  if (includeUsage) out.push({ ...base, choices: [], usage: c.usage });
  return out;
}

/** Writes the chunks, `gapMs` apart; stops quietly if the client went away. */
export async function writeStream(res: ServerResponse, chunks: readonly unknown[], gapMs: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  for (const [i, c] of chunks.entries()) {
    if (res.destroyed) return;
    if (i > 0 && gapMs > 0) await sleep(gapMs);
    res.write(`data: ${JSON.stringify(c)}\n\n`);
  }
  if (!res.destroyed) res.end('data: [DONE]\n\n');
}
