// `--model env` with the same measurement as the scripted double: a pass-through proxy between
// the pipeline and the configured model that records, for every tool call the model makes,
// whether each argument value was in the prompt it was sent (a value from nowhere is a guess)
// and whether the tool was offered. Requests and answers are forwarded unchanged.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { ChatWireRequest, parseArguments } from './chat-request.ts';
import type { ChatEndpoint } from './env-customer.ts';
import { missingValues, type SeenPrompt } from './missing-values.ts';
import type { ActionRecord, SlotRecord } from './scripted-model.ts';
import { readBody } from './read-body.ts';
import { promptText } from './value-presence.ts';

const ModelReply = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          tool_calls: z
            .array(z.object({ function: z.object({ name: z.string(), arguments: z.string().default('') }) }))
            .nullish(),
        }),
      }),
    )
    .min(1),
});

export interface RecordingProxy {
  url: string;
  baseUrlFor(slot: string): string;
  begin(slot: string): void;
  nextQuery(slot: string): void;
  finish(slot: string): SlotRecord;
  close(): Promise<void>;
}

interface ProxySlot {
  query: number;
  calls: number;
  seen: SeenPrompt[];
  actions: ActionRecord[];
}

export async function startRecordingProxy(upstream: ChatEndpoint): Promise<RecordingProxy> {
  const slots = new Map<string, ProxySlot>();
  const target = `${upstream.baseUrl.replace(/\/$/, '')}/chat/completions`;
  const server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) =>
      reply(
        res,
        502,
        JSON.stringify({
          error: {
            message: `eval proxy: upstream failed (retryable): ${(e as Error).message}`,
            type: 'server_error',
          },
        }),
      ),
    );
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const m = /^\/slot\/([^/]+)\/v1\/chat\/completions$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !m)
      return reply(
        res,
        404,
        JSON.stringify({ error: { message: 'no route', type: 'invalid_request_error' } }),
      );
    const body = await readBody(req);
    const up = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${upstream.apiKey}` },
      body,
    });
    const text = await up.text();
    const slot = slots.get(decodeURIComponent(m[1]!));
    if (slot && up.ok) record(slot, body, text);
    reply(res, up.status, text, up.headers.get('retry-after'));
  }

  function record(s: ProxySlot, body: string, answer: string): void {
    const req = ChatWireRequest.safeParse(JSON.parse(body));
    const out = ModelReply.safeParse(JSON.parse(answer));
    if (!req.success || !out.success) return;
    const call = s.calls++;
    s.seen.push({ query: s.query, prompt: promptText(req.data.messages) });
    const defs = new Map((req.data.tools ?? []).map((t) => [t.function.name, JSON.stringify(t.function)]));
    for (const c of out.data.choices[0]!.message.tool_calls ?? []) {
      const args = parseArguments(c.function.arguments);
      s.actions.push({
        query: s.query,
        call,
        tool: c.function.name,
        purpose: 'model',
        offered: defs.has(c.function.name),
        missing: missingValues(args, s.seen, defs.get(c.function.name) ?? ''),
      });
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const slotOf = (slot: string): ProxySlot => {
    const s = slots.get(slot);
    if (!s) throw new Error(`no task on slot ${slot}`);
    return s;
  };
  return {
    url,
    baseUrlFor: (slot) => `${url}/slot/${encodeURIComponent(slot)}/v1`,
    begin(slot) {
      slots.set(slot, { query: -1, calls: 0, seen: [], actions: [] });
    },
    nextQuery(slot) {
      slotOf(slot).query++;
    },
    finish(slot) {
      const s = slotOf(slot);
      slots.delete(slot);
      return { actions: s.actions, offScript: 0, calls: s.calls };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function reply(res: ServerResponse, status: number, body: string, retryAfter?: string | null): void {
  res
    .writeHead(status, {
      'content-type': 'application/json',
      ...(retryAfter ? { 'retry-after': retryAfter } : {}),
    })
    .end(body);
}
