// The scripted model: an OpenAI-compatible chat-completions server that replays each task's
// script (script-plan.ts). It is a TEST DOUBLE, not AI. Its point is what it records: for every
// action, whether each argument value was in the prompt the pipeline sent it (and, when not,
// where it had last been seen) and whether the tool was offered in that request. It uses the
// script's values either way, so the end state shows the pipeline's execution and the records
// show what a model with nothing but its prompt would have lacked.
//
// One model serves many pipelines at once: each runs one task at a time and talks to its own
// base URL, `/slot/<id>/v1`, so requests never have to say which task they belong to.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { countTokens } from '@steward/context';
import { ChatWireRequest, contentText } from './chat-request.ts';
import type { CallPurpose, ScriptStep } from './script-plan.ts';
import { causeOf, missingValues, type MissingValue, type SeenPrompt } from './missing-values.ts';
import { readBody } from './read-body.ts';
import { isPresent, promptText } from './value-presence.ts';

export type { MissingCause, MissingValue } from './missing-values.ts';

export const SCRIPTED_MODEL_NAME = 'steward-eval-scripted';
const ENCODING_MODEL = 'gpt-4o';

export interface ActionRecord {
  query: number;
  call: number;
  tool: string;
  /** The script's purpose of the call; 'model' = a real model's own call (recording proxy). */
  purpose: CallPurpose | 'answer' | 'model';
  offered: boolean;
  missing: MissingValue[];
}

export interface SlotRecord {
  actions: ActionRecord[];
  /** Requests answered after the script had ended (the pipeline asked for more than the task needs). */
  offScript: number;
  calls: number;
}

interface SlotState extends SlotRecord {
  steps: ScriptStep[];
  cursor: number;
  query: number;
  seen: SeenPrompt[];
  lastKey?: string;
  lastReply?: string;
}

export interface ScriptedModel {
  url: string;
  /** The OpenAI base URL one pipeline uses. */
  baseUrlFor(slot: string): string;
  begin(slot: string, steps: ScriptStep[]): void;
  /** The customer is about to send a new message (a new query). */
  nextQuery(slot: string): void;
  finish(slot: string): SlotRecord;
  close(): Promise<void>;
}

export async function startScriptedModel(
  opts: { port?: number; host?: string } = {},
): Promise<ScriptedModel> {
  const slots = new Map<string, SlotState>();
  const server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) =>
      send(res, 500, {
        error: { message: `scripted model failed: ${(e as Error).message}`, type: 'server_error' },
      }),
    );
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const m = /^\/slot\/([^/]+)\/v1\/chat\/completions$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !m)
      return send(res, 404, {
        error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' },
      });
    const body = await readBody(req);
    const slot = slots.get(decodeURIComponent(m[1]!));
    if (!slot)
      return send(res, 409, {
        error: { message: 'no task is running on this slot', type: 'invalid_request_error' },
      });
    // A retried request (same body) gets the same reply: the script does not advance twice.
    const key = createHash('sha256').update(body).digest('hex');
    if (key === slot.lastKey && slot.lastReply) return sendRaw(res, 200, slot.lastReply);
    const parsed = ChatWireRequest.safeParse(JSON.parse(body));
    if (!parsed.success)
      return send(res, 400, {
        error: { message: 'invalid chat completion request', type: 'invalid_request_error' },
      });
    const reply = JSON.stringify(respond(slot, parsed.data));
    slot.lastKey = key;
    slot.lastReply = reply;
    sendRaw(res, 200, reply);
  }

  function respond(s: SlotState, r: ChatWireRequest): unknown {
    const prompt = promptText(r.messages);
    const callIndex = s.calls++;
    const offeredDefs = new Map((r.tools ?? []).map((t) => [t.function.name, JSON.stringify(t.function)]));
    const system = r.messages
      .filter((m) => m.role === 'system')
      .map(contentText)
      .join('\n');
    s.seen.push({ query: s.query, prompt });
    const missingIn = (args: Record<string, unknown>, def: string): MissingValue[] =>
      missingValues(args, s.seen, def);
    const usage = { prompt_tokens: promptTokens(r), completion_tokens: 0, total_tokens: 0 };
    const step = s.steps[s.cursor];
    let message: Record<string, unknown>;
    let finish: string;
    if (!step) {
      s.offScript++;
      message = { role: 'assistant', content: 'I have nothing more to do for this request.' };
      finish = 'stop';
    } else if (step.kind === 'calls') {
      s.cursor++;
      const toolCalls = step.calls.map((c, i) => {
        // Text-style tool prompts carry the definitions in the system message instead.
        const offered = offeredDefs.has(c.tool) || (r.tools === undefined && system.includes(c.tool));
        s.actions.push({
          query: s.query,
          call: callIndex,
          tool: c.tool,
          purpose: c.purpose,
          offered,
          missing: missingIn(c.args, offeredDefs.get(c.tool) ?? ''),
        });
        return {
          id: `call_${callIndex}_${i}`,
          type: 'function',
          function: { name: c.tool, arguments: JSON.stringify(c.args) },
        };
      });
      message = { role: 'assistant', content: null, tool_calls: toolCalls };
      finish = 'tool_calls';
    } else {
      s.cursor++;
      // The answer tells only the outputs the prompt holds; the others are reported missing.
      const missing = step.outputs
        .filter((o) => !isPresent(o, prompt))
        .map((o) => ({ arg: 'outputs', value: o, cause: causeOf(s.seen, o) }));
      const told = step.outputs.filter((o) => isPresent(o, prompt));
      s.actions.push({
        query: s.query,
        call: callIndex,
        tool: 'answer',
        purpose: 'answer',
        offered: true,
        missing,
      });
      message = {
        role: 'assistant',
        content: told.length ? `${step.text} You asked about: ${told.join(', ')}.` : step.text,
      };
      finish = 'stop';
    }
    usage.completion_tokens = countTokens(JSON.stringify(message), ENCODING_MODEL);
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    return {
      id: `chatcmpl-eval-${callIndex}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: SCRIPTED_MODEL_NAME,
      choices: [{ index: 0, message, finish_reason: finish }],
      usage,
    };
  }

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const slotOf = (slot: string): SlotState => {
    const s = slots.get(slot);
    if (!s) throw new Error(`no task on slot ${slot}`);
    return s;
  };
  return {
    url,
    baseUrlFor: (slot) => `${url}/slot/${encodeURIComponent(slot)}/v1`,
    begin(slot, steps) {
      slots.set(slot, { steps, cursor: 0, query: -1, seen: [], actions: [], offScript: 0, calls: 0 });
    },
    nextQuery(slot) {
      slotOf(slot).query++;
    },
    finish(slot) {
      const s = slotOf(slot);
      slots.delete(slot);
      return { actions: s.actions, offScript: s.offScript, calls: s.calls };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function promptTokens(r: ChatWireRequest): number {
  let n = 3;
  for (const m of r.messages) {
    n += 4 + countTokens(contentText(m), ENCODING_MODEL);
    for (const c of m.tool_calls ?? [])
      n +=
        3 + countTokens(c.function.name, ENCODING_MODEL) + countTokens(c.function.arguments, ENCODING_MODEL);
  }
  for (const t of r.tools ?? []) n += 8 + countTokens(JSON.stringify(t), ENCODING_MODEL);
  return n;
}

function sendRaw(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(body);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  sendRaw(res, status, JSON.stringify(body));
}
