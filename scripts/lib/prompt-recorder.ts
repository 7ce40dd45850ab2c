// A pass-through HTTP proxy between the pipeline and the model endpoint that keeps, per
// conversation, every prompt the model received and the tool calls it answered with. The token
// benchmark uses it to check a turn against the prompt itself instead of trusting the offline
// model's answer: sim-llm may reach past its prompt (it knows the shop), a real model may not.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { parseArguments, readBody } from '@steward/eval';

const WireRequest = z.object({
  messages: z.array(
    z.object({
      content: z.union([z.string(), z.array(z.object({ text: z.string().optional() })), z.null()]).optional(),
      tool_calls: z.array(z.object({ function: z.object({ name: z.string(), arguments: z.string().default('') }) })).optional(),
    }),
  ),
  tools: z.array(z.object({ function: z.object({ name: z.string() }) })).optional(),
});

const WireReply = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullish(),
          tool_calls: z.array(z.object({ function: z.object({ name: z.string(), arguments: z.string().default('') }) })).nullish(),
        }),
      }),
    )
    .min(1),
});

export interface RecordedCall {
  /** Every message's text and every earlier tool call's arguments, as the model received them. */
  prompt: string;
  /** Names of the tools offered with the request. */
  offered: string[];
  /** The tool calls the model answered with (none: it answered in words). */
  calls: { name: string; args: Record<string, unknown> }[];
  /** The model's text reply. */
  text: string;
}

export interface PromptRecorder {
  /** Base URL for the pipeline's LLM client (`…/v1`). */
  baseUrl: string;
  /** The calls recorded for a key so far, oldest first. */
  calls(key: string): readonly RecordedCall[];
  close(): Promise<void>;
}

/**
 * `keyOf` names the conversation a prompt belongs to (e.g. the customer id in the system
 * message); prompts it cannot place are forwarded and not recorded.
 */
export async function startPromptRecorder(upstreamBaseUrl: string, keyOf: (prompt: string) => string | undefined): Promise<PromptRecorder> {
  const byKey = new Map<string, RecordedCall[]>();
  const target = `${upstreamBaseUrl.replace(/\/$/, '')}/chat/completions`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const up = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json', authorization: req.headers.authorization ?? '' }, body });
    const answer = await up.text();
    if (up.ok) record(body, answer);
    res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' }).end(answer);
  }

  function record(body: string, answer: string): void {
    const req = WireRequest.safeParse(JSON.parse(body));
    const out = WireReply.safeParse(JSON.parse(answer));
    if (!req.success || !out.success) return;
    const parts: string[] = [];
    for (const m of req.data.messages) {
      if (typeof m.content === 'string') parts.push(m.content);
      else if (Array.isArray(m.content)) parts.push(m.content.map((p) => p.text ?? '').join(''));
      for (const c of m.tool_calls ?? []) parts.push(c.function.arguments);
    }
    const prompt = parts.join('\n');
    const key = keyOf(prompt);
    if (key === undefined) return;
    const message = out.data.choices[0]!.message;
    const calls = (message.tool_calls ?? []).map((c) => ({ name: c.function.name, args: parseArguments(c.function.arguments) }));
    const list = byKey.get(key) ?? [];
    list.push({ prompt, offered: (req.data.tools ?? []).map((t) => t.function.name), calls, text: message.content ?? '' });
    byKey.set(key, list);
  }

  const server = createServer((req, res) => {
    if (req.method !== 'POST' || !(req.url ?? '').endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'no route', type: 'invalid_request_error' } }));
      return;
    }
    handle(req, res).catch((e: unknown) => {
      res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `prompt recorder: upstream failed (retryable): ${(e as Error).message}`, type: 'server_error' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    calls: (key) => byKey.get(key) ?? [],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
