// CPU of the LLM client per streamed call, as the reasoning-worker makes it: a ~12 kB prompt
// posted over the keep-alive transport, the reply streamed back as sim-llm streams it (one SSE
// event of ~4 characters per write), parsed, folded and normalised, with an onDelta listener.
// The server runs in a child process, so only the client's CPU is counted here (process.cpuUsage
// of this process over the measured calls). Half the replies are answers, half a thought with
// two tool calls. `checksum` (the replies' content and arguments) must be equal between trees.
//
//   node scripts/bench-llm-client.ts [--tree /work/wt/base] [--calls 3000] [--concurrency 16] [--mode stream|json] [--tools small|commerce]
//
// --mode json: each reply is one JSON body and the call has no onDelta (the reasoning-worker's
// calls when no live client watches, as in `pnpm bench`). --tools commerce offers the commerce
// pack's definitions (one shared array, as the worker's offers are) instead of three small ones.
//
// --tree runs another checkout's client (e.g. the "before" of a change) with this harness.
import { fork } from 'node:child_process';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

type Llm = typeof import('../packages/llm/src/index.ts');

const { values: a } = parseArgs({
  options: {
    tree: { type: 'string', default: new URL('../', import.meta.url).pathname },
    calls: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '16' },
    serve: { type: 'boolean', default: false },
    mode: { type: 'string', default: 'stream' },
    tools: { type: 'string', default: 'small' },
  },
});

const PIECE = 4;
const pieces = (s: string): string[] => Array.from({ length: Math.ceil(s.length / PIECE) }, (_, i) => s.slice(i * PIECE, (i + 1) * PIECE));
const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 0, model: 'sim-model', system_fingerprint: 'fp' };
const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
const ANSWER = 'Your order #W2378156 was delivered on Monday. The refund of $54.04 goes back to your credit card ending in 4421 within 5 business days.';
const THOUGHT = 'Let me look up the order and your account first.';

/** The SSE events of one reply, as sim-llm writes them. */
function reply(n: number): unknown[] {
  const out: unknown[] = [chunk({ role: 'assistant', content: '', refusal: null })];
  if (n % 2 === 0) {
    for (const p of pieces(ANSWER)) out.push(chunk({ content: p }));
    out.push(chunk({}, 'stop'));
  } else {
    for (const p of pieces(THOUGHT)) out.push(chunk({ content: p }));
    const calls = [
      ['get_order_details', `{"order_id":"#W${2378156 + n}"}`],
      ['get_user_details', '{"user_id":"mia_garcia_4516"}'],
    ];
    calls.forEach(([name, args], index) => {
      out.push(chunk({ tool_calls: [{ index, id: `call_${n}_${index}`, type: 'function', function: { name, arguments: '' } }] }));
      for (const p of pieces(args!)) out.push(chunk({ tool_calls: [{ index, function: { arguments: p } }] }));
    });
    out.push(chunk({}, 'tool_calls'));
  }
  out.push({ ...base, choices: [], usage: { prompt_tokens: 3000, completion_tokens: 40, total_tokens: 3040 } });
  return out;
}

/** The same reply as one chat.completion body (what the stream folds into). */
function replyJson(n: number): unknown {
  const message: Record<string, unknown> = { role: 'assistant', content: n % 2 === 0 ? ANSWER : THOUGHT, refusal: null };
  if (n % 2 === 1) {
    message.tool_calls = [
      ['get_order_details', `{"order_id":"#W${2378156 + n}"}`],
      ['get_user_details', '{"user_id":"mia_garcia_4516"}'],
    ].map(([name, args], index) => ({ id: `call_${n}_${index}`, type: 'function', function: { name, arguments: args } }));
  }
  return {
    ...base,
    object: 'chat.completion',
    choices: [{ index: 0, message, logprobs: null, finish_reason: n % 2 === 0 ? 'stop' : 'tool_calls' }],
    usage: { prompt_tokens: 3000, completion_tokens: 40, total_tokens: 3040 },
  };
}

function write(res: ServerResponse, events: unknown[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  for (const e of events) res.write(`data: ${JSON.stringify(e)}\n\n`);
  res.end('data: [DONE]\n\n');
}

if (a.serve) {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (a.mode === 'json') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(replyJson(n++)));
      else write(res, reply(n++));
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send?.((server.address() as AddressInfo).port));
  process.on('disconnect', () => process.exit(0));
} else {
  const tree = resolve(a.tree);
  const { createLlmClient } = (await import(`${tree}/packages/llm/src/index.ts`)) as Llm;
  const child = fork(new URL(import.meta.url).pathname, ['--serve', '--mode', a.mode], { stdio: 'inherit' });
  const port = await new Promise<number>((r) => child.once('message', (m) => r(Number(m))));
  const client = createLlmClient({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'k', model: 'gpt-4o-mini', maxSockets: Number(a.concurrency) });
  const filler = 'Order #W2378156: 2 items (desk lamp, office chair), delivered 2026-11-12, paid by credit_card_4421. ';
  const messages = [
    { role: 'system' as const, content: `You are a customer-service agent.\n\n${filler.repeat(60)}` },
    { role: 'user' as const, content: 'I want a refund for the lamp in my last order.' },
    { role: 'assistant' as const, content: 'Which order?' },
    { role: 'user' as const, content: `The one with order id #W2378156. ${filler.repeat(10)}` },
  ];
  const small = ['get_order_details', 'get_user_details', 'return_delivered_order_items'].map((name) => ({
    type: 'function' as const,
    function: { name, description: `${name} of the shop`, parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] } },
  }));
  const tools = a.tools === 'commerce' ? await commerceToolDefinitions(tree) : small;
  const calls = Number(a.calls);
  const concurrency = Number(a.concurrency);
  let checksum = 0;
  const run = async (count: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          next++;
          let deltas = 0;
          const streamed = a.mode === 'json' ? {} : { onDelta: () => deltas++, onAttempt: () => {} };
          const r = await client.complete({ messages, tools, maxTokens: 512, temperature: 0, ...streamed });
          checksum += (r.message.content ?? '').length + (r.message.tool_calls ?? []).reduce((s, c) => s + c.function.arguments.length + c.function.name.length, 0) + deltas;
        }
      }),
    );
  };
  await run(300); // warm-up: JIT, sockets
  checksum = 0;
  const before = process.cpuUsage();
  const t0 = performance.now();
  await run(calls);
  const cpu = process.cpuUsage(before);
  const wallMs = performance.now() - t0;
  child.disconnect();
  console.log(JSON.stringify({ tree, calls, concurrency, cpu_us_per_call: Math.round((cpu.user + cpu.system) / calls), user_us_per_call: Math.round(cpu.user / calls), wall_ms: Math.round(wallMs), checksum }));
}

/** The commerce pack's tool definitions as the worker offers them: one array, built once. */
async function commerceToolDefinitions(tree: string) {
  const { commerceTools } = (await import(`${tree}/packages/commerce/src/index.ts`)) as typeof import('@steward/commerce');
  const { ToolRegistry } = (await import(`${tree}/packages/tools/src/index.ts`)) as typeof import('@steward/tools');
  return new ToolRegistry(commerceTools).toOpenAiTools();
}
