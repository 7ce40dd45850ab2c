// CPU of the prompt work of one query, without queues, Redis, HTTP or a model: what the
// reasoning-worker computes per turn (working memory with the request, turnInput, buildPrompt,
// the tool definitions' count, the prompt-prefix segments) and what sim-llm computes to bill the
// same request (parsed from its JSON). Each query asks about a τ-bench order, has an earlier
// order in its working memory, and takes two turns (the second after get_order_details).
// Unlike `pnpm bench` it is deterministic: `checksum` (token counts and reuse shares summed)
// and `bpe_counts_per_query` must be equal between two trees that build the same prompts, and
// the CPU figure is one process's, so before/after can be compared on a busy machine.
//
//   node scripts/bench-turn-cpu.ts [--tree /work/wt/base] [--queries 3000] [--orders $TAUBENCH_DIR/orders.json]
//
// --tree runs another checkout's code (e.g. the "before" of a change) with this harness.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ChatMessage } from '@steward/core';

type Context = typeof import('@steward/context');
type TurnInputModule = typeof import('../services/reasoning-worker/src/turn-input.ts');
type PrefixReuseModule = typeof import('../services/reasoning-worker/src/prefix-reuse.ts');
type Commerce = typeof import('@steward/commerce');
type Tools = typeof import('@steward/tools');

const { values: a } = parseArgs({
  options: {
    tree: { type: 'string', default: new URL('../', import.meta.url).pathname },
    queries: { type: 'string', default: '3000' },
    orders: { type: 'string', default: `${process.env.TAUBENCH_DIR ?? '../shared/taubench'}/orders.json` },
  },
});
const tree = resolve(a.tree);
const ctx = (await import(`${tree}/packages/context/src/index.ts`)) as Context;
const ti = (await import(`${tree}/services/reasoning-worker/src/turn-input.ts`)) as TurnInputModule;
const pr = (await import(`${tree}/services/reasoning-worker/src/prefix-reuse.ts`)) as PrefixReuseModule;
const { commerceTools } = (await import(`${tree}/packages/commerce/src/index.ts`)) as Commerce;
const { ToolRegistry } = (await import(`${tree}/packages/tools/src/index.ts`)) as Tools;

interface Order {
  order_id: string;
  user_id: string;
}
const orders = Object.values(JSON.parse(readFileSync(resolve(a.orders), 'utf8')) as Record<string, Order>);
const registry = new ToolRegistry(commerceTools);
const model = 'gpt-4o-mini';
const { budget } = ti.reasoningBudget({});
let checksum = 0;

function lookup(i: number, o: Order) {
  return { callId: `c${i}`, name: 'get_order_details', arguments: { order_id: o.order_id }, result: JSON.stringify(o) };
}

function query(i: number): void {
  const o = orders[i % orders.length]!;
  const earlier = orders[(i * 7 + 3) % orders.length]!;
  const question = `Hi, what is the status of my order #${o.order_id}? I want to return something maybe.`;
  const conversation: ChatMessage[] = [{ role: 'user', content: question }];
  // The working memory as Redis holds it: an earlier order, then this query's request.
  const stored = JSON.stringify(ctx.recordToolCalls(ctx.emptyMemory(), [lookup(-i - 1, earlier)]));
  let memory = ctx.recordRequest(ctx.parseMemory(stored), `q${i}`, question);
  const call = lookup(i, o);
  const turns: ChatMessage[][] = [
    [],
    [
      { role: 'assistant', content: null, tool_calls: [{ id: call.callId, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.arguments) } }] },
      { role: 'tool', tool_call_id: call.callId, content: JSON.stringify(o, null, 2) },
    ],
  ];
  let previous = '[]';
  for (const [turn, steps] of turns.entries()) {
    if (turn === 1) memory = ctx.parseMemory(JSON.stringify(ctx.recordToolCalls(memory, [call])));
    const { input, tools } = ti.turnInput({
      model,
      registry,
      toolStyle: 'native',
      toolSelection: 'relevant',
      naive: false,
      conversation: { customerId: o.user_id, summary: '', messages: conversation },
      language: 'en',
      text: question,
      steps,
      memory,
      transcript: [],
    });
    const prompt = ctx.buildPrompt(input, budget);
    checksum += prompt.tokens + ctx.countToolDefinitionTokens(tools, model);
    const segments = pr.promptSegments(prompt.messages, tools, model);
    checksum += pr.prefixReuseShare(JSON.parse(previous) as ReturnType<typeof pr.promptSegments>, segments);
    previous = JSON.stringify(segments);
    // sim-llm bills the request it received.
    const request = JSON.parse(JSON.stringify({ messages: prompt.messages, tools })) as { messages: ChatMessage[]; tools: unknown[] };
    checksum += ctx.countMessageTokens(request.messages, model) + ctx.countToolDefinitionTokens(request.tools, model);
  }
}

const warmUp = 200;
for (let i = 0; i < warmUp; i++) query(100_000 + i);
const n = Number(a.queries);
const cache = ctx.tokenCountCache();
const missesBefore = cache.misses;
const cpu = process.cpuUsage();
for (let i = 0; i < n; i++) query(i);
const used = process.cpuUsage(cpu);
process.stdout.write(
  `${JSON.stringify({
    tree,
    queries: n,
    cpu_ms_per_query: Math.round(((used.user + used.system) / 1000 / n) * 1000) / 1000,
    bpe_counts_per_query: Math.round(((cache.misses - missesBefore) / n) * 100) / 100,
    cache_entries: cache.size,
    checksum: Math.round(checksum * 1000) / 1000,
  })}\n`,
);
